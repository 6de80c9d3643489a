"""Every size a request can ask for is bounded, and no query parameter reaches MongoDB as an
operator: page sizes, page numbers, sort keys, text lengths and operator-shaped filter values."""

import pytest

from dashboard.filters import ParticipantFilter
from dashboard.models import ANALYSTS_GROUP
from dashboard.rollups import refresh_rollups
from empowersave.adapters import filter_parameter_names
from empowersave.paging import (
    DEFAULT_PER_PAGE,
    MAX_SKIPPED_ROWS,
    PER_PAGE_CHOICES,
    page_from,
    per_page_from,
)
from participants.documents import Participant
from participants.selectors import SEARCH_MAX_LENGTH
from review.filters import QueueFilterSet
from review.models import REVIEWERS_GROUP
from review.selectors import review_queue
from tests.factories import NOW, engagement, insert_participants, participant
from tests.users import make_user

pytestmark = pytest.mark.django_db

PEOPLE = 260  # more than the largest page size
PAGED_VIEWS = ("/participants/", "/campaigns/C1/", "/review/")


@pytest.fixture
def many(client):
    insert_participants(
        *[
            participant(
                f"p{i:03}@example.org",
                first=f"P{i:03}",
                engagements=[engagement("C1", opened=i % 2 == 0)],
                quality="pending",
            )
            for i in range(PEOPLE)
        ]
    )
    refresh_rollups(now=NOW)
    client.force_login(make_user("member", groups=[ANALYSTS_GROUP, REVIEWERS_GROUP]))
    return client


@pytest.fixture
def few(client):
    """Eight people, all in campaign C1 and in the review queue, half of them opened."""
    insert_participants(
        *[
            participant(
                f"f{i}@example.org",
                first=f"F{i}",
                zip_raw="02134",
                engagements=[engagement("C1", opened=i % 2 == 0)],
                quality="pending",
            )
            for i in range(8)
        ]
    )
    refresh_rollups(now=NOW)
    client.force_login(make_user("member", groups=[ANALYSTS_GROUP, REVIEWERS_GROUP]))
    return client


def shown(response):
    assert response.status_code == 200
    return len(response.context["table"].page.object_list)


@pytest.mark.parametrize("url", PAGED_VIEWS)
def test_page_sizes_are_one_of_a_few_and_anything_else_is_the_default(many, url):
    for size in PER_PAGE_CHOICES:
        assert shown(many.get(url, {"per_page": size})) == size
    for size in ("100000", "-5", "0", "abc", "", "1e3", "51", "２５", "9" * 5000, "[$gt]"):
        assert shown(many.get(url, {"per_page": size})) == DEFAULT_PER_PAGE, size


@pytest.mark.parametrize("url", PAGED_VIEWS)
def test_odd_page_numbers_answer_a_page(many, url):
    deepest = MAX_SKIPPED_ROWS // DEFAULT_PER_PAGE + 1
    for page in ("-1", "0", "abc", "1e9", "١", "99999", str(10**30), "9" * 5000, "2.5"):
        response = many.get(url, {"page": page})
        assert 1 <= shown(response) <= DEFAULT_PER_PAGE, page
        assert response.context["table"].page.number <= deepest, page


def test_the_last_page_is_reached_by_number(many):
    response = many.get("/participants/", {"per_page": 100, "page": 3, "sort": "email_address"})
    assert shown(response) == PEOPLE - 200
    first_shown = response.context["table"].page.object_list[0].record
    assert first_shown.contact_id == "p200@example.org"


def test_sort_takes_at_most_three_of_the_tables_own_columns(many):
    for sort, used in (
        ("name,email_address,county,quality,zip", ("name", "email_address", "county")),
        ("-zip,-zip,zip,name", ("-zip", "name")),
        ("$where,fields__FirstName,address,__class__", ("name",)),  # none: the default order
        ("email_address," * 5000, ("email_address",)),
    ):
        response = many.get("/participants/", {"sort": sort})
        assert shown(response) == DEFAULT_PER_PAGE
        assert tuple(response.context["table"].order_by or ()) == used, sort


def test_sort_keys_repeated_as_parameters_are_bounded_too(many):
    response = many.get("/participants/?" + "&".join(["sort=zip", "sort=name"] * 400))
    assert tuple(response.context["table"].order_by) == ("zip", "name")


