"""How fast the migration runs at production scale on the embedded store (issue 2).

Seeds the demo source (129,483 rows by default) with the demo seeder, then runs the migration
without matching, and prints documents/s, seconds per phase and memory. A second, idempotent
run is timed too (it must write nothing).

    .venv/bin/python benchmarks/migration_benchmark.py [--participants 129483] [--tracemalloc]

Memory: `peak RSS` is the process's high-water mark (resource.getrusage), seeding included;
`RSS growth during migration` is the RSS after the migration minus before it. With
`--tracemalloc` the peak of Python allocations during the migration alone is printed too
(it slows the run down, so the timings of such a run are not the figures to quote).
Runs only on the embedded store (MONGODB_URI=mongomock://…).
"""

import argparse
import os
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "empowersave.settings")

import django  # noqa: E402

django.setup()


from empowersave import mongodb  # noqa: E402
from participants import demo_data  # noqa: E402
from participants.migration import run_migration  # noqa: E402

PRODUCTION_ROWS = 129_483


def rss_mb():
    """Current resident set size (Linux /proc), in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=PRODUCTION_ROWS)
    parser.add_argument("--seed", type=int, default=demo_data.DEFAULT_SEED)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    if not demo_data.on_embedded_store():
        parser.error("runs only on the embedded store: it drops and seeds the demo collections")
    mongodb.connect()
    now = datetime.now(UTC)

    started = time.perf_counter()
    summary = demo_data.seed(participants=args.participants, seed=args.seed, now=now)
    print(
        f"seeded {summary['source_documents']:,} source rows "
        f"in {time.perf_counter() - started:.1f} s"
    )

    before = rss_mb()
    if args.tracemalloc:
        tracemalloc.start()
    report = run_migration(now=now, batch_size=args.batch_size, skip_matching=True, progress=False)
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
    tracemalloc.stop()
    after = rss_mb()

    rows = report["source_documents"]
    seconds = report["seconds"]
    print(f"migrated {rows:,} rows into {report['participants']:,} participants")
    print(f"quarantined {report['quarantined']:,} {report['quarantine_reasons']}")
    print(f"validation ok: {report['validation']['ok']}")
    print(f"whole migration (no matching): {seconds:.1f} s = {rows / seconds:,.0f} documents/s")
    for phase, phase_seconds in report["phases"].items():
        print(f"  {phase:<20} {phase_seconds:7.2f} s")
    print(f"RSS before migration {before:,.0f} MB, after {after:,.0f} MB")
    print(f"RSS growth during migration {after - before:,.0f} MB")
    print(f"peak RSS of the process {peak_rss_mb():,.0f} MB (seeding included)")
    if traced_peak is not None:
        print(f"tracemalloc peak during migration {traced_peak:,.0f} MB")

    rerun = run_migration(now=now, batch_size=args.batch_size, skip_matching=True, progress=False)
    print(
        f"second run: {rerun['seconds']:.1f} s, written {rerun['written']['participants']}, "
        f"quarantine {rerun['written']['quarantine']}"
    )


if __name__ == "__main__":
    main()
