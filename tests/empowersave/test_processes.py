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
from concurrent.futures import ThreadPoolExecutor

import pytest

from empowersave.reports import EXIT_SET_ASIDE
from tests.emailoctopus.fake_emailoctopus import FakeEmailOctopus
from tests.empowersave.process_cluster import (
    STORE_TIMEOUT_MS,
    Cluster,
    HeldPost,
    Site,
    output_of,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.processes]

SOURCE_ROWS = 300  # seed_demo_data: 73 people, 4 quarantined rows, 600 parcels
SYNC_CONTACTS = 40  # per campaign of the generated EmailOctopus API data
REVIEWERS = ("alice", "bob")
MIGRATE = ("migrate_participants",)
# Exit statuses of a batch command that finished: 0, or 3 when it set records aside (the demo data
# has malformed rows to quarantine).
FINISHED = (0, EXIT_SET_ASIDE)
# Runs to be killed read and write 2 rows at a time: each phase lasts long enough to be seen.
MIGRATE_SLOWLY = ("migrate_participants", "--batch-size", "2")
SYNC = ("sync_emailoctopus", "--batch-size", "20")
# A dead store is reported within about two server-selection timeouts (pymongo retries once).
DEAD_STORE_BOUND = 4 * STORE_TIMEOUT_MS / 1000 + 10
SETUP = f"""
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("seed_demo_data", participants={SOURCE_ROWS}, allow_real_mongodb=True, verbosity=0)
from tests.users import make_user
for name in {REVIEWERS!r}:
    make_user(name, groups=["reviewers", "analysts"])  # the review pages and the dashboard
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
        reports[campaign_id] = {
            status: [
                {"contact_id": person["id"], "contact_email_address": person["email_address"],
                 "occurred_at": f"2025-{month:02d}-02T{hour:02d}:{n % 60:02d}:00+00:00"}
                for n, person in enumerate(people) if n % every == number % every
            ]
            for status, every, hour in (("sent", 1, 8), ("opened", 3, 9), ("clicked", 7, 10))
        }  # fmt: skip
    return {"campaigns": campaigns, "lists": {list_id: {"name": "Generated", "contacts": people}},
            "reports": reports}  # fmt: skip


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """The store (seeded), the SQLite file (migrated, two reviewers), the fake API, and gunicorn
    launched before any of it exists (the `site` fixture waits until its workers answer)."""
    cluster = Cluster.create(tmp_path_factory.mktemp("processes"))
    cluster.start_store()
    api = FakeEmailOctopus(data=api_data()).start()
    cluster.env.update(EMAILOCTOPUS_API_BASE_URL=api.base_url, EMAILOCTOPUS_API_KEY=api.api_key)
    cluster.site = Site.launch(cluster)
    try:
        setup = cluster.manage("shell", "-c", SETUP)
        assert setup.returncode == 0, setup.stdout + setup.stderr
        yield cluster
    finally:
        cluster.site.stop()
        api.stop()
        cluster.kill_store()  # a throw-away store: no need to wait for a clean shutdown


@pytest.fixture(scope="module")
def site(cluster):
    """gunicorn with 3 sync workers on the cluster's store and SQLite file."""
    return cluster.site.wait_ready()


@pytest.fixture(scope="module")
def references(cluster):
    """A migration, then a sync, each run once in a process of its own into the site's target
    while gunicorn runs; the state after each is what an uninterrupted run gives."""
    states = {}
    for name, command in (("migrated", MIGRATE), ("synced", SYNC)):
        result = cluster.manage(*command)
        assert result.returncode in FINISHED, result.stdout + result.stderr
        states[name] = state(cluster.target())
    return states


# --- one store, three workers, other processes ------------------------------------------------


def dashboard_participants(session, site):
    page = session.get(site.url("/"), timeout=30)
    assert page.status_code == 200, page.text[:500]
    return int(re.search(r"<dt>Participants</dt><dd>([\d,]+)</dd>", page.text)[1].replace(",", ""))


def test_every_worker_sees_what_the_other_processes_wrote(cluster, site, references):
    people = references["synced"]["participants"]
    synced = [contact_id for contact_id in people if contact_id.endswith("@sync.example")]
    assert len(synced) == SYNC_CONTACTS - 1  # the sync's people (one has a broken email)
    assert len(people) == len(references["migrated"]["participants"]) + len(synced)
    session = site.login("alice")  # the session lives in the shared SQLite file
    before = len(site.served())
    workers = site.workers()
    answers = []
    for _ in range(100):  # a new connection each time: whichever worker is free takes it
        answers.append(dashboard_participants(session, site))
        served = {pid for pid, line, _ in site.served()[before:] if line.startswith("GET / ")}
        if served >= workers:
            break
    assert served == workers, f"{len(answers)} requests reached only {served} of {workers}"
    assert set(answers) == {len(people)}


