"""Re-running `migrate_participants` after `sync_emailoctopus` keeps what the sync did."""

from datetime import UTC, datetime

import pytest
from bson import ObjectId
from mongoengine.connection import get_db

from dashboard.rollups import refresh_rollups
from dashboard.selectors import rollup_snapshot
from emailoctopus.sync import sync_emailoctopus
from empowersave import mongodb
from migration.run import MigrationOptions, run_migration
from migration.write import ADDRESS_CHANGED
from tests.emailoctopus.fake_emailoctopus import BEN, CAMPAIGN_1, CAMPAIGN_2, client_for
from tests.factories import source_row

NOW = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
NO_FLAGS = {"opened": False, "clicked": False, "bounced": False, "unsubscribed": False}


def sync(api):
    return sync_emailoctopus(client=client_for(api), now=NOW)


def migrate(**options):
    options.setdefault("skip_matching", True)
    return run_migration(now=NOW, options=MigrationOptions(progress=False, **options))


def row(n, *, email, campaign, synced_at, fields, eo_contact_id=None, engagement=None):
    return source_row(
        n,
        email=email,
        campaign=campaign,
        fields=fields,
        contact_id=eo_contact_id,
        engagement=engagement or NO_FLAGS,
        synced_at=synced_at,
    )


def participants(*, with_match=False):
    projection = {"_id": 0} if with_match else {"_id": 0, "match": 0}
    return {
        doc["contact_id"]: doc for doc in get_db("default")["participants"].find({}, projection)
    }


def engagement(doc, campaign_id):
    (found,) = [e for e in doc["engagements"] if e["campaign_id"] == campaign_id]
    return found


@pytest.fixture
def legacy_source():
    """Ana and Ben as the old app left them: campaign 1 sent, no events recorded yet.

    Ana's campaign-1 row has no EmailOctopus contact id, so the sync adopts it; Ben's has his.
    """
    mongodb.source_collection().insert_many(
        [
            row(
                1,
                email="ana.lopez@example.com",
                campaign="legacy-1",
                synced_at=datetime(2024, 11, 1, 9, 0),
                fields={"FirstName": "Ana", "Address": "12 Main St", "City": "Ludlow"},
            ),
            row(
                2,
                email="ana.lopez@example.com",
                campaign=CAMPAIGN_1,
                synced_at=datetime(2025, 3, 1, 16, 0),
                fields={"FirstName": "Ana", "Address": "12 Main St", "City": "Springfield"},
            ),
            row(
                3,
                email="ben.okafor@example.com",
                campaign=CAMPAIGN_1,
                eo_contact_id=BEN,
                synced_at=datetime(2025, 3, 1, 16, 0),
                fields={"FirstName": "Benjamin", "City": "Springfield", "ZIP": "01104"},
            ),
        ]
    )


def test_a_rerun_after_the_sync_keeps_its_flags_contact_ids_and_newer_fields(legacy_source, api):
    migrate()
    sync(api)
    synced = participants()
    ana, ben = synced["ana.lopez@example.com"], synced["ben.okafor@example.com"]
    # What the sync did, and a re-run must keep:
    assert engagement(ana, CAMPAIGN_1)["eo_contact_id"].endswith("a1")  # adopted
    assert engagement(ana, CAMPAIGN_1)["opened"] and engagement(ana, CAMPAIGN_1)["clicked"]
    assert ana["fields"]["Address"] == "12 Main Street"  # list B's contact, updated in May
    assert engagement(ben, CAMPAIGN_1)["unsubscribed"]
    assert engagement(ben, CAMPAIGN_1)["engaged_at"] == datetime(2025, 3, 2, 9, 30)

    report = migrate()

    assert participants() == synced
    assert report["validation"]["ok"] is True
    counts = report["validation"]["checks"]["campaign_counts_match"]
    assert counts["source"][CAMPAIGN_1]["opened"] == 0
    assert counts["turned_on_since"][CAMPAIGN_1] == {
        "sent": 0,
        "opened": 1,
        "clicked": 1,
        "bounced": 0,
        "complained": 0,
        "unsubscribed": 1,
    }
    assert report["written"]["matches_reset"] == 0
    # The source's own values lost to newer ones and stay in the history.
    ana_after = participants()["ana.lopez@example.com"]
    assert {(h["field"], h["value"]) for h in ana_after["field_history"]} >= {
        ("City", "Ludlow"),
        ("Address", "12 Main St"),
    }
    # The sync's participants who have no source rows are left alone; so is the dashboard.
    assert sorted(participants()) == sorted(synced)
    incremental = rollup_snapshot()
    refresh_rollups(now=NOW)
    assert rollup_snapshot() == incremental
    assert incremental[f"campaign:{CAMPAIGN_1}"]["opened"] == 2

    again = migrate()
    assert again["written"]["participants"] == {"inserted": 0, "updated": 0, "unchanged": 2}


