"""Test data, built one way: documents in the shape the project stores them, with overrides.

Every function returns a plain dict (a raw document) and writes nothing; `insert_participants`
and `insert_county` store them, as a fixture would find them in the databases. Keyword
overrides replace whole top-level keys, so a test states only what it is about.
"""

import math
from datetime import UTC, datetime

from bson import ObjectId

from empowersave import mongodb
from matching.weights import DEFAULT_PARAMETERS
from participants import listing
from participants.documents import EngagementFlag, Participant
from participants.fields import normalize_zip
from participants.review_order import review_order
from participants.transform import engagement_totals, search_text_for

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def engagement(campaign_id, **flags):
    """One engagement with a campaign: the five flags off unless given (`engaged_at`,
    `source_id`… as given)."""
    extra = {key: value for key, value in flags.items() if key not in EngagementFlag.ALL}
    return {
        "campaign_id": campaign_id,
        **{flag: bool(flags.get(flag, False)) for flag in EngagementFlag.ALL},
        **extra,
    }


def participant_fields(
    *, first="Ann", last="Lee", address="1 Main St", city="Springfield", zip_raw=None, **extra
):
    """`fields` as the transform stores them (`zip5` next to the raw ZIP); None values left out."""
    fields = {"FirstName": first, "LastName": last, "Address": address, "City": city, **extra}
    if zip_raw is not None:
        fields["ZIP"] = zip_raw
        fields["zip5"] = normalize_zip(zip_raw)
    return {key: value for key, value in fields.items() if value is not None}


def participant_doc(contact_id="ann@example.org", *, engagements=(), fields=None, **overrides):
    """A stored participant: source fields consistent with each other (totals, search text).

    `fields` defaults to `participant_fields()`; `residence_ref`, `demographic_ref`, `match` and
    any other top-level key come as overrides (see `residence_ref`, `match` below).
    """
    engagements = list(engagements)
    fields = participant_fields() if fields is None else fields
    email = overrides.pop("email_address", contact_id if "@" in contact_id else None)
    phone = overrides.pop("phone_number", None)
    doc = {
        "_id": ObjectId(),
        "contact_id": contact_id,
        "email_address": email,
        "phone_number": phone,
        "status": "SUBSCRIBED",
        "fields": fields,
        "field_history": [],
        "engagements": engagements,
        "totals": engagement_totals(engagements),
        "synced_at": NOW,
        "search_text": search_text_for(fields=fields, email_address=email, phone_number=phone),
        **overrides,
    }
    return {key: value for key, value in doc.items() if value is not None}


def participant(
    contact_id,
    *,
    first="Ann",
    last="Lee",
    address="1 Main St",
    city="Springfield",
    zip_raw=None,
    engagements=(),
    quality=None,
    score=None,
    method=None,
    residence=None,
    demographic=None,
):
    """A stored participant in a few words: `residence` (county, parcel_id, address, zip) and
    `demographic` (county, parcel_id, kWh cost, burden) tuples, a match of `quality`."""
    overrides = {}
    if residence:
        county, parcel_id, parcel_address, parcel_zip = residence
        overrides["residence_ref"] = residence_ref(
            parcel(
                county=county,
                parcel_id=parcel_id,
                address=parcel_address,
                parcel_city=city,
                parcel_zip=parcel_zip,
            )
        )
    if demographic:
        county, parcel_id, kwh_cost, burden = demographic
        overrides["demographic_ref"] = demographic_ref(
            household(
                county=county,
                parcel_id=parcel_id,
                customer_name=f"{first or ''} {last or ''}".strip().upper(),
                annual_kwh_cost=kwh_cost,
                total_energy_burden=burden,
            )
        )
    if quality:
        overrides["match"] = match(quality, score=score, method=method, candidates=[])
    fields = participant_fields(first=first, last=last, address=address, city=city, zip_raw=zip_raw)
    return participant_doc(contact_id, fields=fields, engagements=engagements, **overrides)


def parcel(**overrides):
    """A `county_residential_data` document."""
    doc = {
        "county": "Essex",
        "parcel_id": "E-100",
        "address": "12 N MAIN ST",
        "parcel_city": "SPRINGFIELD",
        "parcel_zip": 1104,
    }
    return {**doc, **overrides}


