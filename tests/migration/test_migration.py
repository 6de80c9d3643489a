import gzip
import hashlib
import json
from datetime import UTC, datetime
from io import StringIO

import bson
import pytest
from bson import json_util
from django.core.management import call_command
from django.core.management.base import CommandError
from mongoengine.connection import get_db

from dashboard.rollups import refresh_rollups
from dashboard.selectors import rollup_snapshot
from empowersave import mongodb
from migration.run import MigrationOptions, run_migration
from participants import transform
from participants.documents import Participant, QuarantinedDocument
from tests.factories import source_row
from tests.store_faults import Killed

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def broken_docs():
    """One source row per quarantine reason."""
    no_engagement = source_row(91, email="x91@example.com")
    del no_engagement["engagement"]
    return [
        source_row(90, email="x90@example.com", campaign=None),
        no_engagement,
        source_row(92, email="x92@example.com", engagement={"opened": "perhaps"}),
        source_row(93, email="x93@example.com", fields="FirstName=Pat"),
        source_row(94, email="not-an-email"),
        source_row(95, email=None, fields={"FirstName": "Nobody"}),
    ]


@pytest.fixture
def source():
    docs = [
        source_row(1, email="Ann@Example.com", fields={"City": "Boston", "ZIP": "2134"}),
        source_row(2, email=" ann@example.com ", campaign="camp-b", fields={"City": "Quincy"}),
        source_row(3, email="ann@example.com", campaign="camp-c", fields={"kWh": "12,400"}),
        source_row(4, email="bob@example.com", fields={"annualcost": "$1,234.50"}),
        source_row(5, email="bob@example.com", campaign="camp-b"),
        source_row(6, email=None, fields={"Phone": "(212) 555-0134", "FirstName": "Cy"}),
        source_row(7, email="dee@example.com", campaign="camp-c"),
        source_row(8, email="eve@example.com"),
        *broken_docs(),
    ]
    mongodb.source_collection().insert_many(docs)
    return docs


def run_command(*args):
    out = StringIO()
    call_command("migrate_participants", "--skip-matching", *args, stdout=out, verbosity=0)
    return out.getvalue()


def target_snapshot(*, keep_ids=False):
    """Participants and quarantine as stored (sorted), optionally without generated `_id`s."""

    def clean(doc):
        return doc if keep_ids else {key: value for key, value in doc.items() if key != "_id"}

    participants = mongodb.collection_for(Participant).find({}).sort("contact_id", 1)
    quarantine = mongodb.collection_for(QuarantinedDocument).find({}).sort("source_id", 1)
    return [clean(doc) for doc in participants], [clean(doc) for doc in quarantine]


def encoded_source():
    return [bson.encode(doc) for doc in mongodb.source_collection().find({}).sort("_id", 1)]


def test_migration_groups_people_and_accounts_for_every_source_row(source, tmp_path):
    report_path = tmp_path / "report.json"
    run_command("--report", str(report_path))
    report = json.loads(report_path.read_text())

    assert report["source_documents"] == 14
    assert report["participants"] == 5
    assert report["engagements"] == 8
    assert report["quarantined"] == 6
    assert report["validation"]["ok"] is True
    assert set(report["validation"]["checks"]) == {
        "source_ids_accounted",
        "campaign_counts_match",
        "participants_match_people",
        "source_fully_read",
        "totals_match_engagements",
    }
    for key in ("residence_matched", "demographic_matched", "match_quality", "seconds"):
        assert key in report
    assert report["validation"]["checks"]["campaign_counts_match"]["source"]["camp-a"]["sent"] == 9

    ann = Participant.objects.get(contact_id="ann@example.com")
    assert [e.campaign_id for e in ann.engagements] == ["camp-a", "camp-b", "camp-c"]
    assert [e.source_id for e in ann.engagements] == [d["_id"] for d in source[:3]]
    assert ann.engagements[0].eo_contact_id == "eo-1"
    assert ann.fields.city == "Quincy"
    assert ann.fields.zip5 == "02134"
    assert ann.fields.kwh_value == 12400.0
    assert [(c.field, c.value) for c in ann.field_history] == [("City", "Boston")]
    assert ann.totals.sent == 3
    assert ann.residence_ref is None and ann.match is None

    phone_person = Participant.objects.get(contact_id="+12125550134")
    assert phone_person.phone_number == "+12125550134"
    assert phone_person.email_address is None
    assert Participant.objects.get(contact_id="bob@example.com").fields.annual_cost_value == 1234.5


