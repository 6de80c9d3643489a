"""The demo seeder: scale, noise, malformed rows, the leading-zero county and the ground truth."""

import io
import re
from collections import defaultdict
from datetime import UTC, datetime
from random import Random

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from mongoengine.connection import get_db

from demo import generator as demo_data
from empowersave import mongodb
from matching.index import COUNTY_KEY
from participants.fields import normalize_zip
from participants.identity import contact_id_for, normalize_email, normalize_phone

NOW = datetime(2025, 11, 1, 12, 0, tzinfo=UTC)
SMALL = 1_500


@pytest.fixture(scope="module")
def generated():
    return demo_data.generate(participants=SMALL, seed=7, now=NOW)


def _county_db():
    return get_db(mongodb.COUNTY_ALIAS)


def test_seed_writes_exactly_the_requested_source_documents():
    summary = demo_data.seed(participants=SMALL, seed=3, now=NOW)

    assert mongodb.source_collection().count_documents({}) == SMALL
    assert summary["source_documents"] == SMALL
    assert len(mongodb.source_collection().distinct("_id")) == SMALL
    parcels = sum(summary["parcels"].values())
    assert mongodb.county_residential_collection().count_documents({}) == parcels
    assert mongodb.source_campaigns_collection().count_documents({}) == summary["campaigns"]


def test_seed_gives_the_county_collections_the_key_reviewers_read_them_by():
    # As a load of county data would, so that the first migration's reads wait for no index build.
    demo_data.seed(participants=200, seed=3, now=NOW)

    for collection in (
        mongodb.county_residential_collection(),
        mongodb.county_demographic_collection(),
    ):
        keys = [list(index["key"].items()) for index in collection.list_indexes()]
        assert COUNTY_KEY in keys


def test_twelve_to_fifteen_named_campaigns_and_people_in_several(generated):
    campaigns = generated["campaigns"]
    assert 12 <= len(campaigns) <= 15
    assert all(c["name"] and re.fullmatch(r"[0-9a-f-]{36}", c["_id"]) for c in campaigns)
    campaigns_of = defaultdict(set)
    for doc in generated["source"]:
        email = normalize_email(doc.get("email_address"))
        if email:
            campaigns_of[email].add(doc["campaign_id"])
    sizes = [len(ids) for ids in campaigns_of.values()]
    assert max(sizes) >= 5 and sum(sizes) / len(sizes) > 2


def test_every_noise_kind_appears_in_a_small_demo(generated):
    noise = generated["summary"]["noise"]
    assert [kind for kind in demo_data.Noise.ALL if not noise[kind]] == []

    fields = [doc["fields"] for doc in generated["source"] if isinstance(doc["fields"], dict)]
    addresses = [f.get("Address", "") for f in fields]
    zips = [f.get("ZIP", "") for f in fields]
    assert any(re.search(r"(Apt|#|Unit|Ste)\.? ?\w+$", a, re.I) for a in addresses)
    assert any(re.search(r", [A-Z][a-z]+.*, (OH|NJ|AZ) \d{5}$", a) for a in addresses)
    assert any(re.search(r"\b(North|South|East|West)\b", a, re.I) for a in addresses)
    ordinals = "|".join(word for _abbr, word in demo_data.ORDINALS)
    assert any(re.search(rf"\b({ordinals})\b", a, re.I) for a in addresses)
    assert any(re.search(r"\bStreet\b|\bAvenue\b", a, re.I) for a in addresses)
    assert any(a != a.strip() or "  " in a for a in addresses)
    assert any(re.fullmatch(r"\d{5}-\d{4}", z) for z in zips)
    assert any(re.fullmatch(r"[1-9]\d{3}", z) for z in zips)  # 07102 → "7102"
    assert "" in zips
    assert any(f.get("kWh") in ("n/a", "N/A", "-", "unknown") for f in fields)
    assert any(isinstance(f.get("kWh"), int) for f in fields)
    assert any(str(f.get("annualcost", "")).startswith("$") for f in fields)
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+", str(f.get("kWh", ""))) for f in fields)
    assert any("Phone" in f for f in fields)
    known = {"FirstName", "LastName", "City", "ZIP", "Address", "kWh", "annualcost"}
    known |= {"AnnualSavings", "Phone"}
    assert any(set(f) - known for f in fields)
    emails = [d.get("email_address") or "" for d in generated["source"]]
    assert any(e.strip() and e != e.strip().lower() for e in emails)


def test_engagement_is_plausible(generated):
    engagements = [d["engagement"] for d in generated["source"] if "engagement" in d]
    assert all(e["opened"] for e in engagements if e["clicked"])
    assert not any(e["opened"] for e in engagements if e["bounced"])
    opened = sum(e["opened"] for e in engagements) / len(engagements)
    clicked = sum(e["clicked"] for e in engagements) / len(engagements)
    assert 0.1 < opened < 0.6
    assert 0.01 < clicked < opened
    statuses = {d["status"] for d in generated["source"]}
    assert {"SUBSCRIBED", "UNSUBSCRIBED"} <= statuses


