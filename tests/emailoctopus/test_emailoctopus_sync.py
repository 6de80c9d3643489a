"""`sync_emailoctopus` end to end: the real client over HTTP against the local fake API."""

import copy
from datetime import UTC, datetime

import pytest
from bson import ObjectId
from django.core.management import CommandError, call_command
from mongoengine.connection import get_db

from dashboard.rollups import refresh_rollups
from dashboard.selectors import rollup_snapshot
from emailoctopus import state
from emailoctopus.client import EmailOctopusAuthError
from emailoctopus.ratelimit import TokenBucket
from emailoctopus.sync import SyncOptions, sync_emailoctopus
from participants import services as participant_services
from participants.documents import Participant
from participants.person import merge_person
from tests.emailoctopus.fake_emailoctopus import (
    BEN,
    CAMPAIGN_1,
    CAMPAIGN_2,
    CAMPAIGN_DRAFT,
    FakeEmailOctopus,
    client_for,
)
from tests.store_faults import Killed

NOW = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)


def run(api, *, page_size=100, bucket=None, now=NOW, campaign_ids=(), **options):
    client = client_for(api, page_size=page_size, bucket=bucket)
    options = SyncOptions(campaign_ids=tuple(campaign_ids), **options)
    return sync_emailoctopus(client=client, now=now, options=options)


def participants():
    return {
        doc["contact_id"]: doc
        for doc in get_db("default")["participants"].find({}, {"_id": 0, "match": 0})
    }


def snapshot_all():
    """Participants, quarantine and rollups as stored (ids and match times left out)."""
    db = get_db("default")
    return {
        "participants": participants(),
        "quarantine": sorted(
            (d["source_id"], d["reason"]) for d in db["migration_quarantine"].find()
        ),
        "rollups": rollup_snapshot(),
    }


def engagement(doc, campaign_id):
    (found,) = [e for e in doc["engagements"] if e["campaign_id"] == campaign_id]
    return found


def flags(doc, campaign_id):
    found = engagement(doc, campaign_id)
    return {f for f in ("opened", "clicked", "bounced", "complained", "unsubscribed") if found[f]}


def test_first_sync_creates_participants_and_engagements(api):
    report = run(api)

    people = participants()
    assert sorted(people) == [
        "ana.lopez@example.com",
        "ben.okafor@example.com",
        "carla.nguyen@example.com",
        "dan.moore@example.com",
        "eve.park@example.com",
    ]
    assert report["campaigns"] == 2
    assert report["campaigns_skipped"] == {CAMPAIGN_DRAFT: "status draft"}
    assert report["participants_created"] == 5
    assert report["engagements_added"] == 6
    assert flags(people["ana.lopez@example.com"], CAMPAIGN_1) == {"opened", "clicked"}
    assert flags(people["ben.okafor@example.com"], CAMPAIGN_1) == {"unsubscribed"}
    assert flags(people["dan.moore@example.com"], CAMPAIGN_1) == {"bounced"}
    assert flags(people["eve.park@example.com"], CAMPAIGN_2) == {"opened", "complained"}
    carla = people["carla.nguyen@example.com"]
    assert flags(carla, CAMPAIGN_1) == {"opened"}
    assert engagement(carla, CAMPAIGN_1)["engaged_at"] == datetime(2025, 3, 2, 8, 1)
    assert "source_id" not in engagement(carla, CAMPAIGN_1)
    assert carla["phone_number"] == "+14135550199"
    assert carla["fields"]["zip5"] == "01013"
    assert carla["totals"] == {
        "sent": 1,
        "opened": 1,
        "clicked": 0,
        "bounced": 0,
        "complained": 0,
        "unsubscribed": 0,
    }
    ben = people["ben.okafor@example.com"]
    assert ben["status"] == "UNSUBSCRIBED"
    assert ben["fields"]["zip5"] == "01104"
    assert ben["fields"]["annualcost"] == "n/a" and "annual_cost_value" not in ben["fields"]
    for document in Participant.objects:  # the stored shape loads and validates as documents
        document.validate()


