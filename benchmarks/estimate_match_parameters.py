"""Estimate the matcher's parameters from the demo data and print them (matching.calibration).

u from random pairs; m from the candidate pairs the address blocks find, labelled by the demo's
ground truth (as reviewers' decisions would label them: `matching.calibration.fit_em` with
labels); the prior from the labelled matches per participant. The printed version is what
`matching.weights.DEFAULT_PARAMETERS` holds. Unsupervised EM over the same pairs is printed
beside it, to show how far it lands from the labels.

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
from demo import generator as demo_data  # noqa: E402
from matching import blocking, calibration, scoring  # noqa: E402


def labelled_patterns(index, rows, queries, truth, thresholds):
    """Counter {(pattern, is_match): pairs} of the address-blocked candidate pairs."""
    labels = Counter()
    prior = thresholds.parameters.model().prior_weight(len(index.parcels))
    parcels = index.parcels
    for row, query in zip(rows, queries, strict=True):
        true = truth.get(row["contact_id"])
        found = blocking.candidates(
            index, query, thresholds, prior, near_misses=False, people=False, other_streets=True
        )
        for candidate in found:
            key = (parcels.county[candidate.row], parcels.parcel_id[candidate.row])
            labels[(candidate.levels, key == true)] += 1
    return labels


def estimate(*, participants, seed):
    """(parameters from the labels, parameters from EM alone) of the demo data."""
    index, rows, truth = demo_dataset(participants=participants, seed=seed)
    queries = [scoring.participant_query(row) for row in rows]
    thresholds = scoring.Thresholds.from_settings()
    labels = labelled_patterns(index, rows, queries, truth, thresholds)
    labelled = calibration.estimate_parameters(
        index, queries, thresholds, rng=Random(seed), version=1, labels=labels,
        source="em+labels", unlabelled=False,
    )  # fmt: skip
    em = calibration.estimate_parameters(
        index, queries, thresholds, rng=Random(seed), version=1, source="em"
    )
    return labelled, em


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=demo_data.DEFAULT_PARTICIPANTS)
    parser.add_argument("--seed", type=int, default=demo_data.DEFAULT_SEED)
    args = parser.parse_args()
    labelled, em = estimate(participants=args.participants, seed=args.seed)
    for title, parameters in (("labelled (the defaults)", labelled), ("EM alone", em)):
        print(f"--- {title}: prior={parameters.prior}, training={parameters.training}")
        print("m =", end=" ")
        pprint.pprint(parameters.m, sort_dicts=False, width=100)
    print("u =", end=" ")
    pprint.pprint(labelled.u, sort_dicts=False, width=100)


if __name__ == "__main__":
    main()
