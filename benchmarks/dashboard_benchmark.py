"""Server time of the dashboard pages at production scale (issue 5).

Seeds the demo source (129,483 rows by default), migrates it (with matching unless
`--skip-matching`; each batch the migration writes updates the rollups), then times 20 requests
each through Django's test client:

- the dashboard home (reads the rollups only),
- a filtered participants page: county + match quality + campaign, page 50,
- a participant detail page (a participant with both references when there is one),
- issue 13's pages: the participants page in its default name order and sorted by ZIP
  descending (blanks last), filtered by ZIP, the map, a campaign's participants, the review
  queue and the review decisions; each participants page shows its "N participants match".

Prints the median and the 95th percentile of each, after one warm-up request timed apart
("first": on a freshly migrated store, the first request since the listing was written, which
computes the order the others read remembered; participants.listing.remembered_order), and
the plan (IXSCAN or COLLSCAN) of each participants filter.

    .venv/bin/python benchmarks/dashboard_benchmark.py [--participants 129483] [--skip-matching]
    BENCHMARK_MONGODB_URI=mongodb://127.0.0.1:PORT .venv/bin/python \
        benchmarks/dashboard_benchmark.py --existing --requests 5

Runs on a throw-away store server of its own (benchmarks/bench.py); the Django SQL database is an
in-memory SQLite, so no file is touched. `--existing` seeds nothing: with
BENCHMARK_MONGODB_URI pointing at a server that already holds a migrated demo, it times issue
13's pages against that data and writes nothing there.
"""

import argparse
import io
import os
import re
import statistics
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

os.environ["DATABASE_URL"] = "sqlite://:memory:"

import bench  # noqa: E402, I001 - starts the store and Django first

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402

from dashboard.filters import ParticipantFilter  # noqa: E402
from dashboard.rollups import NOT_MATCHED, refresh_rollups  # noqa: E402
from dashboard.selectors import rollup_snapshot  # noqa: E402
from empowersave import mongodb  # noqa: E402
from participants.documents import Participant  # noqa: E402
from participants.selectors import listing  # noqa: E402

REQUESTS = 20
PAGE = 50


def timed_requests(client, url, *, count=REQUESTS):
    """Seconds of each of `count` requests (after one warm-up, whose seconds come first), all
    checked for a 200. The warm-up is the first request since the listing was written when
    no earlier one asked the same list (participants.listing.remembered_order)."""
    started = time.perf_counter()
    warm_up = client.get(url)
    seconds = [time.perf_counter() - started]
    assert warm_up.status_code == 200, (url, warm_up.status_code)
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return seconds


def report(label, seconds):
    """The median and p95 of the timed requests, and the first (the warm-up) apart."""
    first, seconds = seconds[0], seconds[1:]
    median = statistics.median(seconds)
    p95 = statistics.quantiles(seconds, n=20, method="inclusive")[18]
    print(
        f"{label:<44} median {median * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms   "
        f"first {first * 1000:8.1f} ms"
    )


def plan(query):
    """IXSCAN <index> or COLLSCAN: how the store runs the ids pass of the participants filter
    `query`, on the listing's keys when they serve it (participants.listing), else the listing."""
    filterset = ParticipantFilter(QueryDict(query), queryset=listing())
    keyed = filterset.keyed_queryset()
    filtered = filterset.qs if keyed is None else keyed
    source = "listing" if keyed is None else "keys"
    try:
        winning = filtered.explain()["queryPlanner"]["winningPlan"]
    except (AttributeError, KeyError, TypeError):  # the embedded store has no explain()
        return "(no explain on this store)"
    stage = winning.get("inputStage", winning)
    return f"{source}: {stage.get('stage')} {stage.get('indexName', '')}".strip()


def match_count(client, url):
    html = client.get(url).content.decode()
    found = re.search(r'id="match-count"[^>]*><strong>([\d,]+)</strong>', html)
    return found.group(1) if found else "?"


def issue13_pages(client, *, requests, query):
    """The pages issue 13 added or changed, with their counts and the filters' plans."""
    campaign = query["campaign"]
    zip5 = max(
        (d for key, d in rollup_snapshot().items() if key.startswith("zip:")),
        key=lambda d: d.get("participants", 0),
    )["zip"]
    pages = [
        ("participants, name order, page 1", "/participants/"),
        ("participants, ZIP descending, page 1", "/participants/?sort=-zip"),
        (f"participants, ZIP {zip5}", f"/participants/?zip={zip5}"),
        ("participants, county+quality+campaign, name", f"/participants/?{urlencode(query)}"),
        ("campaign page (its participants)", f"/campaigns/{campaign}/"),
        ("map", "/map/"),
        ("review queue", "/review/"),
        ("review decisions", "/review/decisions/"),
    ]
    print("\nplans of the participants filters:")
    for label, url in pages[:4]:
        print(f"  {label:<44} {plan(url.partition('?')[2])}")
    print(f"\n{requests} requests each (after one warm-up), with the count each page shows:")
    for label, url in pages:
        seconds = timed_requests(client, url, count=requests)
        count = match_count(client, url) if "participants" in url or "campaigns" in url else ""
        report(f"{label}{f' ({count})' if count else ''}", seconds)