def test_contact_in_two_campaigns_is_one_participant_with_two_engagements(api):
    run(api)

    ana = participants()["ana.lopez@example.com"]

    assert [e["campaign_id"] for e in ana["engagements"]] == [CAMPAIGN_1, CAMPAIGN_2]
    assert [e["eo_contact_id"][-2:] for e in ana["engagements"]] == ["a1", "b1"]
    # List B's contact was updated later: its values win, list A's are kept in the history.
    assert ana["fields"]["Address"] == "12 Main Street"
    assert ana["fields"]["kWh"] == "13,100" and ana["fields"]["kwh_value"] == 13100.0
    assert ana["fields"]["HouseholdSize"] == 3  # unknown custom field kept as it came
    history = {(h["field"], h["value"]) for h in ana["field_history"]}
    assert history == {("Address", "12 Main St"), ("kWh", "12,400")}
    Participant.objects.get(contact_id="ana.lopez@example.com").validate()
    assert ana["totals"]["sent"] == 2


def test_second_sync_changes_nothing(api):
    run(api)
    before = snapshot_all()
    api.requests.clear()

    report = run(api)

    assert snapshot_all() == before
    assert report["participants_created"] == report["participants_updated"] == 0
    # Nothing new: one report request per campaign and status, no list contacts.
    assert [path for path, _ in api.requests].count("/campaigns") == 1
    assert sum(path.endswith("/reports") for path, _ in api.requests) == 12
    assert not any(path.startswith("/lists/") for path, _ in api.requests)
    assert report["engagements_unchanged"] == 7 and report["report_rows"] == 14
    assert report["engagements_added"] == report["engagements_updated"] == 0
    assert report["quarantined"] == 0  # already there


def test_new_opened_event_flips_one_flag_on_one_engagement(api):
    run(api)
    before = participants()
    api.add_event(
        CAMPAIGN_1,
        "opened",
        contact_id=BEN,
        email="ben.okafor@example.com",
        occurred_at="2025-03-05T10:00:00+00:00",
    )
    api.requests.clear()

    report = run(api)

    after = participants()
    assert report["engagements_updated"] == 1
    assert not any(path.startswith("/lists/") for path, _ in api.requests)
    assert report["participants_updated"] == 1 and report["participants_created"] == 0
    ben_before, ben_after = (
        before.pop("ben.okafor@example.com"),
        after.pop("ben.okafor@example.com"),
    )
    assert flags(ben_after, CAMPAIGN_1) == {"opened", "unsubscribed"}
    assert ben_after["totals"]["opened"] == 1
    assert engagement(ben_after, CAMPAIGN_1)["engaged_at"] == datetime(2025, 3, 5, 10, 0)
    assert {
        k: v for k, v in ben_after.items() if k not in ("engagements", "totals", "synced_at")
    } == {k: v for k, v in ben_before.items() if k not in ("engagements", "totals", "synced_at")}
    assert after == before  # nobody else changed


def test_pagination_across_several_pages_and_cursors_resume(api):
    report = run(api, page_size=2)

    assert report["report_rows"] == 14
    assert len(participants()) == 5
    cursors = state.load_cursors(CAMPAIGN_1)
    # 5 sent rows in pages of 2: the next run resumes at the last page. The other reports fit
    # in one page, which is read again from the start.
    assert list(cursors) == ["sent"] and cursors["sent"]

    api.requests.clear()
    run(api, page_size=2)

    sent_requests = [
        query
        for path, query in api.requests
        if path == f"/campaigns/{CAMPAIGN_1}/reports" and query["status"] == "sent"
    ]
    assert [q.get("starting_after") for q in sent_requests] == [cursors["sent"]]


def test_a_429_burst_is_waited_out(api):
    api.throttle(capacity=3, refill_per_second=50)
    # After a 429 the client empties its own bucket too; refill it fast to keep the test short.
    report = run(api, page_size=2, bucket=TokenBucket(capacity=100, refill_per_second=1000))

    assert api.count(429) >= 1
    assert report["api"]["rate_limited"] == api.count(429)
    assert len(participants()) == 5
    assert report["engagements_added"] == 6


def test_wrong_key_gives_a_clear_error_and_writes_nothing(api):
    client = client_for(api, api_key="not-the-key")

    with pytest.raises(EmailOctopusAuthError, match="401.*Invalid key"):
        sync_emailoctopus(client=client, now=NOW)

    db = get_db("default")
    assert db["participants"].count_documents({}) == 0
    assert db["migration_quarantine"].count_documents({}) == 0
    assert db[state.COLLECTION].count_documents({}) == 0