def test_malformed_rows_of_each_kind(generated):
    source = generated["source"]

    def has_contact(doc):
        phone = doc["fields"].get("Phone") if isinstance(doc.get("fields"), dict) else None
        return contact_id_for(email=doc.get("email_address"), phone=phone) is not None

    not_dict = [d for d in source if not isinstance(d.get("fields"), dict)]
    no_engagement = [d for d in source if "engagement" not in d]
    no_contact = [
        d for d in source if not has_contact(d) and not (d.get("email_address") or "").strip()
    ]
    invalid = [d for d in source if not has_contact(d) and (d.get("email_address") or "").strip()]

    assert not_dict and no_engagement and no_contact and invalid
    assert generated["summary"]["malformed"] == {
        "no_contact": len(no_contact),
        "invalid_email": len(invalid),
        "fields_not_dict": len(not_dict),
        "missing_engagement": len(no_engagement),
    }


def test_phone_only_people_carry_their_phone_on_every_row(generated):
    phone_rows = [
        d
        for d in generated["source"]
        if isinstance(d["fields"], dict) and not normalize_email(d.get("email_address"))
        if d["fields"].get("Phone")
    ]
    assert phone_rows
    truth = {t["contact_id"] for t in generated["ground_truth"]}
    for doc in phone_rows:
        key = contact_id_for(email=None, phone=doc["fields"]["Phone"])
        assert key.startswith("+1") and key in truth


def test_one_county_loses_leading_zeros_in_parcel_zip(generated):
    residential = generated["residential"]
    essex = [p for p in residential if p["county"] == "Essex"]
    assert essex and all(isinstance(p["parcel_zip"], int) for p in residential)
    assert all(p["parcel_zip"] < 10_000 for p in essex)
    assert all(normalize_zip(p["parcel_zip"]).startswith("07") for p in essex)
    assert all(p["parcel_zip"] >= 10_000 for p in residential if p["county"] != "Essex")


def test_county_data_is_in_clean_county_style(generated):
    residential = generated["residential"]
    assert {p["county"] for p in residential} == {"Franklin", "Essex", "Maricopa"}
    assert all(p["address"] == p["address"].upper().strip() for p in residential)
    assert all(re.fullmatch(r"\d+ [A-Z0-9 ]+", p["address"]) for p in residential)
    ids = {(p["county"], p["parcel_id"]) for p in residential}
    assert len(ids) == len(residential)
    formats = {
        "Franklin": r"\d{3}-\d{6}-00",
        "Essex": r"\d{2}-\d{5}-\d{4}",
        "Maricopa": r"\d{3}-\d{2}-\d{3}[A-D]?",
    }
    assert all(re.fullmatch(formats[p["county"]], p["parcel_id"]) for p in residential)
    cities = {(p["county"], p["parcel_city"]) for p in residential}
    assert all(sum(1 for c in cities if c[0] == county) >= 5 for county in formats)


