"""A small participants fixture with known dashboard figures (raw documents as stored)."""

from datetime import UTC, datetime

from bson import ObjectId
from mongoengine.connection import get_db

from matching.normalize import normalize_zip
from participants.documents import EngagementFlag
from participants.transform import engagement_totals, search_text_for

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def engagement(campaign_id, **flags):
    return {
        "campaign_id": campaign_id,
        "source_id": ObjectId(),
        **{flag: flags.get(flag, False) for flag in EngagementFlag.ALL},
    }


def participant(
    contact_id,
    *,
    first="Ann",
    last="Lee",
    zip_raw=None,
    engagements=(),
    quality=None,
    score=None,
    method=None,
    residence=None,
    demographic=None,
    address="1 Main St",
    city="Springfield",
):
    """One raw participant document; `residence` / `demographic` are (county, parcel_id, ...)."""
    engagements = list(engagements)
    fields = {"FirstName": first, "LastName": last, "Address": address, "City": city}
    if zip_raw is not None:
        fields["ZIP"] = zip_raw
        fields["zip5"] = normalize_zip(zip_raw)
    doc = {
        "_id": ObjectId(),
        "contact_id": contact_id,
        "email_address": contact_id,
        "status": "SUBSCRIBED",
        "fields": fields,
        "field_history": [],
        "engagements": engagements,
        "totals": engagement_totals(engagements),
        "synced_at": NOW,
        "search_text": search_text_for(fields=fields, email_address=contact_id, phone_number=None),
    }
    if residence:
        county, parcel_id, parcel_address, parcel_zip = residence
        doc["residence_ref"] = {
            "county": county,
            "parcel_id": parcel_id,
            "address": parcel_address,
            "parcel_city": city,
            "parcel_zip": parcel_zip,
        }
    if demographic:
        county, parcel_id, kwh_cost, burden = demographic
        doc["demographic_ref"] = {
            "county": county,
            "parcel_id": parcel_id,
            "customer_name": f"{first} {last}".upper(),
            "annual_kwh_cost": kwh_cost,
            "total_energy_burden": burden,
            "linked_by": "PARCEL",
        }
    if quality:
        doc["match"] = {
            "quality": quality,
            "score": score,
            "method": method,
            "matched_at": NOW,
            "version": 1,
            "candidates": [],
        }
    return doc


def fixture_participants():
    """Five people, two campaigns (C1, C2), two counties; figures asserted in the tests."""
    return [
        participant(
            "ann@example.org",
            first="Ann",
            last="Lee",
            zip_raw="2134",
            engagements=[
                engagement("C1", opened=True, clicked=True),
                engagement("C2", opened=True),
            ],
            quality="exact",
            score=100.0,
            method="house_number+street+zip",
            residence=("Suffolk", "S-001", "1 MAIN ST", 2134),
            demographic=("Suffolk", "S-001", 1200.0, 4.0),
            address="1 Main St",
        ),
        participant(
            "bob@example.org",
            first="Bob",
            last="Ray",
            zip_raw="02134-1111",
            engagements=[engagement("C1", opened=True, bounced=True)],
            quality="fuzzy",
            score=88.5,
            method="street+zip",
            residence=("Suffolk", "S-002", "9 ELM ST", 2134),
            address="9 Elm Street",
        ),
        participant(
            "cy@example.org",
            first="Cy",
            last="Fox",
            zip_raw="01002",
            engagements=[engagement("C1", unsubscribed=True, complained=True)],
            quality="manual",
            score=None,
            method="manual",
            residence=("Hampshire", "H-001", "5 OAK AVE", 1002),
            demographic=("Hampshire", "H-001", 2400.0, 12.5),
            address="5 Oak Ave",
            city="Amherst",
        ),
        participant(
            "dee@example.org",
            first="Dee",
            last="<script>alert(1)</script>",
            zip_raw="01002",
            engagements=[engagement("C2", opened=True, clicked=True)],
            quality="no_match",
            address="77 Nowhere Rd",
            city="Amherst",
        ),
        participant(
            "eve@example.org",
            first="Eve",
            last="Kim",
            engagements=[engagement("C2")],
            address="3 Pine Ct",
        ),
    ]


def insert(docs):
    get_db("default")["participants"].insert_many(docs)
    return docs