def test_malformed_rows_are_quarantined_with_their_reason(api):
    api.add_event(
        CAMPAIGN_2,
        "opened",
        contact_id="c0000000-0000-0000-0000-0000000000b1",
        email="ana.lopez@example.com",
        occurred_at="last tuesday",
    )

    report = run(api)

    quarantine = {
        d["source_id"]: d for d in get_db("default")["migration_quarantine"].find({}, {"_id": 0})
    }
    bad_email = quarantine[f"api:{CAMPAIGN_1}:c0000000-0000-0000-0000-0000000000a4"]
    assert bad_email["reason"] == "INVALID_EMAIL"
    assert "not-an-email" in bad_email["detail"]
    assert bad_email["original"]["fields"] == {"FirstName": "Nobody"}
    bad_time = quarantine[f"api:{CAMPAIGN_2}:c0000000-0000-0000-0000-0000000000b1:opened"]
    assert bad_time["reason"] == "API_BAD_OCCURRED_AT"
    assert bad_time["original"]["row"]["occurred_at"] == "last tuesday"
    assert report["quarantine_reasons"] == {"INVALID_EMAIL": 1, "API_BAD_OCCURRED_AT": 1}
    assert "nobody" not in " ".join(participants())


def test_dashboard_rollups_equal_a_full_refresh_after_syncs(api):
    run(api)
    api.add_event(
        CAMPAIGN_1,
        "clicked",
        contact_id="c0000000-0000-0000-0000-0000000000a3",
        email="carla.nguyen@example.com",
        occurred_at="2025-03-03T10:00:00+00:00",
    )
    run(api)
    incremental = rollup_snapshot()

    refresh_rollups(now=NOW)

    assert rollup_snapshot() == incremental
    assert incremental[f"campaign:{CAMPAIGN_1}"]["clicked"] == 2
    assert incremental["totals"]["participants"] == 5


def test_new_participants_are_matched(api):
    report = run(api)

    stored = get_db("default")["participants"].find({}, {"match": 1})
    assert all(doc.get("match") for doc in stored)
    assert report["matching"] is not None
    assert state.load_pending()["match_contact_ids"] == []


def test_an_interrupted_run_is_safe_to_run_again(api, store_faults):
    clean_api = FakeEmailOctopus().start()
    try:
        run(clean_api, page_size=2, batch_size=2)
    finally:
        clean_api.stop()
    clean = snapshot_all()
    for name in ("participants", "migration_quarantine", "dashboard_rollups", state.COLLECTION):
        get_db("default")[name].drop()

    # Killed after the third batch's participants were written, before its rollup update.
    store_faults.kill_after("dashboard_rollups", writes=2)
    with pytest.raises(Killed):
        run(api, page_size=2, batch_size=2)
    store_faults.clear()

    report = run(api, page_size=2, batch_size=2)

    assert report["rollups_refreshed"]
    assert snapshot_all() == clean
    assert state.load_pending() == {"match_contact_ids": []}


def test_a_run_killed_at_a_write_leaves_no_one_unmatched_and_the_next_converges(api, store_faults):
    clean_api = FakeEmailOctopus().start()
    try:
        clean_report = run(clean_api)
    finally:
        clean_api.stop()
    clean = snapshot_all()
    clean_matches = matches()
    for name in ("participants", "migration_quarantine", "dashboard_rollups", state.COLLECTION):
        get_db("default")[name].drop()

    # The first campaign's people are written with their match, then the run dies at the
    # second campaign's write: each person is written once, with their match, or not at all.
    store_faults.kill_after("participants", writes=1)
    with pytest.raises(Killed):
        run(api)
    store_faults.clear()
    stored = list(get_db("default")["participants"].find())
    assert stored and all(doc.get("match") for doc in stored)
    assert state.load_pending() == {"match_contact_ids": []}

    report = run(api)

    assert report["participants_created"] == clean_report["participants_created"] - len(stored)
    assert snapshot_all() == clean
    assert matches() == clean_matches
    incremental = rollup_snapshot()
    refresh_rollups(now=NOW)
    assert rollup_snapshot() == incremental


def matches():
    """Each participant's references and match, as stored (without the time it was made)."""
    found = get_db("default")["participants"].find(
        {}, {"contact_id": 1, "match": 1, "residence_ref": 1, "demographic_ref": 1}
    )
    return {
        doc["contact_id"]: (
            {k: v for k, v in doc["match"].items() if k != "matched_at"},
            doc.get("residence_ref"),
            doc.get("demographic_ref"),
        )
        for doc in found
    }


def test_dry_run_reports_the_same_and_writes_nothing(api):
    dry = run(api, dry_run=True)

    db = get_db("default")
    assert all(db[name].count_documents({}) == 0 for name in db.list_collection_names())
    real = run(api)
    keys = (
        "participants_created",
        "engagements_added",
        "engagements_updated",
        "quarantined",
        "report_rows",
    )
    assert {k: dry[k] for k in keys} == {k: real[k] for k in keys}


