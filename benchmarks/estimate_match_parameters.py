"""Estimate the matcher's parameters from the demo data and print them (matching.calibration).

m by EM over the candidate pairs blocking finds, u from random pairs, the prior from EM; the
printed dict is what `matching.weights.DEFAULT_PARAMETERS` holds. With `--labelled` it also fits
m and u from the ground-truth labels alone, to show how far EM is from them.

    .venv/bin/python benchmarks/estimate_match_parameters.py [--participants 20000] [--seed 2024]
"""

import argparse
import os
import pprint
import sys
from collections import Counter
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "empowersave.settings")

import django  # noqa: E402

django.setup()

from benchmarks.matching_data import demo_dataset  # noqa: E402
from matching import calibration, scoring, services  # noqa: E402
from participants import demo_data  # noqa: E402


def labelled_patterns(index, rows, queries, truth, thresholds):
    """Counter {(pattern, is_match): pairs} of every candidate pair, labelled by the truth."""
    labels = Counter()
    prior = thresholds.parameters.model().prior_weight(len(index.parcels))
    parcels = index.parcels
    for row, query in zip(rows, queries, strict=True):
        true = truth.get(row["contact_id"])
        for candidate in scoring.candidates(index, query, thresholds, prior):
            key = (parcels.county[candidate.row], parcels.parcel_id[candidate.row])
            labels[(candidate.levels, key == true)] += 1
    return labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=demo_data.DEFAULT_PARTICIPANTS)
    parser.add_argument("--seed", type=int, default=demo_data.DEFAULT_SEED)
    parser.add_argument("--labelled", action="store_true")
    args = parser.parse_args()
    index, rows, truth = demo_dataset(participants=args.participants, seed=args.seed)
    queries = [services.participant_query(row) for row in rows]
    thresholds = scoring.Thresholds.from_settings()
    parameters = calibration.estimate_parameters(
        index, queries, thresholds, rng=Random(args.seed), version=1, source="em"
    )
    print(f"prior={parameters.prior}, training={parameters.training}")
    print("m =", end=" ")
    pprint.pprint(parameters.m, sort_dicts=False, width=100)
    print("u =", end=" ")
    pprint.pprint(parameters.u, sort_dicts=False, width=100)
    if args.labelled:
        labels = labelled_patterns(index, rows, queries, truth, thresholds)
        start = thresholds.parameters
        fitted = calibration.fit_em(
            Counter(), m=start.m, u=start.u, match_share=0.3, labels=labels, iterations=1
        )
        print("m from the labels alone =", end=" ")
        pprint.pprint(fitted.m, sort_dicts=False, width=100)


if __name__ == "__main__":
    main()
