"""Small county data and a review queue shared by the review tests (not a test module)."""

import datetime as dt

from empowersave import mongodb
from participants import selectors as participant_selectors
from participants.documents import MatchQuality, Participant
from review.models import REVIEWERS_GROUP
from tests import factories, users
from tests.factories import (
    demographic_ref,
    engagement,
    household,
    insert_county,
    insert_participants,
    match,
    parcel,
    participant_doc,
    participant_fields,
    residence_ref,
)

NOW = dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC)

PARCELS = [
    parcel(parcel_id="E-100", address="12 N MAIN ST"),
    parcel(parcel_id="E-101", address="14 N MAIN ST"),
    parcel(parcel_id="E-200", address="500 OAK RD"),
    parcel(county="Morris", parcel_id="M-300", address="7 ELM AVE", parcel_city="MORRISTOWN",
           parcel_zip=7960),
    parcel(county="Morris", parcel_id="M-301", address="9 ELM AVE", parcel_city="MORRISTOWN",
           parcel_zip=7960),
]  # fmt: skip
HOUSEHOLDS = [
    household(parcel_id="E-100", customer_name="SMITH, JANE", email="jane@example.org"),
    household(parcel_id="E-101", customer_name="DOE, JOHN", mobile="+15550001111",
              annual_kwh_cost=900.0, total_energy_burden=0.04),
    household(parcel_id="E-200", customer_name="OAK, OLIVE", annual_kwh_cost=2100.0,
              total_energy_burden=0.11),
    household(county="Morris", parcel_id="M-300", customer_name="ROW, RITA",
              annual_kwh_cost=1200.0, total_energy_burden=0.05),
]  # fmt: skip

AGREE_ALL = {"house_number": True, "street": True, "city": True, "zip": True}
OTHER_HOUSE = {"house_number": False, "street": True, "city": True, "zip": True}


def seed_county():
    insert_county(parcels=PARCELS, households=HOUSEHOLDS)


def candidate(parcel_id, score, agreement):
    return factories.candidate(
        next(p for p in PARCELS if p["parcel_id"] == parcel_id), score=score, agreement=agreement
    )


def gap(candidates):
    """The weight gap matching stores: the best candidate's weight minus the runner-up's."""
    return round(candidates[0]["weight"] - candidates[1]["weight"], 2)


def queued(quality, **fields):
    """The match of a participant matching left for review (never decided: version 0)."""
    return match(quality, version=0, **fields)


def person(contact_id, first, last, address, city, zip5, *, campaign="spring", **overrides):
    """A stored participant (the `match` and references as raw dicts), loaded as MongoEngine
    loads it."""
    doc = participant_doc(
        contact_id,
        fields=participant_fields(first=first, last=last, address=address, city=city, zip_raw=zip5),
        engagements=[engagement(campaign, opened=True, engaged_at=NOW)],
        **overrides,
    )
    insert_participants(doc)
    return Participant.objects.get(id=doc["_id"])


def seed_queue():
    """Four queue items (three pending by score, one no_match) and two settled participants."""
    seed_county()
    mongodb.source_campaigns_collection().insert_many(
        [
            {"_id": "spring", "name": "Spring appeal 2026"},
            {"_id": "autumn", "name": "Autumn check-in"},
        ]
    )
    jane_candidates = [candidate("E-100", 92.0, AGREE_ALL), candidate("E-101", 85.0, OTHER_HOUSE)]
    # Jane's two candidates are a bit apart (ambiguous); Rita's best leads clearly.
    rita_candidates = [candidate("M-300", 80.0, AGREE_ALL), candidate("M-301", 5.0, OTHER_HOUSE)]
    dora_demographic = demographic_ref({"county": "Essex", "parcel_id": "E-101"})
    return {
        "jane": person(
            "jane@example.org", "Jane", "Smith", "12 North Main Street", "Springfield", "01104",
            match=queued(
                MatchQuality.PENDING, score=92.0, reason="ambiguous", candidates=jane_candidates,
                weight_gap=gap(jane_candidates),
            ),
        ),
        "rita": person(
            "rita@example.org", "Rita", "Row", "7 Elm Avenue", "Morristown", "07960",
            campaign="autumn",
            match=queued(MatchQuality.PENDING, score=80.0, candidates=rita_candidates,
                         weight_gap=gap(rita_candidates)),
        ),
        "olive": person(
            "olive@example.org", "Olive", "Oak", "502 Oak Road", "Springfield", "01104",
            match=queued(
                MatchQuality.PENDING, score=60.0,
                candidates=[candidate("E-200", 60.0, OTHER_HOUSE)],
            ),
        ),
        "nomad": person(
            "nomad@example.org", "Nemo", "Nomad", "1 Nowhere Lane", "Elsewhere", "99999",
            match=queued(MatchQuality.NO_MATCH, reason="no candidate in ZIP"),
        ),
        "exact": person(
            "done@example.org", "Dora", "Done", "14 N Main St", "Springfield", "01104",
            residence_ref=residence_ref(PARCELS[1]),
            demographic_ref=dora_demographic,
            match=queued(MatchQuality.EXACT, score=100.0),
        ),
        "settled": person(
            "settled@example.org", "Sam", "Settled", "3 Gone Way", "Springfield", "01104",
            match=match(MatchQuality.NO_MATCH, reviewed_by="earlier", version=1),
        ),
    }  # fmt: skip


def make_user(username, *, staff=True, reviewer=False, superuser=False):
    return users.make_user(
        username, staff=staff, groups=[REVIEWERS_GROUP] if reviewer else [], superuser=superuser
    )


def raw(participant):
    """The participant as stored in MongoDB."""
    return participant_selectors.participant_document(participant_id=participant.id)
