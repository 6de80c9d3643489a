from datetime import UTC, datetime

import pytest
from bson import ObjectId

from dashboard.rollups import refresh_rollups, rollup_collection
from participants import selectors, services
from tests.factories import (
    engagement,
    insert_participants,
    match,
    parcel,
    participant_doc,
    residence_ref,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def stored(contact_id, *, campaigns, county=None, quality=None, version=0):
    engagements = [
        engagement(campaign, opened=i == 0, engaged_at=datetime(2024, 1, 1 + i))
        for i, campaign in enumerate(campaigns)
    ]
    doc = participant_doc(contact_id, engagements=engagements)
    if county:
        doc["residence_ref"] = residence_ref(parcel(county=county, parcel_id=f"{county}-1"))
    if quality:
        doc["match"] = match(quality, version=version)
    return insert_participants(doc)[0]["_id"]


@pytest.fixture
def people():
    return {
        "ann": stored("ann@example.com", campaigns=["c1", "c2"], county="Essex", quality="exact"),
        "bob": stored("bob@example.com", campaigns=["c2"], county="Kent", quality="no_match"),
        "cy": stored("+12125550134", campaigns=["c1"]),
    }


def test_get_participant_by_id_and_contact(people):
    assert selectors.get_participant(participant_id=str(people["ann"])).contact_id == (
        "ann@example.com"
    )
    assert selectors.get_participant(participant_id="not-an-id") is None
    assert selectors.get_participant(participant_id=ObjectId()) is None
    assert selectors.participant_by_contact_id(contact_id="+12125550134").id == people["cy"]


def test_engagement_of_a_participant_for_a_campaign(people):
    ann = selectors.get_participant(participant_id=people["ann"])
    assert selectors.engagement_for_campaign(participant=ann, campaign_id="c1").opened is True
    assert selectors.engagement_for_campaign(participant=ann, campaign_id="c2").opened is False
    assert selectors.engagement_for_campaign(participant=ann, campaign_id="nope") is None


def update(before, **references):
    change = services.ReferenceChange(before=before, **references)
    return services.update_participant_references(change=change, now=NOW)


def test_update_references_bumps_the_version_and_refuses_a_stale_one(people):
    bob_before = selectors.participant_document(participant_id=people["bob"])
    after = update(
        bob_before,
        residence_ref={"county": "Kent", "parcel_id": "K-9", "parcel_zip": 7001},
        demographic_ref={"county": "Kent", "parcel_id": "K-9", "linked_by": "MANUAL"},
        match={"quality": "manual", "method": "review", "reviewed_by": "reviewer"},
    )
    assert after["match"]["version"] == 1
    bob = selectors.get_participant(participant_id=people["bob"])
    assert bob.residence_ref.parcel_id == "K-9"
    assert bob.demographic_ref.linked_by == "MANUAL"
    assert bob.match.quality == "manual"
    assert bob.match.reviewed_by == "reviewer"

    with pytest.raises(services.StaleParticipant):
        update(bob_before, residence_ref=None, demographic_ref=None, match={"quality": "no_match"})
    assert selectors.get_participant(participant_id=people["bob"]).residence_ref.parcel_id == "K-9"


def test_update_references_can_remove_them(people):
    update(
        selectors.participant_document(participant_id=str(people["ann"])),
        residence_ref=None,
        demographic_ref=None,
        match={"quality": "no_match", "reason": "wrong parcel"},
    )
    ann = selectors.get_participant(participant_id=people["ann"])
    assert ann.residence_ref is None
    assert ann.match.quality == "no_match"
    assert ann.match.version == 1


def test_update_references_keeps_dashboard_rollups_current(people):
    def counters(doc, prefix=""):
        for key, value in doc.items():
            if isinstance(value, dict):
                yield from counters(value, f"{prefix}{key}.")
            elif isinstance(value, int | float) and value:
                yield f"{prefix}{key}", value

    def rollups():
        """Non-zero counters per rollup (an emptied rollup may stay behind with zeros)."""
        found = {}
        for doc in rollup_collection().find({}):
            values = dict(counters(doc))
            if values and "refreshed_at" not in doc:
                found[doc["_id"]] = values
        return found

    refresh_rollups(now=NOW)
    update(
        selectors.participant_document(participant_id=people["cy"]),
        residence_ref={"county": "Essex", "parcel_id": "E-7", "parcel_zip": 1970},
        demographic_ref=None,
        match={"quality": "manual"},
    )
    incremental = rollups()
    refresh_rollups(now=NOW)
    assert incremental == rollups()