def test_migrated_engagement_is_updated_in_place_not_duplicated(api):
    migrated = merge_person(
        [
            {
                "_id": ObjectId(),
                "campaign_id": CAMPAIGN_1,
                "contact_id": BEN,
                "email_address": "ben.okafor@example.com",
                "engagement": {"opened": False, "unsubscribed": False},
                "fields": {"FirstName": "Benjamin", "City": "Springfield"},
                "status": "SUBSCRIBED",
                "synced_at": datetime(2025, 3, 1, 16, 0),
            }
        ]
    )
    get_db("default")["participants"].insert_one(copy.deepcopy(migrated))
    refresh_rollups(now=NOW)

    run(api, campaign_ids=[CAMPAIGN_1])

    ben = participants()["ben.okafor@example.com"]
    assert len(ben["engagements"]) == 1
    assert engagement(ben, CAMPAIGN_1)["source_id"] == migrated["engagements"][0]["source_id"]
    assert flags(ben, CAMPAIGN_1) == {"unsubscribed"}
    # Rows for an engagement we hold bring its flags only: fields and status come with new
    # engagements (no list contacts are needed for them).
    assert ben["fields"] == migrated["fields"] and ben["status"] == "SUBSCRIBED"
    incremental = rollup_snapshot()
    refresh_rollups(now=NOW)
    assert rollup_snapshot() == incremental


def older_person(email, *, city, quality=None):
    """A participant the migration made of one older row, at 1 Old Road (matched with
    `quality`, version 1, when given)."""
    person = merge_person(
        [
            {
                "_id": ObjectId(),
                "campaign_id": "older-campaign",
                "email_address": email,
                "engagement": {},
                "fields": {"Address": "1 Old Road", "City": city, "ZIP": "01101"},
                "synced_at": datetime(2024, 1, 1),
            }
        ]
    )
    if quality is not None:
        person["match"] = {"quality": quality, "matched_at": datetime(2024, 1, 2), "version": 1}
    return person


def test_a_changed_address_is_rematched_unless_matched_by_hand(api):
    get_db("default")["participants"].insert_many(
        [
            older_person("carla.nguyen@example.com", city="Chicopee", quality="exact"),
            older_person("dan.moore@example.com", city="Amherst", quality="manual"),
        ]
    )

    run(api, campaign_ids=[CAMPAIGN_1])

    matches = {
        d["contact_id"]: d["match"]
        for d in get_db("default")["participants"].find({}, {"match": 1, "contact_id": 1})
    }
    assert matches["carla.nguyen@example.com"]["matched_at"] == NOW.replace(tzinfo=None)
    assert matches["dan.moore@example.com"] == {
        "quality": "manual",
        "matched_at": datetime(2024, 1, 2),
        "version": 1,
    }


def test_since_and_campaign_options_select_campaigns(api):
    report = run(api, since=datetime(2025, 5, 1, tzinfo=UTC))

    assert report["campaigns"] == 1
    assert report["campaigns_skipped"][CAMPAIGN_1] == "sent before --since"
    assert sorted(participants()) == ["ana.lopez@example.com", "eve.park@example.com"]

    report = run(api, campaign_ids=[CAMPAIGN_DRAFT])
    assert report["campaigns"] == 0
    assert state.synced_campaigns() == {
        CAMPAIGN_2: {"name": "Summer rebates", "sent_at": datetime(2025, 6, 1, 15, 0)}
    }


def test_since_must_be_a_date():
    with pytest.raises(CommandError, match="--since must be a date"):
        call_command("sync_emailoctopus", "--since", "June")


def test_command_runs_the_sync_and_reports(api, settings, monkeypatch, capsys):
    settings.EMAILOCTOPUS_API_BASE_URL = api.base_url
    monkeypatch.setenv("EMAILOCTOPUS_API_KEY", api.api_key)

    call_command("sync_emailoctopus", "--campaign", CAMPAIGN_2)

    out = capsys.readouterr().out
    assert "1 campaign(s), 4 report rows" in out
    assert "participants: 2 created, 0 updated, 0 unchanged" in out
    assert len(participants()) == 2


def test_command_turns_api_errors_into_a_command_error(api, settings, monkeypatch):
    settings.EMAILOCTOPUS_API_BASE_URL = api.base_url
    monkeypatch.setenv("EMAILOCTOPUS_API_KEY", "expired")

    with pytest.raises(
        CommandError, match="401 on GET /campaigns: An error occurred. Invalid key."
    ):
        call_command("sync_emailoctopus")


