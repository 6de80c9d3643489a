"""Matching speed and quality at production scale on the demo data (issue 3).

Seeds the demo (129,483 source rows and 300,000 parcels by default), migrates without matching,
then prints:
- index build time and memory (tracemalloc of a second, traced build: bytes per parcel);
- participants/s for normalisation + candidate search + scoring (`scoring.decide`), and for the
  whole in-memory decision with demographic linking (`services.match_row`), on one core (a
  two-process pool measured slower and was removed);
- the full `match_participants` run with its writes;
- precision, recall, F1 and coverage against the ground truth (`match_quality_report`).

    .venv/bin/python benchmarks/matching_benchmark.py [--participants 129483] [--parcels 300000]

Runs on a throw-away store server of its own (benchmarks/bench.py).
"""

import argparse
import gc
import os
import time
import tracemalloc
from datetime import UTC, datetime

import bench  # noqa: E402, I001 - starts the store and Django first
from django.core.management import call_command  # noqa: E402

from demo import generator as demo_data  # noqa: E402
from empowersave.compiled import running_as  # noqa: E402
from matching import scoring, services  # noqa: E402
from matching.county_index import load_index  # noqa: E402
from migration.run import MigrationOptions, run_migration  # noqa: E402


def _rate(count, seconds, cpu_seconds):
    """Participants/s in wall time and in this process's CPU time (on the shared machine the
    wall time also counts the other processes' share of the core; the load average is printed
    with it)."""
    load = os.getloadavg()[0]
    return (
        f"{count / seconds:,.0f} participants/s ({count:,} in {seconds:.2f} s; "
        f"CPU {cpu_seconds:.2f} s = {count / cpu_seconds:,.0f}/s; load {load:.1f})"
    )


def _decide_all(index, rows, thresholds):
    for row in rows:
        scoring.decide(index, scoring.participant_query(row), thresholds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=bench.PRODUCTION_ROWS)
    parser.add_argument("--parcels", type=int, default=bench.PRODUCTION_PARCELS)
    parser.add_argument("--seed", type=int, default=demo_data.DEFAULT_SEED)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    now = datetime.now(UTC)
    print(f"matcher: {running_as(scoring)}")

    started = time.perf_counter()
    summary = demo_data.seed(
        participants=args.participants, seed=args.seed, now=now, parcels=args.parcels
    )
    print(
        f"seeded {summary['source_documents']:,} source rows, "
        f"{sum(summary['parcels'].values()):,} parcels, "
        f"{summary['demographic_records']:,} household records "
        f"in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    options = MigrationOptions(skip_matching=True, progress=False)
    migrated = run_migration(now=now, options=options)
    print(
        f"migrated {migrated['participants']:,} participants (no matching) "
        f"in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    index = load_index()
    build_seconds = time.perf_counter() - started
    parcels = len(index.parcels)
    print(
        f"index build: {build_seconds:.2f} s for {parcels:,} parcels and "
        f"{len(index.demographics):,} household records (read + normalise + index, and its "
        "snapshot stored)"
    )
    gc.collect()
    tracemalloc.start()
    traced = load_index(rebuild=True)  # built, as the first (not the snapshot it stored)
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del traced
    gc.collect()
    print(
        f"index memory: {size / 2**20:,.1f} MB, {size / parcels:,.0f} bytes per parcel "
        f"(household records included); 500,000 parcels ≈ {size / parcels * 5e5 / 2**20:,.0f} MB"
    )

    rows = list(services.participants_in_scope(services.MatchScope()))
    thresholds = scoring.Thresholds.from_settings()
    gc.freeze()  # as match_participants does during a run
    started, cpu = time.perf_counter(), time.process_time()
    _decide_all(index, rows, thresholds)
    print(
        "one core, normalise + search + score:",
        _rate(len(rows), time.perf_counter() - started, time.process_time() - cpu),
    )
    started, cpu = time.perf_counter(), time.process_time()
    for row in rows:
        services.match_row(index, row, thresholds)
    print(
        "one core, + demographic linking:     ",
        _rate(len(rows), time.perf_counter() - started, time.process_time() - cpu),
    )
    gc.unfreeze()

    scope = services.MatchScope(batch_size=args.batch_size)
    stats = services.match_participants(now=now, scope=scope, index=index)
    print(
        "match_participants (stream, decide, bulk write): "
        f"{stats['seconds']['match_and_write']:.1f} s for {stats['processed']:,} participants"
    )
    print(f"  qualities: {stats['match_quality']}")
    print(f"  no_match reasons: {stats['no_match_reasons']}")
    print(f"  demographic linked by: {stats['demographic_linked_by']}")

    call_command("match_quality_report", sample=5)

    print(bench.store_figures())


if __name__ == "__main__":
    main()
