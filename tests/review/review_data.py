"""Small county data and a review queue shared by the review tests (not a test module)."""

import datetime as dt

from empowersave import mongodb
from matching.index import DEMOGRAPHIC_FIELDS, RESIDENTIAL_FIELDS
from participants.documents import (
    DemographicReference,
    Engagement,
    MatchCandidate,
    MatchInfo,
    MatchQuality,
    Participant,
    ParticipantFields,
    ResidenceReference,
)
from participants.transform import search_text_for
from review.models import REVIEWERS_GROUP
from tests import users

NOW = dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC)

PARCELS = [
    dict(zip(RESIDENTIAL_FIELDS, row, strict=True))
    for row in (
        ("Essex", "E-100", "12 N MAIN ST", "SPRINGFIELD", 1104),
        ("Essex", "E-101", "14 N MAIN ST", "SPRINGFIELD", 1104),
        ("Essex", "E-200", "500 OAK RD", "SPRINGFIELD", 1104),
        ("Morris", "M-300", "7 ELM AVE", "MORRISTOWN", 7960),
        ("Morris", "M-301", "9 ELM AVE", "MORRISTOWN", 7960),
    )
]
HOUSEHOLDS = [
    dict(zip(DEMOGRAPHIC_FIELDS, row, strict=True))
    for row in (
        ("Essex", "E-100", "SMITH, JANE", "jane@example.org", None, 1500.0, 0.07),
        ("Essex", "E-101", "DOE, JOHN", None, "+15550001111", 900.0, 0.04),
        ("Essex", "E-200", "OAK, OLIVE", None, None, 2100.0, 0.11),
        ("Morris", "M-300", "ROW, RITA", None, None, 1200.0, 0.05),
    )
]

AGREE_ALL = {"house_number": True, "street": True, "city": True, "zip": True}
OTHER_HOUSE = {"house_number": False, "street": True, "city": True, "zip": True}


def seed_county():
    mongodb.county_residential_collection().insert_many([dict(p) for p in PARCELS])
    mongodb.county_demographic_collection().insert_many([dict(h) for h in HOUSEHOLDS])


def candidate(parcel_id, score, agreement):
    parcel = next(p for p in PARCELS if p["parcel_id"] == parcel_id)
    return MatchCandidate(**parcel, score=score, agreement=agreement)


def person(contact_id, first, last, address, city, zip5, *, campaign="spring", match=None, **extra):
    fields = ParticipantFields(
        first_name=first, last_name=last, address=address, city=city, zip=zip5, zip5=zip5
    )
    participant = Participant(
        contact_id=contact_id,
        email_address=contact_id,
        fields=fields,
        engagements=[Engagement(campaign_id=campaign, opened=True, engaged_at=NOW)],
        search_text=search_text_for(
            fields=fields.to_mongo(), email_address=contact_id, phone_number=None
        ),
        match=match,
        **extra,
    )
    participant.save()
    return participant


def seed_queue():
    """Four queue items (three pending by score, one no_match) and two settled participants."""
    seed_county()
    jane_candidates = [candidate("E-100", 92.0, AGREE_ALL), candidate("E-101", 85.0, OTHER_HOUSE)]
    rita_candidates = [candidate("M-300", 80.0, AGREE_ALL), candidate("M-301", 78.0, OTHER_HOUSE)]
    dora_demographic = DemographicReference(county="Essex", parcel_id="E-101", linked_by="PARCEL")
    return {
        "jane": person(
            "jane@example.org", "Jane", "Smith", "12 North Main Street", "Springfield", "01104",
            match=MatchInfo(
                quality=MatchQuality.PENDING, score=92.0, reason="ambiguous",
                candidates=jane_candidates,
            ),
        ),
        "rita": person(
            "rita@example.org", "Rita", "Row", "7 Elm Avenue", "Morristown", "07960",
            campaign="autumn",
            match=MatchInfo(quality=MatchQuality.PENDING, score=80.0, candidates=rita_candidates),
        ),
        "olive": person(
            "olive@example.org", "Olive", "Oak", "502 Oak Road", "Springfield", "01104",
            match=MatchInfo(
                quality=MatchQuality.PENDING, score=60.0,
                candidates=[candidate("E-200", 60.0, OTHER_HOUSE)],
            ),
        ),
        "nomad": person(
            "nomad@example.org", "Nemo", "Nomad", "1 Nowhere Lane", "Elsewhere", "99999",
            match=MatchInfo(quality=MatchQuality.NO_MATCH, reason="no candidate in ZIP"),
        ),
        "exact": person(
            "done@example.org", "Dora", "Done", "14 N Main St", "Springfield", "01104",
            residence_ref=ResidenceReference(**PARCELS[1]),
            demographic_ref=dora_demographic,
            match=MatchInfo(quality=MatchQuality.EXACT, score=100.0),
        ),
        "settled": person(
            "settled@example.org", "Sam", "Settled", "3 Gone Way", "Springfield", "01104",
            match=MatchInfo(quality=MatchQuality.NO_MATCH, reviewed_by="earlier", version=1),
        ),
    }  # fmt: skip


def make_user(username, *, staff=True, reviewer=False, superuser=False):
    return users.make_user(
        username, staff=staff, groups=[REVIEWERS_GROUP] if reviewer else [], superuser=superuser
    )


def raw(participant):
    """The participant as stored in MongoDB."""
    return mongodb.collection_for(Participant).find_one({"_id": participant.id})
