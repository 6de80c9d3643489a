"""Learning from reviews on the demo: reviewers decide the queue by the ground truth, then
`calibrate_matching` fits a new version from EM plus their labels, and a rematch uses it.

Seeds the demo and migrates it with matching (`MATCH_ACCEPT_PROBABILITY` as set, or --accept),
then plays a reviewer on --reviews queue items (most uncertain first) who knows the truth: the
true parcel is accepted when it is a candidate, picked by hand when it is not, and "no match" is
said for people who live at no parcel. It prints: the labels, the precision and recall on the
labelled participants (Wilson 95 %) of the active and the new parameters, the seconds
`calibrate` took (index, read, EM, evaluation), and the matcher's precision and recall on the
whole demo (match_quality_report) before and after `rematch_participants` with the new version,
and that no staff decision moved.

    .venv/bin/python benchmarks/calibration_benchmark.py [--participants 20000] [--reviews 300]
        [--accept 0.95] [--sample N]
"""

import argparse
import os
import tempfile
import time
from random import Random

# Users and the review audit in a throw-away SQLite file.
SQL_DIR = tempfile.TemporaryDirectory(prefix="calibration-")
os.environ["DATABASE_URL"] = f"sqlite:///{SQL_DIR.name}/calibration.sqlite3"

import bench  # noqa: E402, I001 - starts the store and Django first
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from empowersave import mongodb  # noqa: E402
from matching import learning  # noqa: E402
from matching.report import quality_report  # noqa: E402
from matching.services import rematch_participants  # noqa: E402
from participants.documents import Participant  # noqa: E402
from review import selectors, services  # noqa: E402


def _truths():
    found = {}
    for doc in mongodb.ground_truth_collection().find({}, {"_id": 0}):
        parcel = doc.get("parcel_id")
        found[doc["contact_id"]] = (doc.get("county"), str(parcel)) if parcel else None
    return found


def review_by_truth(*, reviews, reviewer, now):
    """Decide the first `reviews` queue items (most uncertain first) as the truth says."""
    truths = _truths()
    decided = {"accept": 0, "pick": 0, "no_match": 0, "no_truth_known": 0}
    for doc in selectors.review_queue("uncertain").limit(reviews).as_pymongo():
        contact = doc["contact_id"]
        if contact not in truths:
            decided["no_truth_known"] += 1
            continue
        truth, version = truths[contact], doc["match"].get("version") or 0
        kept = {(c["county"], str(c["parcel_id"])) for c in doc["match"].get("candidates") or []}
        common = {"participant_id": doc["_id"], "expected_version": version,
                  "reviewer": reviewer, "now": now}  # fmt: skip
        if truth is None:
            services.mark_no_match(reason="No parcel at this address", **common)
            decided["no_match"] += 1
        elif truth in kept:
            services.accept_candidate(county=truth[0], parcel_id=truth[1], **common)
            decided["accept"] += 1
        else:
            services.pick_parcel(county=truth[0], parcel_id=truth[1], **common)
            decided["pick"] += 1
    return decided


def _staff_decisions():
    query = {"match.quality": {"$in": ["manual", "no_match"]}}
    return {
        doc["_id"]: doc
        for doc in mongodb.collection_for(Participant).find(query)
        if doc["match"].get("reviewed_by")
    }


def _residence(report):
    figures = report["residence"]
    return (
        f"precision {figures['precision']}, recall {figures['recall']} ({figures['links']:,} links)"
    )


def _figure(name, figure):
    if figure["value"] is None:
        return f"{name} —"
    low, high = figure["interval"]
    counts = f"({figure['successes']} of {figure['trials']})"
    return f"{name} {figure['value']:.4f} [{low:.4f}, {high:.4f}] {counts}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=20_000, help="demo source documents")
    parser.add_argument("--reviews", type=int, default=300, help="queue items a reviewer decides")
    parser.add_argument("--accept", type=float, default=None, help="MATCH_ACCEPT_PROBABILITY")
    parser.add_argument("--sample", type=int, default=None, help="EM over this many participants")
    args = parser.parse_args()
    now = timezone.now()
    if args.accept is not None:
        settings.MATCH_ACCEPT_PROBABILITY = args.accept
    call_command("migrate", verbosity=0)
    call_command("seed_demo_data", participants=args.participants, verbosity=0)
    call_command("migrate_participants", verbosity=0)
    queue = selectors.review_queue().count()
    people = mongodb.collection_for(Participant).estimated_document_count()
    print(f"demo: {args.participants:,} rows, {people:,} people, {queue:,} in the review queue "
          f"(accept at {settings.MATCH_ACCEPT_PROBABILITY})")  # fmt: skip
    before = quality_report(sample_size=0)
    print(f"matching, version 1: residence {_residence(before)}")

    reviewer = User.objects.create_user("reviewer", is_staff=True)
    started = time.perf_counter()
    decided = review_by_truth(reviews=args.reviews, reviewer=reviewer, now=now)
    print(f"reviewed {sum(decided.values()):,} items by the truth in "
          f"{time.perf_counter() - started:.1f} s: {decided}")  # fmt: skip

    started = time.perf_counter()
    result = learning.calibrate(now=now, by="benchmark", rng=Random(2024), sample=args.sample)
    seconds = time.perf_counter() - started
    training = result.parameters.training
    print(f"calibrate: {seconds:.1f} s; {result.labelled:,} labelled participants, "
          f"{result.labels:,} labelled pairs, EM over {training['candidate_pairs']:,} candidate "
          f"pairs of {training['participants']:,} participants, {training['iterations']} "
          f"iterations; saved as version {result.parameters.version}: {result.saved}")  # fmt: skip
    for title, figures in (("version 1", result.before), ("new", result.after)):
        print(f"  labelled set, {title}: {_figure('precision', figures['precision'])}; "
              f"{_figure('recall', figures['recall'])}")  # fmt: skip

    staff = _staff_decisions()
    started = time.perf_counter()
    stats = rematch_participants(now=now)
    seconds = time.perf_counter() - started
    print(f"rematch with version {result.parameters.version}: {stats['processed']:,} "
          f"processed, {stats['written']:,} changed in {seconds:.1f} s")  # fmt: skip
    after = quality_report(sample_size=0)
    print(f"matching, version {result.parameters.version}: residence {_residence(after)}")
    print(f"staff decisions unchanged by the rematch: {_staff_decisions() == staff} "
          f"({len(staff):,})")  # fmt: skip
    print(bench.store_figures())


if __name__ == "__main__":
    main()