@pytest.mark.parametrize(("url", "filter_name"), [
    ("/participants/", "filter"),
    ("/review/", "filterset"),
])  # fmt: skip
def test_search_and_zip_text_are_bounded(many, url, filter_name):
    at_limit = many.get(url, {"search": "p" * SEARCH_MAX_LENGTH})
    assert not at_limit.context[filter_name].errors
    for name, value in (("search", "p" * (SEARCH_MAX_LENGTH + 1)), ("zip", "0" * 100_000)):
        too_long = many.get(url, {name: value})
        assert shown(too_long) == 0
        assert name in too_long.context[filter_name].errors


# --- operators never reach MongoDB -------------------------------------------------------------

OPERATOR_VALUES = [
    '{"$ne": null}',
    '{"$gt": ""}',
    '{"$where": "sleep(100)"}',
    "$where",
    '["$ne", 1]',
    "[object Object]",
    '{"$regex": ".*"}',
]
# Operators that this project's own queries never use: if one shows up in a query, it came in
# from the request.
FOREIGN_OPERATORS = {"$where", "$expr", "$function", "$jsonSchema"}


def parameter_names(filterset_class):
    form = filterset_class(None, queryset=Participant.objects.all()).form
    return filter_parameter_names(form)


def operator_keys(query):
    """Every key of a MongoDB query document that names an operator."""
    if isinstance(query, dict):
        keys = {key for key in query if str(key).startswith("$")}
        for value in query.values():
            keys |= operator_keys(value)
        return keys
    if isinstance(query, list | tuple):
        return set().union(set(), *(operator_keys(item) for item in query))
    return set()


FILTERSETS = [
    (ParticipantFilter, lambda: Participant.objects.all()),
    (QueueFilterSet, review_queue),
]


@pytest.mark.parametrize(("filterset_class", "queryset"), FILTERSETS)
def test_operator_shaped_values_reach_no_query_as_operators(few, filterset_class, queryset):
    for name in parameter_names(filterset_class):
        for value in OPERATOR_VALUES:
            for data in ({name: value}, {f"{name}[$where]": "sleep(100)", f"{name}[$ne]": ""}):
                filterset = filterset_class(data, queryset=queryset())
                query = filterset.qs._query
                assert not operator_keys(query) & FOREIGN_OPERATORS, (name, value, query)


@pytest.mark.parametrize(("url", "filterset_class"), [
    ("/participants/", ParticipantFilter),
    ("/review/", QueueFilterSet),
])  # fmt: skip
def test_operator_shaped_parameters_select_nothing_or_are_ignored(few, url, filterset_class):
    everyone = shown(few.get(url))
    assert everyone == 8
    for name in parameter_names(filterset_class):
        for value in OPERATOR_VALUES:
            count = shown(few.get(url, {name: value}))
            assert count in (0, everyone), (name, value, count)
        bracketed = {f"{name}[$ne]": "x", f"{name}[$regex]": ".*"}
        assert shown(few.get(url, bracketed)) == everyone, name


def test_the_filters_offer_every_parameter_the_tests_try():
    assert parameter_names(ParticipantFilter) == [
        "search",
        "county",
        "match_quality",
        "campaign",
        "opened",
        "clicked",
        "bounced",
        "unsubscribed",
        "zip",
        "has_demographic",
        "energy_burden_min",
        "energy_burden_max",
    ]
    assert parameter_names(QueueFilterSet) == [
        "county",
        "match_quality",
        "campaign",
        "zip",
        "search",
        "order",
    ]
    # The names they had before stay working (saved links): the filters map them.
    assert ParticipantFilter.parameter_aliases == {
        "q": "search",
        "quality": "match_quality",
        "burden_min": "energy_burden_min",
        "burden_max": "energy_burden_max",
    }
    assert QueueFilterSet.parameter_aliases == {"q": "search", "quality": "match_quality"}


def test_odd_numbers_in_the_burden_range_answer_a_page(few):
    for value in ("1e999", "-1e999", "NaN", "Infinity", "9" * 5000, "1_000"):
        for name in ("energy_burden_min", "energy_burden_max", "burden_min"):
            assert few.get("/participants/", {name: value}).status_code == 200, (name, value)


def test_a_request_with_too_many_parameters_is_refused_not_run(few):
    response = few.get("/participants/?" + "&".join(f"k{i}=1" for i in range(1500)))
    assert response.status_code == 400


def test_the_bounds_themselves():
    assert [per_page_from(size) for size in ("25", "200", "201", None)] == [25, 200, 50, 50]
    assert page_from("7", per_page=200) == 7
    assert page_from("10000000", per_page=200) == MAX_SKIPPED_ROWS // 200 + 1
