"""Several processes at once, and faults (issue 9 item 6): the site under gunicorn with 3 workers,
`migrate_participants` and `sync_emailoctopus` as processes of their own, all on one persistent
store server of the test's own (killed and restarted with real signals) and one file SQLite.

The processes are left alone: the test watches the store (counts, open cursors) and gunicorn's
access log (the worker pid of every request) from the outside, and kills with SIGKILL.
"""

import re
import signal
import sqlite3
import time

import pytest
import requests

from tests.fake_emailoctopus import FakeEmailOctopus
from tests.process_cluster import (
    STORE_TIMEOUT_MS,
    Cluster,
    HeldPost,
    Site,
    output_of,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.processes]

SOURCE_ROWS = 300  # seed_demo_data: about 77 people, a few quarantined rows, 600 parcels
SYNC_CONTACTS = 120  # per campaign of the generated EmailOctopus API data
REVIEWERS = ("alice", "bob")
MIGRATE = ("migrate_participants", "--batch-size", "10")  # small batches: phases worth watching
SYNC = ("sync_emailoctopus", "--batch-size", "20")
# A dead store is reported within about two server-selection timeouts (pymongo retries once).
DEAD_STORE_BOUND = 4 * STORE_TIMEOUT_MS / 1000 + 10
SETUP = f"""
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("seed_demo_data", participants={SOURCE_ROWS}, allow_real_mongodb=True, verbosity=0)
from tests.review_data import make_user
for name in {REVIEWERS!r}:
    make_user(name, reviewer=True)
"""


def api_data(contacts=SYNC_CONTACTS):
    """Two sent campaigns to one list of new people, with opens, clicks and a broken email."""
    list_id = "eeeeeeee-0000-0000-0000-00000000000e"
    people = [
        {
            "id": f"d0000000-0000-0000-0000-{n:012d}",
            "email_address": "not-an-email" if n == 7 else f"person{n}@sync.example",
            "fields": {"FirstName": f"Pat{n}", "LastName": "Sync", "Address": f"{n} Test St",
                       "City": "Columbus", "ZIP": "43215"},
            "tags": [],
            "status": "subscribed",
            "created_at": "2025-01-05T10:00:00+00:00",
            "last_updated_at": f"2025-01-{1 + n % 28:02d}T10:00:00+00:00",
        }
        for n in range(contacts)
    ]  # fmt: skip
    campaigns, reports = [], {}
    for number, month in ((1, 3), (2, 6)):
        campaign_id = f"22222222-0000-0000-0000-00000000000{number}"
        campaigns.append({"id": campaign_id, "status": "sent", "name": f"Generated {number}",
                          "subject": "Hello", "to": [list_id],
                          "created_at": f"2025-{month:02d}-01T09:00:00+00:00",
                          "sent_at": f"2025-{month:02d}-01T15:00:00+00:00"})  # fmt: skip

        def rows(every, hour, month=month):
            return [
                {"contact_id": p["id"], "contact_email_address": p["email_address"],
                 "occurred_at": f"2025-{month:02d}-02T{hour:02d}:{n % 60:02d}:00+00:00"}
                for n, p in enumerate(people) if n % every == number % every
            ]  # fmt: skip

        reports[campaign_id] = {"sent": rows(1, 8), "opened": rows(3, 9), "clicked": rows(7, 10)}
    return {"campaigns": campaigns, "lists": {list_id: {"name": "Generated", "contacts": people}},
            "reports": reports}  # fmt: skip


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """The store (seeded), the SQLite file (migrated, two reviewers) and the fake API."""
    cluster = Cluster.create(tmp_path_factory.mktemp("processes"))
    cluster.start_store()
    api = FakeEmailOctopus(data=api_data()).start()
    cluster.env.update(EMAILOCTOPUS_API_BASE_URL=api.base_url, EMAILOCTOPUS_API_KEY=api.api_key)
    try:
        setup = cluster.manage("shell", "-c", SETUP)
        assert setup.returncode == 0, setup.stdout + setup.stderr
        yield cluster
    finally:
        api.stop()
        cluster.stop_store()


@pytest.fixture(scope="module")
def site(cluster):
    """gunicorn with 3 workers on the cluster; started before any participant exists."""
    site = Site.start(cluster)
    yield site
    site.stop()


@pytest.fixture(scope="module")
def migrated(cluster, site):
    """A migration, then a sync, each in a process of its own, while the site is up."""
    for command in (MIGRATE, SYNC):
        result = cluster.manage(*command)
        assert result.returncode == 0, result.stdout + result.stderr


def dashboard_participants(session, site):
    page = session.get(site.url("/"), timeout=30)
    assert page.status_code == 200, page.text[:500]
    return int(re.search(r"<dt>Participants</dt><dd>([\d,]+)</dd>", page.text)[1].replace(",", ""))


