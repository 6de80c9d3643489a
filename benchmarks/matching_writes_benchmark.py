"""Where `match_participants`' time goes beside deciding: its reads and writes, by collection.

Seeds the demo, migrates without matching, loads the county index, then runs
`match_participants` on everyone three times and prints, for each run, every command it sent
by collection: how many, how many documents they wrote, their time as the driver saw it and the
store server's CPU during them (/proc; hardly changed by other jobs' load):

1. the first run (everyone is matched for the first time: participants, listing and listing
   keys all change);
2. a re-match with nothing changed (it must write nothing);
3. a re-match after every stored match was given another `parameters_version` (each decision
   the same, each match record different: one participant write each, no listing change).

    .venv/bin/python benchmarks/matching_writes_benchmark.py [--participants 20000]
        [--parcels 50000]

Runs on a throw-away store server of its own (benchmarks/bench.py).
"""

import argparse
import time
from collections import defaultdict
from datetime import UTC, datetime

import bench  # noqa: E402, I001 - starts the store and Django first
from pymongo import monitoring  # noqa: E402

from demo import generator as demo_data  # noqa: E402
from empowersave import mongodb  # noqa: E402
from matching import services  # noqa: E402
from matching.county_index import load_index  # noqa: E402
from migration.run import MigrationOptions, run_migration  # noqa: E402
from participants.documents import MatchQuality, Participant, ParticipantListing  # noqa: E402

WRITTEN = {"insert": "documents", "update": "updates", "delete": "deletes"}


class _Commands(monitoring.CommandListener):
    """Each command's count, documents written, driver time and server CPU, by collection."""

    def __init__(self):
        self.started_at = {}
        self.reset()

    def reset(self):
        self.figures = defaultdict(lambda: [0, 0, 0.0, 0.0])

    def started(self, event):
        name = event.command_name
        collection = event.command.get("collection" if name == "getMore" else name)
        written = len(event.command.get(WRITTEN.get(name, ""), ()))
        server = bench.cpu_seconds()[1]
        self.started_at[event.request_id] = (name, collection, written, server)

    def succeeded(self, event):
        name, collection, written, server = self.started_at.pop(event.request_id)
        if not isinstance(collection, str):
            return
        figures = self.figures[(name, collection)]
        figures[0] += 1
        figures[1] += written
        figures[2] += event.duration_micros / 1e6
        if server is not None:
            figures[3] += bench.cpu_seconds()[1] - server

    failed = succeeded

    def lines(self, participants):
        rows = sorted(self.figures.items(), key=lambda item: -item[1][2])
        for (name, collection), (count, written, seconds, server) in rows:
            per = f"{seconds * 1000 / participants:5.2f} ms a participant" if participants else ""
            yield (
                f"  {name:8s} {collection:28s} {count:5,} commands {written:7,} documents "
                f"{seconds:7.1f} s (server CPU {server:6.1f} s) {per}"
            )


# Registered before the first client is made: a listener serves only the clients made after it.
_COMMANDS = _Commands()
monitoring.register(_COMMANDS)


def _run(title, commands, scope, index):
    commands.reset()
    cpu = bench.cpu_seconds()
    stats = services.match_participants(now=datetime.now(UTC), scope=scope, index=index)
    processed = stats["processed"]
    seconds = stats["seconds"]["match_and_write"]
    print(
        f"{title}: match_and_write {seconds:.1f} s for {processed:,} participants "
        f"({seconds * 1000 / max(processed, 1):.2f} ms each); written {stats['written']:,}, "
        f"unchanged {stats['unchanged']:,}, conflicts {stats['conflicts']:,}; "
        f"{bench.cpu_since(cpu)}"
    )
    for line in commands.lines(processed):
        print(line)


def _plans():
    """The winning plans of the run's reads: whom it takes (the listing), and their documents."""
    selector = services.participant_selectors()[0]
    listing = mongodb.collection_for(ParticipantListing).find(selector, {"_id": 1})
    first = mongodb.collection_for(ParticipantListing).find_one(selector, {"_id": 1}) or {}
    documents = mongodb.collection_for(Participant).find({"_id": {"$in": [first.get("_id")]}})
    for name, cursor in (("whom", listing), ("documents", documents)):
        plan, stages = cursor.explain().get("queryPlanner", {}).get("winningPlan"), []
        while plan:
            stages.append(" ".join(filter(None, (plan.get("stage"), plan.get("indexName")))))
            plan = plan.get("inputStage")
        print(f"  plan of the {name}: {' < '.join(stages)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--parcels", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=demo_data.DEFAULT_SEED)
    args = parser.parse_args()
    now = datetime.now(UTC)
    started = time.perf_counter()
    demo_data.seed(participants=args.participants, seed=args.seed, now=now, parcels=args.parcels)
    migrated = run_migration(now=now, options=MigrationOptions(skip_matching=True, progress=False))
    index = load_index()
    print(
        f"seeded {args.participants:,} source rows and {args.parcels:,} parcels, migrated "
        f"{migrated['participants']:,} participants (no matching), index loaded, in "
        f"{time.perf_counter() - started:.1f} s"
    )
    _plans()
    commands = _COMMANDS
    everyone = services.MatchScope(qualities=(None, *MatchQuality.CHOICES))
    _run("first run", commands, services.MatchScope(), index)
    _run("re-match, nothing changed", commands, everyone, index)
    mongodb.collection_for(Participant).update_many({}, {"$set": {"match.parameters_version": 0}})
    _run("re-match, every match record changed", commands, everyone, index)


if __name__ == "__main__":
    main()