def busiest_filter():
    """The county, quality and campaign with the most participants (from the rollups)."""
    snapshot = rollup_snapshot()
    counties = [d for key, d in snapshot.items() if key.startswith("county:")]
    county_doc = max(
        (d for d in counties if d.get("residence")), key=lambda d: d["residence"], default=None
    )
    campaign = max(
        (d for key, d in snapshot.items() if key.startswith("campaign:")),
        key=lambda d: d.get("sent", 0),
    )["campaign_id"]
    if county_doc is None:  # no matching: every participant is "not matched yet"
        return {"quality": NOT_MATCHED, "campaign": campaign}
    quality = max(county_doc["quality"], key=county_doc["quality"].get)
    return {"county": county_doc["county"], "quality": quality, "campaign": campaign}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=bench.PRODUCTION_ROWS)
    parser.add_argument("--parcels", type=int, default=bench.PRODUCTION_PARCELS)
    parser.add_argument("--skip-matching", action="store_true")
    parser.add_argument("--existing", action="store_true", help="time the data already stored")
    parser.add_argument("--requests", type=int, default=REQUESTS, help="timed requests a page")
    args = parser.parse_args()
    if args.existing:
        call_command("migrate", verbosity=0, interactive=False)
        client = Client()
        user = get_user_model().objects.create_user("bench", is_staff=True, is_superuser=True)
        client.force_login(user)
        participants = Participant._get_collection().estimated_document_count()
        print(f"{participants:,} participants already in the store")
        issue13_pages(client, requests=args.requests, query=busiest_filter())
        return

    started = time.perf_counter()
    call_command(
        "seed_demo_data",
        participants=args.participants,
        parcels=args.parcels,
        verbosity=0,
        stdout=io.StringIO(),
    )
    seeded = time.perf_counter()
    call_command(
        "migrate_participants",
        skip_matching=args.skip_matching,
        verbosity=0,
        stdout=io.StringIO(),
    )
    migrated = time.perf_counter()
    source = mongodb.source_collection().count_documents({})
    participants = mongodb.collection_for(Participant).count_documents({})
    print(f"seeded {source:,} source documents in {seeded - started:.0f} s")
    print(
        f"migrated to {participants:,} participants in {migrated - seeded:.0f} s "
        f"({'without' if args.skip_matching else 'with'} matching; rollups kept by each batch)"
    )

    started = time.perf_counter()
    refresh_rollups(now=datetime.now(UTC))
    print(
        f"refresh_rollups (full rebuild, one streamed pass): {time.perf_counter() - started:.1f} s"
    )

    call_command("migrate", verbosity=0, interactive=False)
    client = Client()
    # A superuser: the timed pages include the review queue and the decisions.
    client.force_login(
        get_user_model().objects.create_user("bench", is_staff=True, is_superuser=True)
    )

    query = busiest_filter()
    filtered = ParticipantFilter(QueryDict(urlencode(query)), queryset=listing()).qs
    matches = filtered.count()
    print(f"filter {query}: {matches:,} participants, so page {PAGE} has rows: {matches > 49 * 50}")

    started = time.perf_counter()
    list(filtered.only("id")[(PAGE - 1) * 50 : PAGE * 50].as_pymongo())
    print(
        f"one embedded-store scan for that page's ids (the floor of a filtered page): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )

    sample = Participant.objects(residence_ref__ne=None, demographic_ref__ne=None).first()
    sample = sample or Participant.objects.first()

    print(f"\n{REQUESTS} requests each through django.test.Client (after one warm-up):")
    report("dashboard home  /", timed_requests(client, "/"))
    report(
        f"participants, filtered, page {PAGE}",
        timed_requests(client, f"/participants/?{urlencode(query | {'page': PAGE})}"),
    )
    report("participant detail", timed_requests(client, f"/participants/{sample.id}/"))
    report("participants, unfiltered, page 1", timed_requests(client, "/participants/"))
    issue13_pages(client, requests=args.requests, query=query)

    print(bench.store_figures())


if __name__ == "__main__":
    main()