def test_every_worker_sees_what_the_other_processes_wrote(cluster, site, migrated):
    target = cluster.target()
    expected = target.participants.count_documents({})
    synced = target.participants.count_documents({"contact_id": {"$regex": "@sync.example$"}})
    assert synced == SYNC_CONTACTS - 1  # the sync's people are there (one has a broken email)
    session = site.login("alice")  # the session lives in the shared SQLite file
    before = len(site.served())
    workers = site.workers()
    answers = []
    for _ in range(100):
        answers.append(dashboard_participants(session, site))
        served = {pid for pid, line, _ in site.served()[before:] if line.startswith("GET / ")}
        if served >= workers:
            break
    assert served == workers, f"{len(answers)} requests reached only {served} of {workers}"
    assert set(answers) == {expected}


def review_item(db):
    """A review queue item (pending, or a no_match no reviewer confirmed) with a candidate."""
    doc = db.participants.find_one(
        {
            "match.quality": {"$in": ["pending", "no_match"]},
            "match.reviewed_by": None,
            "match.candidates.0": {"$exists": True},
        }
    )
    assert doc is not None, "the seeded demo has no queue item with a candidate left"
    return doc


def decisions(cluster, participant_id):
    with sqlite3.connect(cluster.directory / "site.sqlite3") as db:
        return db.execute(
            "SELECT d.action, u.username FROM review_reviewdecision d JOIN auth_user u"
            " ON u.id = d.reviewer_id WHERE d.participant_id = ?",
            (participant_id,),
        ).fetchall()


def test_two_reviewers_on_different_workers_get_the_stale_save_conflict(cluster, site, migrated):
    item = review_item(cluster.target())
    item_id, version = str(item["_id"]), item["match"].get("version") or 0
    candidate = item["match"]["candidates"][0]
    sessions = {name: site.login(name) for name in REVIEWERS}
    for session in sessions.values():  # both open the item at the same version
        page = session.get(site.url(f"/review/{item_id}/"), timeout=30)
        assert page.status_code == 200
        assert f'name="version" value="{version}"' in page.text
    form = {"version": version, "queue": "", "county": candidate["county"],
            "parcel_id": candidate["parcel_id"]}  # fmt: skip
    before = len(site.served())
    # Both saves are on the wire at once: each holds a worker, so two workers serve them.
    alice, bob = (
        HeldPost(site, sessions[n], f"/review/{item_id}/accept/", form) for n in REVIEWERS
    )
    alice_status, alice_headers, _ = alice.finish()
    bob_status, bob_headers, bob_cookies = bob.finish()

    posts = [(pid, status) for pid, line, status in site.served()[before:] if "POST" in line]
    assert len(posts) == 2 and posts[0][0] != posts[1][0], posts  # two different workers
    assert alice_status == bob_status == 302
    assert f"/review/{item_id}/" not in alice_headers["location"]  # on to the next item
    assert bob_headers["location"].startswith(f"/review/{item_id}/")  # back, refused
    sessions["bob"].cookies.update(bob_cookies)
    page = sessions["bob"].get(site.url(bob_headers["location"]), timeout=30)
    assert "was changed by someone else since you opened it" in page.text
    assert decisions(cluster, item_id) == [("ACCEPT", "alice")]
    stored = cluster.target().participants.find_one({"_id": item["_id"]})
    assert stored["match"]["reviewed_by"] == "alice" and stored["match"]["version"] == version + 1


# --- faults ------------------------------------------------------------------------------------


def _prune(value):
    """Zero counters left out (an $inc to zero and a rebuild agree), floats to 9 digits."""
    if isinstance(value, dict):
        pruned = {key: _prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item not in (0, {}, None)}
    if isinstance(value, float):
        return float(f"{value:.9g}")
    return value


def state(db):
    """Participants (with engagements and matches), quarantine and rollups, minus ids and times."""
    participants = {}
    for doc in db.participants.find({}, {"_id": 0}):
        (doc.get("match") or {}).pop("matched_at", None)
        participants[doc["contact_id"]] = doc
    quarantine = {
        str(doc["source_id"]): doc
        for doc in db.migration_quarantine.find({}, {"_id": 0, "quarantined_at": 0})
    }
    rollups = {
        doc.pop("_id"): _prune(doc) for doc in db.dashboard_rollups.find({"_id": {"$ne": "meta"}})
    }
    return {"participants": participants, "quarantine": quarantine, "rollups": rollups}


def assert_same_state(got, want):
    for part in ("participants", "quarantine", "rollups"):
        assert sorted(got[part]) == sorted(want[part]), part
        different = [key for key in want[part] if got[part][key] != want[part][key]]
        assert not different, f"{part} differ: {different[:3]} e.g. {got[part][different[0]]!r}"


def wait_while_running(process, condition, *, what):
    """Return the moment `condition()` holds while `process` runs; fail if it ended before."""

    def reached():
        if process.poll() is not None:
            raise AssertionError(f"the run ended before {what}:\n{output_of(process)[-2000:]}")
        return condition()

    wait_for(reached, timeout=120, interval=0.002, what=what)


