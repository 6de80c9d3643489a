"""The django-tables2 and django-filter adapters over MongoEngine querysets."""

import django_filters
import django_tables2 as tables
import pytest
from bson import ObjectId
from django.test import RequestFactory

from empowersave.adapters import MongoFilterSet, MongoTableData, order_ids
from participants.documents import (
    EngagementTotals,
    MatchInfo,
    MatchQuality,
    Participant,
    ParticipantFields,
    ResidenceReference,
)


class ParticipantFilter(MongoFilterSet):
    county = django_filters.CharFilter(field_name="residence_ref.county")
    quality = django_filters.MultipleChoiceFilter(
        field_name="match.quality", choices=[(q, q) for q in MatchQuality.CHOICES]
    )
    opened = django_filters.NumberFilter(field_name="totals.opened", lookup_expr="gte")
    sent = django_filters.RangeFilter(field_name="totals.sent")
    name = django_filters.CharFilter(field_name="fields.last_name", lookup_expr="icontains")
    not_county = django_filters.CharFilter(field_name="residence_ref.county", exclude=True)
    unmatched = django_filters.BooleanFilter(field_name="residence_ref", lookup_expr="isnull")


class ParticipantTable(tables.Table):
    contact_id = tables.Column()
    last_name = tables.Column(accessor="fields__last_name")
    county = tables.Column(accessor="residence_ref__county")
    sent = tables.Column(accessor="totals__sent")


@pytest.fixture
def people():
    rows = [
        ("ann@example.org", "Avery", "Essex", MatchQuality.EXACT, 3, 2),
        ("bob@example.org", "Baker", "Essex", MatchQuality.FUZZY, 1, 0),
        ("cy@example.org", "Cole", "Morris", MatchQuality.PENDING, 5, 5),
        ("di@example.org", "Dunn", None, MatchQuality.NO_MATCH, 2, 1),
    ]
    for contact_id, last_name, county, quality, sent, opened in rows:
        Participant(
            contact_id=contact_id,
            fields=ParticipantFields(last_name=last_name),
            residence_ref=ResidenceReference(county=county, parcel_id="P1") if county else None,
            match=MatchInfo(quality=quality),
            totals=EngagementTotals(sent=sent, opened=opened),
        ).save()


def contact_ids(queryset):
    return sorted(p.contact_id for p in queryset)


def run_filter(params):
    return ParticipantFilter(params, queryset=Participant.objects.all())


def test_each_filter_kind_runs_on_mongo(people):
    assert contact_ids(run_filter({"county": "Essex"}).qs) == ["ann@example.org", "bob@example.org"]
    assert contact_ids(run_filter({"quality": ["pending", "no_match"]}).qs) == [
        "cy@example.org",
        "di@example.org",
    ]
    assert contact_ids(run_filter({"opened": "2"}).qs) == ["ann@example.org", "cy@example.org"]
    assert contact_ids(run_filter({"sent_min": "2", "sent_max": "3"}).qs) == [
        "ann@example.org",
        "di@example.org",
    ]
    assert contact_ids(run_filter({"name": "AK"}).qs) == ["bob@example.org"]
    assert contact_ids(run_filter({"unmatched": "true"}).qs) == ["di@example.org"]
    assert contact_ids(run_filter({"not_county": "Essex"}).qs) == [
        "cy@example.org",
        "di@example.org",
    ]


def test_filters_combine(people):
    filterset = run_filter({"county": "Essex", "quality": ["exact"], "opened": "1"})
    assert contact_ids(filterset.qs) == ["ann@example.org"]


@pytest.mark.parametrize("params", [{"county": '{"$ne": null}'}, {"name": ".*"}])
def test_operator_lookalikes_are_plain_text(people, params):
    assert contact_ids(run_filter(params).qs) == []


def test_bracketed_operator_keys_are_ignored_not_applied(people):
    assert len(run_filter({"county[$ne]": "x", "quality[$gt]": ""}).qs) == 4


def test_invalid_values_give_form_errors_and_no_rows(people):
    filterset = run_filter({"opened": "lots", "quality": ["$ne"]})
    assert not filterset.is_valid()
    assert set(filterset.errors) == {"opened", "quality"}
    assert contact_ids(filterset.qs) == []


def test_table_sorts_and_pages_on_the_server(people):
    request = RequestFactory().get("/", {"sort": "-sent", "page": "2"})
    table = ParticipantTable(MongoTableData(Participant.objects.all()), order_by="-sent")
    tables.RequestConfig(request, paginate={"per_page": 3}).configure(table)
    assert len(table.data) == 4
    assert [row.get_cell("contact_id") for row in table.page.object_list] == ["bob@example.org"]

    request = RequestFactory().get("/", {"sort": "last_name"})
    table = ParticipantTable(MongoTableData(Participant.objects.all()))
    tables.RequestConfig(request, paginate={"per_page": 2}).configure(table)
    assert [row.get_cell("last_name") for row in table.page.object_list] == ["Avery", "Baker"]


def test_rows_are_ordered_without_regard_to_case_ties_by_id_and_blanks_last():
    """The order a user sees on a sorted list: names without regard to case, a blank part
    after the filled ones of its key, people with every sort key blank last in both
    directions, and people who tie in `_id` order (so each page stays the same)."""
    first, second, third, fourth, fifth, sixth, seventh = (ObjectId() for _ in range(7))
    rows = [
        {"_id": sixth, "fields": {}},
        {"_id": seventh, "fields": {"LastName": "AVERY"}},
        {"_id": fifth, "fields": {"LastName": "Baker", "FirstName": "bea"}},
        {"_id": fourth, "fields": {"LastName": "  ", "FirstName": "Zoe"}},
        {"_id": third, "fields": {"LastName": "Avery"}},
        {"_id": second, "fields": {"LastName": "baker", "FirstName": "Ann"}},
        {"_id": first, "fields": {"LastName": None, "FirstName": " "}},
    ]
    by_name = [("fields.LastName", False), ("fields.FirstName", False)]
    assert order_ids(rows, by_name) == [third, seventh, second, fifth, fourth, first, sixth]
    descending = [("fields.LastName", True), ("fields.FirstName", True)]
    assert order_ids(rows, descending) == [fourth, fifth, second, third, seventh, first, sixth]
    mixed = [("fields.LastName", True), ("fields.FirstName", False)]
    assert order_ids(rows, mixed) == [fourth, second, fifth, third, seventh, first, sixth]