def test_a_source_row_newer_than_the_sync_still_wins(legacy_source, api):
    migrate()
    sync(api)
    mongodb.source_collection().insert_one(
        row(
            4,
            email="ana.lopez@example.com",
            campaign="legacy-2",
            synced_at=datetime(2025, 6, 5, 9, 0),
            fields={"Address": "14 Main St"},
        )
    )

    report = migrate()

    ana = participants()["ana.lopez@example.com"]
    assert ana["fields"]["Address"] == "14 Main St"
    assert {"12 Main Street", "12 Main St"} <= {
        h["value"] for h in ana["field_history"] if h["field"] == "Address"
    }
    assert ana["fields"]["kWh"] == "13,100"  # only the sync brought a kWh: it stays
    assert ana["fields"]["HouseholdSize"] == 3
    assert engagement(ana, CAMPAIGN_1)["clicked"]  # flags still kept
    assert len(ana["engagements"]) == 4  # legacy-1, campaign 1 (adopted), campaign 2, legacy-2
    assert ana["totals"]["sent"] == 4
    assert report["validation"]["ok"] is True


def test_a_sync_before_the_first_migration_is_not_doubled(legacy_source, api):
    sync(api)
    synced = participants()

    report = migrate()

    ana = participants()["ana.lopez@example.com"]
    assert [e["campaign_id"] for e in ana["engagements"]] == ["legacy-1", CAMPAIGN_1, CAMPAIGN_2]
    first = engagement(ana, CAMPAIGN_1)  # the row's engagement took in the sync's one
    assert first["source_id"] == ObjectId(f"{2:024x}")
    assert first["eo_contact_id"].endswith("a1") and first["opened"] and first["clicked"]
    assert ana["totals"]["sent"] == 3 and ana["totals"]["clicked"] == 1
    assert ana["fields"]["Address"] == "12 Main Street"  # the sync's values are newer
    ben = participants()["ben.okafor@example.com"]
    assert len(ben["engagements"]) == 1 and engagement(ben, CAMPAIGN_1)["unsubscribed"]
    assert ben["status"] == synced["ben.okafor@example.com"]["status"] == "UNSUBSCRIBED"
    assert report["written"]["participants"] == {"inserted": 0, "updated": 2, "unchanged": 0}
    assert report["validation"]["ok"] is True
    assert migrate()["written"]["participants"]["updated"] == 0


def test_a_dry_run_after_the_sync_validates_and_would_write_nothing(legacy_source, api):
    migrate()
    sync(api)
    before = participants(with_match=True)

    report = migrate(dry_run=True)

    assert report["validation"]["ok"] is True
    assert report["written"]["participants"] == {"inserted": 0, "updated": 0, "unchanged": 2}
    assert participants(with_match=True) == before