def test_command_without_a_key_says_which_setting_is_missing(settings, monkeypatch):
    monkeypatch.delenv("EMAILOCTOPUS_API_KEY", raising=False)
    settings.EMAILOCTOPUS_API_KEY = ""

    with pytest.raises(CommandError, match="EMAILOCTOPUS_API_KEY is not set"):
        call_command("sync_emailoctopus")


def test_a_person_someone_else_created_meanwhile_gets_the_synced_fields(api, store_faults):
    stored = get_db("default")["participants"]
    store_faults.race(
        "participants",
        lambda: stored.insert_one(
            {"contact_id": "ana.lopez@example.com", "status": "SUBSCRIBED", "search_text": "x"}
        ),
    )

    report = run(api)

    (ana,) = stored.find({"contact_id": "ana.lopez@example.com"})
    assert flags(ana, CAMPAIGN_1) == {"opened", "clicked"}
    assert ana["status"] == "SUBSCRIBED" and "ana" in ana["search_text"]
    assert ana["match"]["version"] == 1  # matched at the run's end, as the others were before
    assert state.load_pending()["match_contact_ids"] == []
    assert report["participants_created"] == 5
    assert len(participants()) == 5
    listed = get_db("default")["participant_listing"].find_one({"_id": ana["_id"]})
    assert listed["totals"]["opened"] == 1
    incremental = rollup_snapshot()
    refresh_rollups(now=NOW)
    assert rollup_snapshot() == incremental


def test_a_person_created_meanwhile_after_a_rematched_one_gets_the_synced_fields(api, store_faults):
    # Carla (stored, re-addressed: a guarded update) is written before Dan (new) in one batch;
    # someone else creates Dan first. His insert fails, and it is his fields that are set.
    stored = get_db("default")["participants"]
    stored.insert_one(older_person("carla.nguyen@example.com", city="Chicopee", quality="pending"))
    store_faults.race(
        "participants",
        lambda: stored.insert_one(
            {"contact_id": "dan.moore@example.com", "status": "SUBSCRIBED", "search_text": "x"}
        ),
    )

    run(api, campaign_ids=[CAMPAIGN_1])

    (dan,) = stored.find({"contact_id": "dan.moore@example.com"})
    assert flags(dan, CAMPAIGN_1) == {"bounced"}
    assert dan["match"]["version"] == 1  # matched at the run's end
    (carla,) = stored.find({"contact_id": "carla.nguyen@example.com"})
    assert carla["fields"]["Address"] == "7 Elm St." and carla["match"]["version"] == 2
    assert state.load_pending()["match_contact_ids"] == []


def test_a_reviewers_decision_made_meanwhile_is_kept_and_the_address_still_written(
    api, store_faults
):
    stored = get_db("default")["participants"]
    carla = older_person("carla.nguyen@example.com", city="Chicopee", quality="pending")
    stored.insert_one(carla)
    refresh_rollups(now=NOW)
    reviewed = {"quality": "manual", "reviewed_by": "rita", "matched_at": datetime(2025, 7, 1)}
    # A reviewer decides Carla's match after the sync read her, before her write.
    store_faults.race(
        "participants",
        lambda: participant_services.update_participant_references(
            change=participant_services.ReferenceChange(
                before=stored.find_one({"_id": carla["_id"]}),
                residence_ref=None,
                demographic_ref=None,
                match=reviewed,
            ),
            now=NOW,
        ),
    )

    report = run(api, campaign_ids=[CAMPAIGN_1])

    (after,) = stored.find({"_id": carla["_id"]})
    assert after["match"] == {**reviewed, "version": 2}
    assert after["fields"]["Address"] == "7 Elm St."
    assert report["matching"]["conflicts"] == 1
    listed = get_db("default")["participant_listing"].find_one({"_id": carla["_id"]})
    assert listed["match"]["quality"] == "manual" and listed["fields"]["Address"] == "7 Elm St."
    incremental = rollup_snapshot()
    refresh_rollups(now=NOW)
    assert rollup_snapshot() == incremental


def test_people_marked_pending_twice_are_matched_once_and_cleared():
    state.mark_pending(contact_ids=["a@example.com", "b@example.com"])
    state.mark_pending(contact_ids=["b@example.com", "c@example.com"])

    pending = state.load_pending()["match_contact_ids"]
    assert pending == ["a@example.com", "b@example.com", "c@example.com"]
    state.clear_pending_matches(["a@example.com", "b@example.com"])
    assert state.load_pending()["match_contact_ids"] == ["c@example.com"]
