"""How fast `sync_emailoctopus` takes in a new campaign (issue 6).

Seeds the demo source and migrates it (no matching), so the target holds a realistic population.
Then a new campaign is served by the local fake API (tests/emailoctopus/fake_emailoctopus.py,
real HTTP): it
goes to `--contacts` people of one demo list, a share of them new to us, with realistic open,
click, bounce, complaint and unsubscribe rates. Three syncs are timed: the first (creates and
updates participants, matches the new ones), a second with nothing new, and a third after a
few hundred late "opened" events.

Matching the first sync's new people needs the county index. By default the benchmark builds
its snapshot after seeding (as any command that matched since the county data last changed would
have; matching.county_index), so the first sync finds it current and only checks the county data
against it; `--county-snapshot none` drops it, and the first sync builds the index itself.

    .venv/bin/python benchmarks/emailoctopus_sync_benchmark.py [--participants 10000]
        [--contacts 5000] [--new-share 0.3] [--county-snapshot current|none] [--batch-size N]

The client's own rate limit is lifted so that the figures are the sync's; the real API allows
10 requests/s, so `requests / 10` seconds is the floor of a real run, printed beside them.
Runs on a throw-away store server of its own (benchmarks/bench.py).
"""

import argparse
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import bench  # noqa: E402, I001 - starts the store and Django first

from demo import generator as demo_data  # noqa: E402
from emailoctopus.client import EmailOctopusClient  # noqa: E402
from emailoctopus.ratelimit import TokenBucket  # noqa: E402
from emailoctopus.sync import BATCH_SIZE, SyncOptions, sync_emailoctopus  # noqa: E402
from empowersave import mongodb  # noqa: E402
from matching import county_index, county_snapshot  # noqa: E402
from migration.run import MigrationOptions, run_migration  # noqa: E402
from tests.emailoctopus.fake_emailoctopus import FakeEmailOctopus  # noqa: E402

RATES = {"opened": 0.35, "clicked": 0.08, "bounced": 0.02, "complained": 0.002}
UNSUBSCRIBE_RATE = 0.01
API_REQUESTS_PER_SECOND = 10


def iso(moment):
    return moment.astimezone(UTC).isoformat()


def list_contacts(*, count, new_share, rng, now):
    """Contacts of the demo's first list as the API would list them, plus new people."""
    source = mongodb.source_collection()
    list_id = mongodb.source_campaigns_collection().find_one()["list_id"]
    known = {}
    for doc in source.find({}, {"contact_id": 1, "email_address": 1, "fields": 1, "status": 1}):
        if doc.get("contact_id") and isinstance(doc.get("fields"), dict):
            known.setdefault(doc["contact_id"], doc)
    existing_count = min(int(count * (1 - new_share)), len(known))
    contacts = []
    for doc in rng.sample(sorted(known.values(), key=lambda d: d["contact_id"]), existing_count):
        contacts.append(
            {
                "id": doc["contact_id"],
                "email_address": doc.get("email_address"),
                "fields": doc["fields"],
                "status": str(doc.get("status") or "subscribed").lower(),
                "created_at": iso(now - timedelta(days=400)),
                "last_updated_at": iso(now - timedelta(days=rng.randint(1, 400))),
            }
        )
    templates = [c["fields"] for c in contacts] or [{"FirstName": "New"}]
    for index in range(count - existing_count):
        contacts.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
                "email_address": f"new.person{index}@example.org",
                "fields": {**rng.choice(templates), "FirstName": f"New{index}"},
                "status": "subscribed",
                "created_at": iso(now - timedelta(days=3)),
                "last_updated_at": iso(now - timedelta(days=2)),
            }
        )
    return list_id, contacts


def campaign_reports(contacts, *, sent_at, rng):
    reports = {status: [] for status in ("sent", *RATES, "unsubscribed")}
    for contact in contacts:
        row = {"contact_id": contact["id"], "contact_email_address": contact["email_address"]}
        reports["sent"].append({**row, "occurred_at": iso(sent_at)})
        opened = rng.random() < RATES["opened"]
        for status, rate in RATES.items():
            if status in ("clicked", "complained") and not opened:
                continue
            if status == "opened" and not opened or status != "opened" and rng.random() >= rate:
                continue
            at = sent_at + timedelta(minutes=rng.randint(1, 3000))
            reports[status].append({**row, "occurred_at": iso(at)})
        if rng.random() < UNSUBSCRIBE_RATE:
            at = sent_at + timedelta(minutes=rng.randint(1, 3000))
            reports["unsubscribed"].append({**row, "occurred_at": iso(at)})
    for rows in reports.values():
        rows.sort(key=lambda r: r["occurred_at"])
    return reports