def test_household_records_cover_most_parcels_and_some_share_the_contact(generated):
    residential, demographic = generated["residential"], generated["demographic"]
    assert 0.7 <= len(demographic) / len(residential) <= 0.82
    record = demographic[0]
    assert isinstance(record["annual_kwh_cost"], float)
    assert isinstance(record["total_energy_burden"], float)
    assert {"county", "parcel_id", "customer_name", "email", "mobile"} <= set(record)
    names = [d["customer_name"] for d in demographic]
    assert any(re.fullmatch(r"[A-Z' .]+, [A-Z]+( [A-Z])?", n) for n in names)
    assert any(re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-zA-Z' .]+", n) for n in names)
    truth = {t["contact_id"] for t in generated["ground_truth"]}
    assert any(normalize_email(d["email"]) in truth for d in demographic if d["email"])
    phones = {
        normalize_phone(d["fields"].get("Phone"))
        for d in generated["source"]
        if isinstance(d["fields"], dict)
    }
    assert any(normalize_phone(d["mobile"]) in phones for d in demographic if d["mobile"])


def test_ground_truth_agrees_with_the_data(generated):
    truth = generated["ground_truth"]
    parcels = {(p["county"], p["parcel_id"]) for p in generated["residential"]}
    households = {(d["county"], d["parcel_id"]) for d in generated["demographic"]}

    keys = [t["contact_id"] for t in truth]
    assert all(keys) and len(set(keys)) == len(keys)
    for entry in truth:
        if entry["parcel_id"]:
            assert (entry["county"], entry["parcel_id"]) in parcels
            assert entry["residence"] == demo_data.Residence.PARCEL
        if entry["demographic_parcel_id"]:
            assert entry["demographic_parcel_id"] == entry["parcel_id"]
            assert (entry["county"], entry["demographic_parcel_id"]) in households
        elif entry["parcel_id"]:
            assert (entry["county"], entry["parcel_id"]) not in households

    # Every source row that names a person maps to exactly one ground-truth key.
    row_keys = set()
    for doc in generated["source"]:
        fields = doc["fields"] if isinstance(doc["fields"], dict) else {}
        key = contact_id_for(email=doc.get("email_address"), phone=fields.get("Phone"))
        if key:
            row_keys.add(key)
    assert set(keys) <= row_keys
    assert len(row_keys - set(keys)) == 0

    residence = generated["summary"]["residence"]
    at_parcel = residence[demo_data.Residence.PARCEL] / len(truth)
    assert 0.8 <= at_parcel <= 0.92
    assert residence[demo_data.Residence.NEAR_MISS] and residence[demo_data.Residence.OUTSIDE]


def test_near_misses_are_on_known_streets_at_numbers_with_no_parcel():
    rng = Random(11)
    parcels = demo_data.build_parcels(rng, 2_000)
    people = demo_data.build_people(
        rng, parcels=parcels, count=800, identities=demo_data._Identities(rng)
    )
    with_parcel = {(p.county, p.city, p.street.name, p.number) for p in parcels}
    streets = {(p.county, p.city, p.street.name) for p in parcels}
    near = [p for p in people if p.residence == demo_data.Residence.NEAR_MISS]
    assert near
    for person in near:
        number, _predir, name, _suffix, city, _zip, _state = person.address
        assert (person.county, city, name) in streets
        assert (person.county, city, name, number) not in with_parcel
    outside_cities = {city.upper() for spec in demo_data.COUNTIES for city, _zip in spec["outside"]}
    outside = [p for p in people if p.residence == demo_data.Residence.OUTSIDE]
    assert outside and all(p.address[4] in outside_cities for p in outside)


def test_same_seed_same_data_other_seed_other_data():
    first = demo_data.generate(participants=600, seed=5, now=NOW)
    again = demo_data.generate(participants=600, seed=5, now=NOW)
    other = demo_data.generate(participants=600, seed=6, now=NOW)

    for name in ("source", "campaigns", "residential", "demographic", "ground_truth"):
        assert first[name] == again[name]
    assert first["source"] != other["source"]


def test_reseeding_replaces_the_demo_instead_of_adding_to_it():
    demo_data.seed(participants=900, seed=1, now=NOW)
    summary = demo_data.seed(participants=700, seed=2, now=NOW)

    county_db = _county_db()
    assert mongodb.source_collection().count_documents({}) == 700
    assert mongodb.ground_truth_collection().count_documents({}) == summary["ground_truth"]
    assert (
        county_db[settings.COUNTY_DEMOGRAPHIC_COLLECTION].count_documents({})
        == summary["demographic_records"]
    )


def test_too_small_a_demo_is_refused():
    with pytest.raises(ValueError, match="at least"):
        demo_data.generate(participants=20, seed=1, now=NOW)


def test_command_seeds_and_prints_the_summary():
    out = io.StringIO()
    call_command(
        "seed_demo_data",
        participants=400,
        seed=9,
        parcels=900,
        stdout=out,
    )

    assert mongodb.source_collection().count_documents({}) == 400
    assert mongodb.county_residential_collection().count_documents({}) == 900
    assert "source_documents: 400" in out.getvalue()
    assert '"zip_lost_zero": ' in out.getvalue()
    assert "Seeded 400 source documents" in out.getvalue()


def test_command_refuses_a_real_mongodb_unless_allowed(settings):
    demo_data.seed(participants=200, seed=1, now=NOW)
    settings.MONGODB_URI = "mongodb://db.example.org:27017"
    settings.ON_LOCAL_STORE = False

    with pytest.raises(CommandError, match="--allow-real-mongodb"):
        call_command("seed_demo_data", participants=400, stdout=io.StringIO())

    assert mongodb.source_collection().count_documents({}) == 200


@pytest.mark.parametrize(
    "collection",
    [
        mongodb.source_collection,
        mongodb.county_residential_collection,
        mongodb.county_demographic_collection,
    ],
)
def test_seeding_never_drops_data_it_did_not_write(collection):
    collection().insert_many([{"mine": 1}, {"mine": 2}])

    with pytest.raises(CommandError, match="did not write"):
        call_command("seed_demo_data", participants=400, stdout=io.StringIO())

    assert sorted(doc["mine"] for doc in collection().find()) == [1, 2]
    assert mongodb.source_collection().count_documents({"campaign_id": {"$exists": True}}) == 0


def test_seeding_refuses_a_seeded_collection_that_someone_added_to():
    demo_data.seed(participants=200, seed=1, now=NOW)
    mongodb.source_collection().insert_one({"added": "by hand"})

    with pytest.raises(CommandError, match="did not write"):
        call_command("seed_demo_data", participants=400, stdout=io.StringIO())

    assert mongodb.source_collection().count_documents({}) == 201