def review_item(db, *, with_candidate=False):
    """A review queue item: pending, or a no_match that no reviewer confirmed."""
    query = {"match.quality": {"$in": ["pending", "no_match"]}, "match.reviewed_by": None}
    if with_candidate:
        query["match.candidates.0"] = {"$exists": True}
    doc = db.participants.find_one(query)
    assert doc is not None, "the seeded demo has no such queue item left"
    return doc


def accept_form(item, version):
    candidate = item["match"]["candidates"][0]
    return {"version": version, "queue": "", "county": candidate["county"],
            "parcel_id": candidate["parcel_id"]}  # fmt: skip


def no_match_form(session, version):
    return {"version": version, "queue": "", "reason": "No parcel at this address",
            "csrfmiddlewaretoken": session.cookies["csrftoken"]}  # fmt: skip


def decisions(cluster, participant_id):
    """(action, reviewer) of the audit rows of a participant, from the shared SQLite file."""
    with sqlite3.connect(cluster.directory / "site.sqlite3") as db:
        return db.execute(
            "SELECT d.action, u.username FROM review_reviewdecision d JOIN auth_user u"
            " ON u.id = d.reviewer_id WHERE d.participant_id = ?",
            (participant_id,),
        ).fetchall()


def test_two_reviewers_on_different_workers_get_the_stale_save_conflict(cluster, site, references):
    item = review_item(cluster.target(), with_candidate=True)
    item_id, version = str(item["_id"]), item["match"].get("version") or 0
    sessions = {name: site.login(name) for name in REVIEWERS}
    for session in sessions.values():  # both open the item at the same version
        page = session.get(site.url(f"/review/{item_id}/"), timeout=30)
        assert page.status_code == 200
        assert f'name="version" value="{version}"' in page.text
    before = len(site.served())
    # Both saves are on the wire at once: each holds a worker, so two workers serve them.
    alice, bob = (
        HeldPost(site, sessions[name], f"/review/{item_id}/accept/", accept_form(item, version))
        for name in REVIEWERS
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
    # A rollup every counter of which went back to zero (a ZIP whose people all moved to their
    # parcel's ZIP) is the same as none, as on the dashboard (dashboard.selectors.rollup_snapshot).
    rollups = {
        key: doc
        for key, doc in rollups.items()
        if set(doc) - {"kind", "campaign_id", "zip", "county"}
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


@pytest.fixture(scope="module")
def killed_migration(cluster, references):
    """Target "killed": `migrate_participants` SIGKILLed at four points, each run killed at the
    next (the third while a run writes again after the second was killed among its writes),
    then run once more to the end. Returns (participants, matched, rollups) at each kill
    and the last run's output."""
    db = cluster.target("killed")

    def open_cursors():
        return cluster.client.admin.command("serverStatus")["metrics"]["cursor"]["open"]["total"]

    def count(collection, query=None):
        return db[collection].count_documents(query or {})

    idle_cursors = open_cursors()
    people = len(references["migrated"]["participants"])
    points = {  # what the store shows while the run is at that point
        "read": lambda: open_cursors() > idle_cursors and count("participants") == 0,
        "participant writes": lambda: 0 < count("participants") < people,
        "writes again": lambda: seen["participant writes"][0] < count("participants") < people,
        # A batch written, its rollup update not done yet (participants.announcements' marker),
        # or the rebuild that a run starts with after such a kill.
        "rollup update": lambda: count("participants_unannounced") > 0
        and count("dashboard_rollups") > 0,
    }
    seen = {}
    for point, condition in points.items():
        run = cluster.start_manage(*MIGRATE_SLOWLY, target="killed")
        kill_when(run, condition, what=f"the {point}")
        seen[point] = (
            count("participants"),
            count("participants", {"match": {"$ne": None}}),
            count("dashboard_rollups"),
        )
    last = cluster.manage(*MIGRATE, target="killed")
    assert last.returncode in FINISHED, last.stdout + last.stderr
    return seen, last.stdout


def test_a_migration_killed_at_four_points_then_run_again_ends_as_an_uninterrupted_run(
    cluster, references, killed_migration
):
    seen, output = killed_migration
    people = len(references["migrated"]["participants"])
    assert seen["read"] == (0, 0, 0)
    assert 0 < seen["participant writes"][0] < seen["writes again"][0] < people
    # Each person is written once, with the match decided for them (migration.write).
    assert seen["participant writes"][1] == seen["participant writes"][0]
    assert seen["writes again"][1] == seen["writes again"][0]
    assert seen["rollup update"][2] > 0
    assert "validation: ok" in output
    assert_same_state(state(cluster.target("killed")), references["migrated"])


def assert_unavailable_page(session, method, url, data=None):
    """The site answers a dead store with its 503 page, in bounded time, without a traceback."""
    started = time.monotonic()
    page = session.request(method, url, data=data, timeout=DEAD_STORE_BOUND)
    assert page.status_code == 503, (url, page.text[:500])
    assert time.monotonic() - started < DEAD_STORE_BOUND
    assert "The participant store is not available" in page.text
    assert "Traceback" not in page.text and page.headers["Retry-After"]


def test_a_store_killed_under_a_running_sync_and_the_site_is_a_clear_error_then_all_recovers(
    cluster, site, references, killed_migration
):
    session = site.login("bob")  # bob has a queue item open on the site
    item = review_item(cluster.target())
    item_id = str(item["_id"])
    page = session.get(site.url(f"/review/{item_id}/"), timeout=30)
    form = no_match_form(session, int(re.search(r'name="version" value="(\d+)"', page.text)[1]))
    db = cluster.target("killed")  # migrated, as the site's target was before its sync
    people = len(references["migrated"]["participants"])
    sync = cluster.start_manage(*SYNC, target="killed", MONGODB_TIMEOUT_MS=str(STORE_TIMEOUT_MS))
    wait_while_running(
        sync, lambda: db.participants.count_documents({}) > people, what="its first writes"
    )
    cluster.kill_store()
    killed_at = time.monotonic()

    with ThreadPoolExecutor(max_workers=2) as pool:  # two workers meet the dead store at once
        pages = [
            pool.submit(assert_unavailable_page, session, "GET", site.url("/")),
            pool.submit(assert_unavailable_page, session, "POST",
                        site.url(f"/review/{item_id}/no-match/"), form),
        ]  # fmt: skip
        for page in pages:
            page.result()
    assert decisions(cluster, item_id) == []
    sync.wait(timeout=DEAD_STORE_BOUND)
    assert time.monotonic() - killed_at < 2 * DEAD_STORE_BOUND
    output = output_of(sync)
    assert sync.returncode == 1, output
    assert f"error: the MongoDB store at 127.0.0.1:{cluster.store.port} cannot be reached" in output
    assert "Traceback" not in output

    cluster.start_store()  # the site recovers by itself; the sync is run again
    wait_for(lambda: session.get(site.url("/"), timeout=30).status_code == 200,
             timeout=60, interval=0.2, what="the site to answer again")  # fmt: skip
    saved = session.post(site.url(f"/review/{item_id}/no-match/"), data=form, timeout=30)
    assert saved.status_code == 200 and "as no match" in saved.text
    assert decisions(cluster, item_id) == [("NO_MATCH", "bob")]
    rerun = cluster.manage(*SYNC, target="killed")
    assert rerun.returncode in FINISHED, rerun.stdout + rerun.stderr
    assert_same_state(state(cluster.target("killed")), references["synced"])


def quality_counts(db):
    """{quality: participants} as stored, and as the dashboard's rollup counts them."""
    stored = {}
    for doc in db.participants.find({}, {"match.quality": 1}):
        quality = (doc.get("match") or {}).get("quality") or "unmatched"
        stored[quality] = stored.get(quality, 0) + 1
    rollup = db.dashboard_rollups.find_one({"_id": "totals"})["quality"]
    return stored, {quality: count for quality, count in rollup.items() if count}


def test_a_decision_the_site_saved_survives_a_store_crash_right_after(cluster, site, references):
    session = site.login("alice")
    item = review_item(cluster.target())
    item_id = str(item["_id"])
    form = no_match_form(session, item["match"].get("version") or 0)
    saved = session.post(site.url(f"/review/{item_id}/no-match/"), data=form,
                         allow_redirects=False, timeout=30)  # fmt: skip
    cluster.kill_store()  # the moment the reviewer is told it is saved
    cluster.start_store()

    assert saved.status_code == 302 and decisions(cluster, item_id) == [("NO_MATCH", "alice")]
    stored = cluster.target().participants.find_one({"_id": item["_id"]})
    assert stored["match"]["reviewed_by"] == "alice"  # the store agrees with the audit
    stored_counts, rollup_counts = quality_counts(cluster.target())
    assert rollup_counts == stored_counts  # and the dashboard with both