def timed_sync(api, now, label, *, options):
    client = EmailOctopusClient(
        api_key=api.api_key,
        base_url=api.base_url,
        bucket=TokenBucket(capacity=10**9, refill_per_second=10**9),
    )
    started, cpu_before = time.perf_counter(), bench.cpu_seconds()
    report = sync_emailoctopus(client=client, now=now, options=options)
    seconds = time.perf_counter() - started
    cpu = bench.cpu_since(cpu_before)
    requests = report["api"]["requests"]
    print(
        f"{label}: {seconds:.1f} s for {report['report_rows']:,} report rows "
        f"({report['report_rows'] / seconds:,.0f} rows/s), {requests:,} requests "
        f"(>= {requests / API_REQUESTS_PER_SECOND:.0f} s at the API's 10 requests/s)"
    )
    print(
        f"  participants {report['participants_created']:,} created, "
        f"{report['participants_updated']:,} updated, {report['participants_unchanged']:,} "
        f"unchanged; engagements {report['engagements_added']:,} added, "
        f"{report['engagements_updated']:,} updated; unchanged "
        f"{report['engagements_unchanged']:,}; quarantined {report['quarantined']:,}"
    )
    print(f"  {cpu}")
    print(f"  phases (wall seconds): {report['phase_seconds']}")
    if report["matching"]:
        quality = report["matching"].get("match_quality", report["matching"])
        print(f"  matching: {quality}, seconds {report['matching'].get('seconds')}")
        print(f"  county index: {report['matching'].get('county_index')}")
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000, help="demo source rows")
    parser.add_argument("--contacts", type=int, default=5_000, help="recipients of the campaign")
    parser.add_argument("--new-share", type=float, default=0.3, help="share of new people")
    parser.add_argument("--late-opens", type=int, default=300)
    parser.add_argument("--parcels", type=int, default=None, help="default: one per row")
    parser.add_argument("--seed", type=int, default=demo_data.DEFAULT_SEED)
    parser.add_argument(
        "--county-snapshot",
        choices=["current", "none"],
        default="current",
        help="the county index snapshot the first sync finds (see above)",
    )
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="report rows a batch")
    args = parser.parse_args()
    options = SyncOptions(batch_size=args.batch_size)
    rng = random.Random(args.seed)
    now = datetime.now(UTC).replace(microsecond=0)

    started = time.perf_counter()
    demo_data.seed(participants=args.participants, seed=args.seed, now=now, parcels=args.parcels)
    migration = run_migration(now=now, options=MigrationOptions(skip_matching=True, progress=False))
    print(
        f"seeded and migrated {migration['source_documents']:,} rows into "
        f"{migration['participants']:,} participants in {time.perf_counter() - started:.1f} s"
    )
    if args.county_snapshot == "current":
        started, cpu_before = time.perf_counter(), bench.cpu_seconds()
        county_index.load(rebuild=True)
        print(
            f"county index snapshot built in {time.perf_counter() - started:.1f} s "
            f"({bench.cpu_since(cpu_before)})"
        )
    else:
        print(f"county index snapshots dropped: {county_snapshot.drop()}")

    sent_at = now - timedelta(days=2)
    list_id, contacts = list_contacts(
        count=args.contacts, new_share=args.new_share, rng=rng, now=now
    )
    campaign_id = str(uuid.UUID(int=rng.getrandbits(128)))
    data = {
        "campaigns": [
            {
                "id": campaign_id,
                "status": "sent",
                "name": "Benchmark campaign",
                "subject": "Benchmark",
                "to": [list_id],
                "created_at": iso(sent_at - timedelta(days=1)),
                "sent_at": iso(sent_at),
            }
        ],
        "lists": {list_id: {"name": "Benchmark list", "contacts": contacts}},
        "reports": {campaign_id: campaign_reports(contacts, sent_at=sent_at, rng=rng)},
    }
    api = FakeEmailOctopus(data=data).start()
    try:
        timed_sync(api, now, "first sync", options=options)
        timed_sync(api, now, "second sync (nothing new)", options=options)
        opened = {row["contact_id"] for row in data["reports"][campaign_id]["opened"]}
        late = [c for c in contacts if c["id"] not in opened][: args.late_opens]
        for contact in late:
            api.add_event(
                campaign_id,
                "opened",
                contact_id=contact["id"],
                email=contact["email_address"],
                occurred_at=iso(now),
            )
        timed_sync(api, now, f"third sync ({len(late)} late opens)", options=options)
    finally:
        api.stop()
    print(f"peak RSS of the process {bench.peak_rss_mb():,.0f} MB (seeding and migration included)")
    print(bench.store_figures())


if __name__ == "__main__":
    main()