def test_each_quarantine_reason_is_stored_with_the_original_row(source):
    run_command()
    stored = {doc.source_id: doc for doc in QuarantinedDocument.objects}
    expected = dict(
        zip(
            [doc["_id"] for doc in broken_docs()],
            [
                transform.MISSING_CAMPAIGN_ID,
                transform.MISSING_ENGAGEMENT,
                transform.INVALID_ENGAGEMENT,
                transform.FIELDS_NOT_DICT,
                transform.INVALID_EMAIL,
                transform.MISSING_CONTACT,
            ],
            strict=True,
        )
    )
    assert {source_id: doc.reason for source_id, doc in stored.items()} == expected
    originals = {doc["_id"]: doc for doc in broken_docs()}
    for source_id, doc in stored.items():
        assert doc.detail
        assert doc.original == originals[source_id]


def test_a_second_run_writes_nothing_and_changes_nothing(source, tmp_path):
    run_command()
    before = target_snapshot(keep_ids=True)
    report_path = tmp_path / "second.json"
    run_command("--report", str(report_path))
    written = json.loads(report_path.read_text())["written"]

    assert written["participants"] == {"inserted": 0, "updated": 0, "unchanged": 5}
    assert written["quarantine"] == {"inserted": 0, "updated": 0, "unchanged": 6}
    assert target_snapshot(keep_ids=True) == before


def migrate(**options):
    return run_migration(now=NOW, options=MigrationOptions(progress=False, **options))


def test_an_interrupted_run_resumed_ends_like_one_clean_run(source, store_faults):
    migrate(skip_matching=True)
    clean = target_snapshot()
    clean_rollups = rollup_snapshot()
    for collection in (Participant, QuarantinedDocument):
        mongodb.collection_for(collection).drop()
    refresh_rollups(now=NOW)

    store_faults.kill_after("participants", writes=1)
    with pytest.raises(Killed):
        migrate(batch_size=2, skip_matching=True)
    assert Participant.objects.count() == 2  # the first batch landed, the rest did not

    store_faults.clear()
    report = migrate(batch_size=2, skip_matching=True)
    assert report["written"]["participants"] == {"inserted": 3, "updated": 0, "unchanged": 2}
    assert target_snapshot() == clean
    assert rollup_snapshot() == clean_rollups


def test_a_run_killed_between_a_write_and_its_rollup_update_is_caught_up(source, store_faults):
    store_faults.kill_after("dashboard_rollups", writes=1)
    with pytest.raises(Killed):
        migrate(batch_size=2, skip_matching=True)
    store_faults.clear()

    migrate(batch_size=2, skip_matching=True)
    incremental = rollup_snapshot()
    refresh_rollups(now=NOW)
    assert rollup_snapshot() == incremental
    assert incremental["totals"]["participants"] == 5


def test_dry_run_writes_nothing_and_still_reports(source, tmp_path):
    report_path = tmp_path / "dry.json"
    output = run_command("--dry-run", "--report", str(report_path))
    report = json.loads(report_path.read_text())

    assert "DRY RUN" in output
    assert get_db(mongodb.DEFAULT_ALIAS).list_collection_names() == []
    assert report["dry_run"] is True
    assert report["participants"] == 5
    assert report["quarantined"] == 6
    assert report["written"]["participants"]["inserted"] == 5
    assert report["validation"]["ok"] is True


def test_limit_takes_the_first_rows_by_id(source):
    mongodb.source_collection().insert_one(source_row(0, email="first@example.com"))
    migrate(limit=3, skip_matching=True)
    assert sorted(p.contact_id for p in Participant.objects) == [
        "ann@example.com",
        "first@example.com",
    ]
    assert Participant.objects.get(contact_id="ann@example.com").totals.sent == 2


def test_source_is_byte_for_byte_unchanged(source, tmp_path):
    before = encoded_source()
    run_command("--backup-dir", str(tmp_path))
    run_command()
    call_command("rollback_participants", "--yes", stdout=StringIO())
    assert encoded_source() == before