def household(**overrides):
    """A `county_demographic_data` document."""
    doc = {
        "county": "Essex",
        "parcel_id": "E-100",
        "customer_name": "SMITH, JANE",
        "email": None,
        "mobile": None,
        "annual_kwh_cost": 1500.0,
        "total_energy_burden": 0.07,
    }
    return {**doc, **overrides}


def residence_ref(parcel_doc):
    """The `residence_ref` a participant linked to this parcel stores."""
    keys = ("county", "parcel_id", "address", "parcel_city", "parcel_zip")
    return {key: parcel_doc[key] for key in keys if parcel_doc.get(key) is not None}


def demographic_ref(household_doc, *, linked_by="PARCEL"):
    """The `demographic_ref` a participant linked to this household record stores."""
    keys = ("county", "parcel_id", "customer_name", "email", "mobile")
    keys += ("annual_kwh_cost", "total_energy_burden")
    ref = {key: household_doc[key] for key in keys if household_doc.get(key) is not None}
    return {**ref, "linked_by": linked_by}


def candidate(parcel_doc, *, score, agreement, contributions=None):
    """A `match.candidates` entry for a parcel, as matching stores it: `score` (the probability
    in percent), its probability and weight, and `contributions` whose fields are at the levels
    `agreement` says (house number, street, city, ZIP agreeing or not, weighed by the default
    parameters), the prior making up the rest of the weight."""
    probability = min(max(score / 100.0, 1e-6), 1 - 1e-6)
    weight = round(math.log2(probability / (1 - probability)), 2)
    if contributions is None:
        contributions = _contributions(agreement, weight)
    return {
        **residence_ref(parcel_doc),
        "score": score,
        "probability": round(probability, 6),
        "weight": weight,
        "agreement": agreement,
        "contributions": contributions,
    }


def _contributions(agreement, weight):
    table = DEFAULT_PARAMETERS.weights()
    street = "exact" if agreement.get("street") else "different"
    zip_level = "exact" if agreement.get("zip") else "different"
    fields = [
        (
            "house_number_same_street" if street == "exact" else "house_number",
            "exact" if agreement.get("house_number") else "different",
        ),
        ("street", street),
        ("city_same_zip" if zip_level == "exact" else "city",
         "exact" if agreement.get("city") else "different"),
        ("zip", zip_level),
    ]  # fmt: skip
    rows = [[column, level, round(table[column][level], 2)] for column, level in fields]
    prior = round(weight - sum(bits for _column, _level, bits in rows), 2)
    return [["prior", "", prior], *rows]


def match(quality, **overrides):
    """A stored `match`: version 1 unless given."""
    return {"quality": quality, "matched_at": NOW, "version": 1, **overrides}


def source_row(n, *, email, campaign="camp-a", fields=None, **overrides):
    """A row of the EmailOctopus source (`emailoctopus_db.participants`), `_id` from `n`."""
    doc = {
        "_id": ObjectId(f"{n:024x}"),
        "campaign_id": campaign,
        "contact_id": f"eo-{n}",
        "email_address": email,
        "engagement": {
            "opened": n % 2 == 0,
            "clicked": n % 4 == 0,
            "bounced": False,
            "complained": False,
            "unsubscribed": n % 5 == 0,
        },
        "fields": fields if fields is not None else {"FirstName": "Pat", "City": "Springfield"},
        "status": "SUBSCRIBED",
        "synced_at": datetime(2024, 1, 1 + n % 28, 9, 30),
    }
    return {**doc, **overrides}


def insert_participants(*docs):
    """Store participants as a fixture: straight into the collection (no rollups follow), each
    with the review queue's sort keys its match gives and its listing row and keys
    (participants.listing), as participants.services stores them; the listing is marked
    current (the lists ask its keys) unless the test stored participants without it before."""
    for doc in docs:
        doc.setdefault("_id", ObjectId())
        order = review_order(doc, doc.get("match"))
        if order is not None and "review_order" not in doc:
            doc["review_order"] = order
    participants = mongodb.collection_for(Participant)
    first = participants.estimated_document_count() == 0
    participants.insert_many(docs)
    listing.write([None] * len(docs), docs)
    if first:
        listing.mark_current()
    return list(docs)


def insert_county(*, parcels=(), households=()):
    if parcels:
        mongodb.county_residential_collection().insert_many([dict(doc) for doc in parcels])
    if households:
        mongodb.county_demographic_collection().insert_many([dict(doc) for doc in households])
