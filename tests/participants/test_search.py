"""The one free-text search (participants.selectors.text_search_q) and both pages that use it."""

import pytest
from django.http import QueryDict

from dashboard.filters import ParticipantFilter
from participants.documents import Participant
from participants.selectors import SEARCH_MAX_LENGTH, text_search_q
from review.filters import QueueFilterSet
from tests.factories import (
    insert_participants,
    parcel,
    participant_doc,
    participant_fields,
    residence_ref,
)


def person(contact_id, first, last, address, *, parcel_address=None):
    residence = residence_ref(parcel(parcel_id="E-1", address=parcel_address))
    insert_participants(
        participant_doc(
            contact_id,
            fields=participant_fields(first=first, last=last, address=address),
            residence_ref=residence if parcel_address else None,
        )
    )


@pytest.fixture
def people():
    person("jane@example.org", "Jane", "Smith", "12 North Main Street")
    person("john@example.org", "John", "Main", "4 Smith Lane")
    person("rita@example.org", "Rita", "Row", "PO Box 7", parcel_address="7 ELM AVE")
    person("odd@example.org", "Odd", "Chars", '{"$ne": null} .* Way')


def found(text):
    return sorted(p.contact_id for p in Participant.objects(text_search_q(text=text)))


ALL = ["jane@example.org", "john@example.org", "odd@example.org", "rita@example.org"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jane main", ["jane@example.org"]),
        ("main jane", ["jane@example.org"]),  # any order
        ("street north main", ["jane@example.org"]),  # the phrase "north main street" reordered
        ("main smith", ["jane@example.org", "john@example.org"]),  # each in a different field
        ("jane lane", []),  # every word must appear
        ("JaNe SMITH", ["jane@example.org"]),  # case-insensitive
        ("  jane \t  smith  jane ", ["jane@example.org"]),  # spacing and repeats do not matter
        ("elm rita", ["rita@example.org"]),  # the matched parcel's address counts
        ("jane@example", ["jane@example.org"]),
    ],
)
def test_every_word_in_any_order(people, text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"$ne": null}', ["odd@example.org"]),  # looked for as text, never an operator
        (".*", ["odd@example.org"]),  # regex characters are text
        ("$ne", ["odd@example.org"]),
        (".", ALL),  # every email has a literal dot
        ("^jane", []),
        ("j.ne", []),
        ("[a-z]", []),
    ],
)
def test_operator_and_regex_look_alikes_are_plain_text(people, text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_text_filters_nothing(people, text):
    assert not text_search_q(text=text)
    assert found(text) == ALL


@pytest.mark.parametrize("text", ["main jane", "MAIN smith", "elm rita", ".*", '{"$ne": null}'])
def test_dashboard_and_review_queue_search_alike(people, text):
    data = QueryDict(mutable=True)
    data["q"] = text
    dashboard = ParticipantFilter(data, queryset=Participant.objects)
    review = QueueFilterSet(data, queryset=Participant.objects)
    expected = found(text)
    assert sorted(p.contact_id for p in dashboard.qs) == expected
    assert sorted(p.contact_id for p in review.qs) == expected


def test_both_forms_refuse_an_overlong_search(people):
    data = QueryDict(mutable=True)
    data["q"] = "a " * SEARCH_MAX_LENGTH
    for filterset in (ParticipantFilter, QueueFilterSet):
        bound = filterset(data, queryset=Participant.objects)
        assert list(bound.qs) == []
        assert "search" in bound.errors  # `q` is the old name of `search`
