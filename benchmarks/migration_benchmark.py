"""How fast the migration runs at production scale (issue 2).

Seeds the demo source (129,483 rows and 300,000 parcels by default) with the demo seeder, then
runs the migration with matching (`--skip-matching`: without), and prints documents/s, seconds
per phase and memory. A second, idempotent run is timed too (it must write nothing).

    .venv/bin/python benchmarks/migration_benchmark.py [--participants 129483] [--parcels 300000]
        [--skip-matching] [--tracemalloc]

Memory: `peak RSS` is the process's high-water mark (resource.getrusage), seeding included;
`RSS growth during migration` is the RSS after the migration minus before it. With
`--tracemalloc` the peak of Python allocations during the migration alone is printed too
(it slows the run down, so the timings of such a run are not the figures to quote).
Runs on a throw-away store server of its own (benchmarks/bench.py).
"""

import argparse
import time
import tracemalloc
from datetime import UTC, datetime

import bench  # noqa: E402, I001 - starts the store and Django first

from demo import generator as demo_data  # noqa: E402
from migration.options import DEFAULT_BATCH_SIZE  # noqa: E402
from migration.run import MigrationOptions, run_migration  # noqa: E402

COUNTY_KEYS = ("county_index_load", "county_index_wait")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=bench.PRODUCTION_ROWS)
    parser.add_argument("--parcels", type=int, default=bench.PRODUCTION_PARCELS)
    parser.add_argument("--seed", type=int, default=demo_data.DEFAULT_SEED)
    parser.add_argument("--skip-matching", action="store_true")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    now = datetime.now(UTC)

    started = time.perf_counter()
    summary = demo_data.seed(
        participants=args.participants, seed=args.seed, now=now, parcels=args.parcels
    )
    print(
        f"seeded {summary['source_documents']:,} source rows and {args.parcels:,} parcels "
        f"in {time.perf_counter() - started:.1f} s"
    )

    before = bench.rss_mb()
    if args.tracemalloc:
        tracemalloc.start()
    options = MigrationOptions(
        batch_size=args.batch_size, skip_matching=args.skip_matching, progress=False
    )
    cpu_before = bench.cpu_seconds()
    report = run_migration(now=now, options=options)
    cpu = bench.cpu_since(cpu_before)
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
    tracemalloc.stop()
    after = bench.rss_mb()

    rows = report["source_documents"]
    seconds = report["seconds"]
    print(f"migrated {rows:,} rows into {report['participants']:,} participants")
    print(f"quarantined {report['quarantined']:,} {report['quarantine_reasons']}")
    print(f"validation ok: {report['validation']['ok']}")
    matching = "no matching" if args.skip_matching else "with matching"
    print(f"whole migration ({matching}): {seconds:.1f} s = {rows / seconds:,.0f} documents/s")
    for phase, phase_seconds in report["phases"].items():
        print(f"  {phase:<20} {phase_seconds:7.2f} s")
    print(cpu)
    print(f"  county index: {report['county_index']} (REUSED: the snapshot; BUILT: read and built)")
    if report["matching"]:
        print(f"  match quality {report['matching']['match_quality']}")
    print(f"RSS before migration {before:,.0f} MB, after {after:,.0f} MB")
    print(f"RSS growth during migration {after - before:,.0f} MB")
    print(f"peak RSS of the process {bench.peak_rss_mb():,.0f} MB (seeding included)")
    print(bench.store_figures())
    if traced_peak is not None:
        print(f"tracemalloc peak during migration {traced_peak:,.0f} MB")

    cpu_before = bench.cpu_seconds()
    rerun = run_migration(now=now, options=options)
    print(
        f"second run: {rerun['seconds']:.1f} s, written {rerun['written']['participants']}, "
        f"quarantine {rerun['written']['quarantine']}; {bench.cpu_since(cpu_before)}"
    )
    if rerun["matching"]:
        county = {key: rerun["phases"].get(key) for key in COUNTY_KEYS}
        print(f"  county index: {rerun['county_index']}, {county}")


if __name__ == "__main__":
    main()
