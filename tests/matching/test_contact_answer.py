"""The contact rule's answer stored with each match (`match.contact`), and a reviewer's placement
at a parcel that takes it instead of testing every household record for an email or phone."""

import pytest
from pymongo.collection import Collection

from empowersave import mongodb
from matching import households
from participants.documents import Participant
from tests.factories import insert_participants, participant_doc, participant_fields
from tests.matching.test_matching import (  # noqa: F401 - `county` is a fixture
    PARCELS,
    add_participant,
    county,
    match_all,
    stored,
)

pytestmark = pytest.mark.usefixtures("county")


@pytest.fixture
def household_queries(monkeypatch):
    """The filter of every find on the household records, at the store boundary (pymongo)."""
    filters, real = [], Collection.find

    def find(collection, *args, **kwargs):
        if collection.name == mongodb.county_demographic_collection().name:
            filters.append(args[0] if args else kwargs.get("filter"))
        return real(collection, *args, **kwargs)

    monkeypatch.setattr(Collection, "find", find)
    return filters


def raw(contact_id):
    return mongodb.collection_for(Participant).find_one({"contact_id": contact_id})


def placement(contact_id, county_name, parcel_id, *, stored_answer=True):
    """The ParcelLink a reviewer's decision makes (review.services._parcel_link)."""
    link = households.parcel_link(raw(contact_id), county=county_name, parcel_id=parcel_id)
    return link if stored_answer else link._replace(contact=None)


def people():
    """Linked by their parcel (whose record carries their email too), by email, by mobile, and
    a person no household record names."""
    add_participant("john@example.org", "12 North Main Street", "Newark", "07102")
    add_participant("pat@example.org", "9 Unknown Way", "Paterson", "07501")
    add_participant("+16145550101", "", phone="+16145550101", email=None)
    add_participant("nobody@example.org", "14 N Main St", "Newark", "07102")
    match_all()
    return ["john@example.org", "pat@example.org", "+16145550101", "nobody@example.org"]


def test_matching_stores_the_contact_rules_answer_with_each_match():
    people()
    record = raw("john@example.org")["match"]["contact"]["record"]
    assert (record["parcel_id"], record["linked_by"], record["email"]) == (
        "E1",
        "CONTACT",
        "john@example.org",
    )
    assert raw("john@example.org")["demographic_ref"]["linked_by"] == "PARCEL"
    assert stored("pat@example.org").match.contact.record.parcel_id == "E5"
    assert raw("+16145550101")["match"]["contact"]["key"] == "|6145550101"
    assert stored("+16145550101").match.contact.record.parcel_id == "F1"
    assert raw("nobody@example.org")["match"]["contact"] == {"key": "nobody@example.org|"}


def test_a_placement_takes_the_stored_answer_asks_no_scan_and_links_as_the_query_did(
    household_queries,
):
    contact_ids = people()
    links = [
        placement(contact_id, county_name, parcel_id, stored_answer=stored_answer)
        for stored_answer in (True, False)
        for contact_id in contact_ids
        for county_name, parcel_id, *_rest in PARCELS
    ]
    half = len(links) // 2
    household_queries.clear()
    with_answer = households.link_demographics_for_parcels(links[:half])
    assert ["$or" in query for query in household_queries] == [False]  # the parcels' records
    household_queries.clear()
    queried = households.link_demographics_for_parcels(links[half:])
    assert ["$or" in query for query in household_queries] == [False, True]
    assert with_answer == queried
    pat_at_e2 = with_answer[contact_ids.index("pat@example.org") * len(PARCELS) + 1]
    assert (pat_at_e2["parcel_id"], pat_at_e2["linked_by"]) == ("E5", "CONTACT")
    assert sum(ref is not None and ref["linked_by"] == "CONTACT" for ref in with_answer) == 24


def test_a_placement_compares_both_phones_as_matching_did(household_queries):
    """phone_number is nobody's, the Phone field is Mary Jones's mobile (F1's record): matching
    linked by it, and so does a reviewer's placement, from the stored answer without a scan."""
    fields = participant_fields(address="9 Unknown Way", city="Paterson", Phone="(614) 555-0101")
    insert_participants(
        participant_doc("two@example.org", fields=fields, phone_number="+1 212 555 0199")
    )
    match_all()
    assert raw("two@example.org")["match"]["contact"]["record"]["parcel_id"] == "F1"
    household_queries.clear()
    [ref] = households.link_demographics_for_parcels([placement("two@example.org", "Essex", "E2")])
    assert (ref["parcel_id"], ref["linked_by"]) == ("F1", "CONTACT")
    assert ["$or" in query for query in household_queries] == [False]
    [asked] = households.link_demographics_for_parcels(
        [placement("two@example.org", "Essex", "E2", stored_answer=False)]
    )
    assert asked == ref


def test_a_match_stored_before_the_answer_existed_still_links_by_contact(
    household_queries,
):
    people()
    mongodb.collection_for(Participant).update_many({}, {"$unset": {"match.contact": ""}})
    household_queries.clear()
    [ref] = households.link_demographics_for_parcels([placement("pat@example.org", "Essex", "E2")])
    assert (ref["parcel_id"], ref["linked_by"]) == ("E5", "CONTACT")
    assert ["$or" in query for query in household_queries] == [False, True]


def test_an_answer_decided_on_another_email_is_not_taken():
    people()
    mongodb.collection_for(Participant).update_one(
        {"contact_id": "pat@example.org"}, {"$set": {"email_address": "JOHN@example.org"}}
    )
    [ref] = households.link_demographics_for_parcels([placement("pat@example.org", "Essex", "E2")])
    assert (ref["parcel_id"], ref["linked_by"]) == ("E1", "CONTACT")


def test_rematching_stores_the_answer_a_match_lacks():
    people()
    mongodb.collection_for(Participant).update_many({}, {"$unset": {"match.contact": ""}})
    stats = match_all()
    assert stats["written"] == stats["processed"] == 2  # those waiting for review
    assert raw("pat@example.org")["match"]["contact"]["record"]["parcel_id"] == "E5"
    assert match_all()["written"] == 0