def kill_when(process, condition, *, what):
    """SIGKILL `process` the moment `condition()` holds."""
    wait_while_running(process, condition, what=what)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL


def test_a_migration_killed_at_each_phase_then_run_again_ends_as_an_uninterrupted_run(cluster):
    reference = cluster.manage(*MIGRATE, target="reference")
    assert reference.returncode == 0, reference.stdout + reference.stderr
    want = state(cluster.target("reference"))
    people, quarantined = len(want["participants"]), len(want["quarantine"])
    assert people > 50 and quarantined > 0 and want["rollups"]
    db = cluster.target("killed")

    def open_cursors():
        return cluster.client.admin.command("serverStatus")["metrics"]["cursor"]["open"]["total"]

    idle_cursors = open_cursors()

    def matched():
        return db.participants.count_documents({"match": {"$ne": None}})

    points = {  # watched from outside; each run is killed at the first, then the next...
        "during the read of the source": lambda: open_cursors() > idle_cursors
        and db.participants.estimated_document_count() == 0,
        "during the participant writes": lambda: 0 < db.participants.estimated_document_count() < people,
        "during matching": lambda: db.migration_quarantine.estimated_document_count() == quarantined
        and matched() < people,
        "during the rollup rebuild": lambda: db.dashboard_rollups.estimated_document_count() > 0,
    }  # fmt: skip
    seen = {}
    for point, condition in points.items():
        kill_when(cluster.start_manage(*MIGRATE, target="killed"), condition, what=point)
        seen[point] = (db.participants.estimated_document_count(), matched(),
                       db.dashboard_rollups.estimated_document_count())  # fmt: skip
    assert seen["during the read of the source"][0] == 0
    assert 0 < seen["during the participant writes"][0] < people
    assert seen["during matching"][1] < people

    rerun = cluster.manage(*MIGRATE, target="killed")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "validation: ok" in rerun.stdout
    assert_same_state(state(db), want)


def test_a_store_killed_under_a_running_sync_is_a_clear_error_and_a_rerun_completes(cluster):
    reference = cluster.manage(*SYNC, target="sync_reference")
    assert reference.returncode == 0, reference.stdout + reference.stderr
    want = state(cluster.target("sync_reference"))
    db = cluster.target("sync_killed")
    sync = cluster.start_manage(*SYNC, target="sync_killed")
    wait_while_running(sync, lambda: db.participants.estimated_document_count() > 0,
                       what="the sync's first writes")  # fmt: skip
    cluster.kill_store()
    killed_at = time.monotonic()

    sync.wait(timeout=DEAD_STORE_BOUND)
    waited = time.monotonic() - killed_at
    output = output_of(sync)
    assert sync.returncode == 1, output
    assert f"the MongoDB store at 127.0.0.1:{cluster.store.port} cannot be reached" in output
    assert "Traceback" not in output
    assert waited < DEAD_STORE_BOUND

    cluster.start_store()
    rerun = cluster.manage(*SYNC, target="sync_killed")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert_same_state(state(cluster.target("sync_killed")), want)


def test_a_store_killed_under_the_site_answers_503_then_recovers(cluster, site, migrated):
    session = site.login("bob")
    item = review_item(cluster.target())
    item_id, candidate = str(item["_id"]), item["match"]["candidates"][0]
    page = session.get(site.url(f"/review/{item_id}/"), timeout=30)
    version = int(re.search(r'name="version" value="(\d+)"', page.text)[1])
    cluster.kill_store()

    for path in ("/", "/review/", f"/review/{item_id}/", "/participants/"):
        started = time.monotonic()
        page = session.get(site.url(path), timeout=DEAD_STORE_BOUND)
        assert page.status_code == 503, (path, page.text[:500])
        assert time.monotonic() - started < DEAD_STORE_BOUND
        assert "The participant store is not available" in page.text
        assert "Traceback" not in page.text and page.headers["Retry-After"]
    form = {"version": version, "queue": "", "county": candidate["county"],
            "parcel_id": candidate["parcel_id"], "csrfmiddlewaretoken": session.cookies["csrftoken"]}  # fmt: skip
    refused = session.post(site.url(f"/review/{item_id}/accept/"), data=form, timeout=30)
    assert refused.status_code == 503
    assert decisions(cluster, item_id) == []

    cluster.start_store()
    wait_for(lambda: requests.get(site.url("/"), cookies=session.cookies, timeout=30).status_code
             == 200, timeout=60, interval=0.5, what="the site to answer again")  # fmt: skip
    saved = session.post(site.url(f"/review/{item_id}/accept/"), data=form, timeout=30)
    assert saved.status_code == 200 and "Accepted parcel" in saved.text
    assert decisions(cluster, item_id) == [("ACCEPT", "bob")]
    stored = cluster.target().participants.find_one({"_id": item["_id"]})
    assert stored["match"]["reviewed_by"] == "bob"