def test_a_changed_address_is_rematched_in_the_same_run_unless_staff_decided():
    old_address = {"Address": "5 Old Rd", "City": "Amherst", "ZIP": "01002"}
    people = ("moved", "manual", "reviewed", "stayed")
    mongodb.source_collection().insert_many(
        [
            row(
                n,
                email=f"{name}@example.com",
                campaign="legacy-1",
                synced_at=datetime(2024, 5, 1),
                fields=old_address,
            )
            for n, name in enumerate(people, 1)
        ]
    )
    migrate()
    collection = get_db("default")["participants"]
    residence = {"county": "Hampshire", "parcel_id": "P-5"}
    decided = {
        "moved": {"quality": "exact", "version": 2},
        "manual": {"quality": "manual", "version": 3},
        "reviewed": {"quality": "no_match", "reviewed_by": "rita", "version": 4},
        "stayed": {"quality": "exact", "version": 2},
    }
    for name, match in decided.items():
        collection.update_one(
            {"contact_id": f"{name}@example.com"},
            {"$set": {"match": match, "residence_ref": residence}},
        )
    mongodb.source_collection().insert_many(
        [
            row(
                10 + n,
                email=f"{name}@example.com",
                campaign="legacy-2",
                synced_at=datetime(2025, 1, 1),
                fields={**old_address, "Address": "9 New St"} if name != "stayed" else {},
            )
            for n, name in enumerate(people, 1)
        ]
    )

    report = migrate(skip_matching=False)  # the county data is empty: nothing can match

    assert report["written"]["matches_reset"] == 1
    after = {doc["contact_id"].split("@")[0]: doc for doc in collection.find()}
    moved = after["moved"]
    assert moved["fields"]["Address"] == "9 New St"
    assert moved["match"]["matched_at"] == NOW.replace(tzinfo=None)  # matched again, this run
    assert moved["match"]["quality"] == "no_match"
    # Matched again in the same write as the new address: one step up from the stored version,
    # so a review page opened before this run is refused.
    assert moved["match"]["version"] == 3
    assert "residence_ref" not in moved  # the old address's parcel is gone
    for name in ("manual", "reviewed"):
        assert after[name]["fields"]["Address"] == "9 New St"
        assert after[name]["match"] == decided[name]
        assert after[name]["residence_ref"] == residence
    assert after["stayed"]["match"] == decided["stayed"]
    assert after["stayed"]["residence_ref"] == residence


def test_with_matching_skipped_the_reset_waits_for_the_next_matching(legacy_source):
    migrate()
    collection = get_db("default")["participants"]
    collection.update_one(
        {"contact_id": "ben.okafor@example.com"},
        {"$set": {"match": {"quality": "fuzzy", "version": 1, "candidates": []}}},
    )
    mongodb.source_collection().insert_one(
        row(
            5,
            email="ben.okafor@example.com",
            campaign="legacy-2",
            synced_at=datetime(2025, 4, 1),
            fields={"ZIP": "01105"},
        )
    )

    migrate()

    ben = collection.find_one({"contact_id": "ben.okafor@example.com"})
    assert ben["match"] == {"quality": "pending", "reason": ADDRESS_CHANGED, "version": 2}
    assert ben["fields"]["zip5"] == "01105"


def test_source_rows_with_ids_of_any_type_keep_their_history_through_the_sync(api):
    """A string or document `_id` stays on its history entries when the sync merges the person
    (it used to keep ObjectIds only, so the migration and the sync rewrote each other)."""
    rows = [
        row(1, email="ana.lopez@example.com", campaign="legacy-1",
            synced_at=datetime(2024, 11, 1, 9, 0), fields={"City": "Ludlow"}),
        row(2, email="ana.lopez@example.com", campaign=CAMPAIGN_1,
            synced_at=datetime(2025, 3, 1, 16, 0), fields={"City": "Springfield"}),
    ]  # fmt: skip
    rows[0]["_id"], rows[1]["_id"] = "legacy-row-1", {"export": 7, "row": 2}
    mongodb.source_collection().insert_many(rows)
    migrate()
    sync(api)
    history = participants()["ana.lopez@example.com"]["field_history"]
    assert {"legacy-row-1"} <= {h.get("source_id") for h in history if h["field"] == "City"}
    migrate()
    again = migrate()
    assert again["written"]["participants"]["updated"] == 0