def test_backup_manifest_matches_the_source(source, tmp_path):
    run_command("--backup-dir", str(tmp_path / "backup"))
    (manifest_path,) = (tmp_path / "backup").glob("*.manifest.json")
    manifest = json.loads(manifest_path.read_text())
    data_path = tmp_path / "backup" / manifest["file"]

    assert manifest["count"] == len(source)
    assert manifest["sha256"] == hashlib.sha256(data_path.read_bytes()).hexdigest()
    with gzip.open(data_path, "rt") as lines:
        restored = [json_util.loads(line) for line in lines]
    assert restored == list(mongodb.source_collection().find({}).sort("_id", 1))


def test_rerun_keeps_references_match_and_api_engagements(source):
    migrate(skip_matching=True)
    participants = mongodb.collection_for(Participant)
    api_engagement = {"campaign_id": "camp-api", "eo_contact_id": "eo-api", "opened": True}
    participants.update_one(
        {"contact_id": "ann@example.com"},
        {
            "$set": {
                "residence_ref": {"county": "Suffolk", "parcel_id": "P-1"},
                "match": {"quality": "manual", "version": 3},
            },
            "$push": {"engagements": api_engagement},
        },
    )
    # The source gains a newer row for Ann: the re-run must update her, keeping the rest.
    mongodb.source_collection().insert_one(
        source_row(27, email="ann@example.com", campaign="camp-d", fields={"City": "Salem"})
    )
    report = migrate(skip_matching=True)

    assert report["written"]["participants"] == {"inserted": 0, "updated": 1, "unchanged": 4}
    ann = Participant.objects.get(contact_id="ann@example.com")
    assert ann.residence_ref.parcel_id == "P-1"
    assert ann.match.quality == "manual" and ann.match.version == 3
    assert ann.fields.city == "Salem"
    assert sorted(e.campaign_id for e in ann.engagements) == [
        "camp-a",
        "camp-api",
        "camp-b",
        "camp-c",
        "camp-d",
    ]
    assert ann.totals.sent == 5
    assert ann.totals.opened == 2  # row 2 and the API engagement
    assert report["validation"]["ok"] is True


def test_a_failed_check_makes_the_command_fail(source, store_faults, tmp_path):
    store_faults.lose_first_request("participants")
    report_path = tmp_path / "report.json"
    with pytest.raises(CommandError, match="validation failed"):
        run_command("--report", str(report_path))
    checks = json.loads(report_path.read_text())["validation"]["checks"]
    assert checks["source_ids_accounted"]["ok"] is False
    assert checks["source_ids_accounted"]["missing"] > 0
    assert checks["participants_match_people"]["ok"] is False
    assert checks["campaign_counts_match"]["ok"] is False


def test_matching_stats_go_into_the_report(source):
    report = migrate()  # no county data, and no row has an address: nobody can match

    assert report["match_quality"] == {"no_match": 5}
    assert report["matching"]["processed"] == 5
    assert report["no_match_reasons"] == report["matching"]["no_match_reasons"]
    assert sum(report["no_match_reasons"].values()) == 5


def test_rollback_needs_yes_and_drops_only_the_target(source):
    run_command()
    with pytest.raises(CommandError):
        call_command("rollback_participants", stdout=StringIO())
    assert Participant.objects.count() == 5

    call_command("rollback_participants", "--yes", stdout=StringIO())
    assert Participant.objects.count() == 0
    assert QuarantinedDocument.objects.count() == 0
    assert mongodb.source_collection().count_documents({}) == len(source)


def test_the_report_counts_the_target_as_stored_whether_a_run_wrote_a_person_or_not(source):
    first = migrate()
    mongodb.source_collection().update_one(
        {"_id": source[6]["_id"]}, {"$set": {"fields.City": "Lynn"}}
    )
    second = migrate()
    third = migrate()

    assert second["written"]["participants"] == {"inserted": 0, "updated": 1, "unchanged": 4}
    assert third["written"]["participants"] == {"inserted": 0, "updated": 0, "unchanged": 5}

    def figures(report):
        keys = ("target_participants", "match_quality", "residence_matched", "validation")
        return {key: report[key] for key in keys}

    assert figures(first) == figures(second) == figures(third)
    assert third["validation"]["ok"] is True
    stored = list(mongodb.collection_for(Participant).find({}))
    assert third["target_participants"] == len(stored) == 5
    assert third["match_quality"] == {"no_match": 5}
    assert {doc["match"]["quality"] for doc in stored} == {"no_match"}
