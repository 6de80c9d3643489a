"""Our matcher beside Splink 5 (DuckDB backend) on the same participants and parcels.

Both get the same normalised columns (matching.address_parser: house number, street name, suffix,
directional, city, 5-digit ZIP, order-free name and surname, email, phone), the same blocking
(house number + ZIP, house number + street, name + ZIP, name + city, email, phone) and the same
rule for a link: the best candidate of a participant, when its match probability is at least
MATCH_ACCEPT_PROBABILITY (0.99). Splink is trained the way its documentation trains a link job:
u by random sampling, m by EM over two blocking rules, the prior from our EM's share of people
who live at a parcel. Ours runs with its parameters estimated by EM on the same data (FEBRL4) or
its defaults (demo, holdout); `--em` / `--no-em` choose. The holdout set
(benchmarks/holdout_data.py) is US-style data the matcher was never tuned on. Each matcher runs
in its own process, so its peak memory is its own.

Prints, for both: precision, recall, F1, participants/s (search and score: our `decide` per
participant, Splink's `predict`; training apart), the process's peak RSS (data, index and
matcher; both build the same in-memory dataset first), and of the people who live at a parcel
but were left unlinked (for review), the share whose true parcel is the best candidate. Needs
benchmarks/requirements.txt.

    .venv/bin/python benchmarks/splink_comparison.py [--dataset febrl|demo|holdout]
        [--participants N] [--em | --no-em]
"""

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "empowersave.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from benchmarks.matching_data import (  # noqa: E402
    demo_dataset,
    evaluate,
    febrl_dataset,
    holdout_dataset,
    link_figures,
)
from matching import calibration, scoring  # noqa: E402
from matching.index import email_key, name_key, phone_key  # noqa: E402
from matching.street_forms import normalize_street  # noqa: E402


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _dataset(args):
    if args.dataset == "febrl":
        return febrl_dataset()
    if args.dataset == "holdout":
        return holdout_dataset()
    return demo_dataset(participants=args.participants)


def _thresholds(args, index, rows):
    thresholds = scoring.Thresholds.from_settings()
    if not _estimates(args):
        return thresholds, 0.0
    started = time.perf_counter()
    queries = [scoring.participant_query(row) for row in rows]
    parameters = calibration.estimate_parameters(
        index, queries, thresholds, rng=Random(1), version=2
    )
    return thresholds._replace(parameters=parameters), time.perf_counter() - started


def _estimates(args):
    """Whether ours estimates its parameters by EM on the data: FEBRL4 by default."""
    return args.dataset == "febrl" if args.em is None else args.em


def run_ours(args):
    index, rows, truth = _dataset(args)
    thresholds, training = _thresholds(args, index, rows)
    gc.freeze()  # as match_participants does: the index is millions of long-lived objects
    figures, _seconds = evaluate(index, rows, truth, thresholds)
    started = time.perf_counter()  # search and score alone, as Splink's predict
    for row in rows:
        scoring.decide(index, scoring.participant_query(row), thresholds)
    seconds = time.perf_counter() - started
    return {**figures, "seconds": seconds, "training_seconds": training, "peak_mb": _rss_mb()}


# --- Splink -----------------------------------------------------------------------------------


def _street_parts(street):
    parts = normalize_street(street) if street else None
    return (parts.key, parts.suffix) if parts else (None, None)


def _surname_of(customer_name):
    """The surname words of a household record's name: "LAST, FIRST" or "First Last"."""
    if not customer_name:
        return None
    text = str(customer_name)
    last = text.split(",")[0] if "," in text else text.split()[-1]
    return name_key(last)


def _tables(index, rows):
    """(participants, parcels) as pandas frames of the same normalised columns."""
    import pandas

    left = []
    for row in rows:
        query = scoring.participant_query(row)
        street, suffix = _street_parts(query.street)
        left.append(
            {
                "unique_id": str(row["contact_id"]),
                "house_number": query.house_number,
                "street": street,
                "suffix": suffix,
                "city": query.city,
                "zip5": query.zips[0] if query.zips else None,
                "name": query.name,
                "surname": " ".join(sorted(query.surname)) if query.surname else None,
                "email": query.email,
                "phone": query.phones[0] if query.phones else None,
            }
        )
    parcels, demographics = index.parcels, index.demographics
    household = {}
    for record in demographics.records:
        household.setdefault((record[0], record[1]), record)
    right = []
    for row in range(len(parcels)):
        street, suffix = _street_parts(parcels.street[row])
        key = (parcels.county[row], parcels.parcel_id[row])
        record = household.get(key)
        right.append(
            {
                "unique_id": f"{key[0]}|{key[1]}",
                "house_number": parcels.house_number[row],
                "street": street,
                "suffix": suffix,
                "city": parcels.city[row],
                "zip5": parcels.zip5[row],
                "name": name_key(record[2]) if record else None,
                "surname": _surname_of(record[2]) if record else None,
                "email": email_key(record[3]) if record else None,
                "phone": phone_key(record[4]) if record else None,
            }
        )
    return pandas.DataFrame(left), pandas.DataFrame(right)


def _settings(columns, prior):
    """Splink's settings: the comparisons of the columns that hold any value."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons = [
        cl.LevenshteinAtThresholds("house_number", [1]),
        cl.JaroWinklerAtThresholds("street", [0.95, 0.88]).configure(
            term_frequency_adjustments=True
        ),
        cl.ExactMatch("suffix"),
        cl.JaroWinklerAtThresholds("city", [0.9]),
        cl.LevenshteinAtThresholds("zip5", [1, 2]),
        cl.JaroWinklerAtThresholds("name", [0.92]),
        cl.ExactMatch("surname"),
        cl.ExactMatch("email"),
        cl.ExactMatch("phone"),
    ]
    return SettingsCreator(
        link_type="link_only",
        comparisons=[
            c for c in comparisons if c.get_comparison("duckdb").output_column_name in columns
        ],
        probability_two_random_records_match=prior,
        blocking_rules_to_generate_predictions=[
            block_on("house_number", "zip5"),
            block_on("house_number", "street"),
            block_on("name", "zip5"),
            block_on("name", "city"),
            block_on("email"),
            block_on("phone"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def run_splink(args):
    import duckdb
    from splink import DuckDBAPI, Linker, block_on

    index, rows, truth = _dataset(args)
    left, right = _tables(index, rows)
    started = time.perf_counter()
    database = DuckDBAPI(duckdb.connect(config={"threads": args.threads}))
    tables = [database.register(left, dataset_display_name="participants"),
              database.register(right, dataset_display_name="parcels")]  # fmt: skip
    share = {"febrl": 0.9, "holdout": 0.84}.get(args.dataset, 0.86)  # people who live at a parcel
    columns = {column for column in left.columns if left[column].notna().any()}
    linker = Linker(tables, _settings(columns, share / len(right)), log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("house_number", "zip5")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("street", "zip5"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("house_number", "street")
    )
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.01).as_pandas_dataframe()
    predicted = time.perf_counter()
    accept = settings.MATCH_ACCEPT_PROBABILITY
    linked = {}
    for row in predictions.sort_values("match_probability", ascending=False).itertuples():
        participant, parcel = row.unique_id_l, row.unique_id_r
        if row.source_dataset_l == "parcels":
            participant, parcel = parcel, participant
        if participant not in linked:  # the best candidate of each participant
            linked[participant] = (row.match_probability, tuple(parcel.split("|", 1)))
    best = {key: parcel for key, (_p, parcel) in linked.items()}
    linked = {key: parcel for key, (p, parcel) in linked.items() if p >= accept}
    correct = wrong = missed = first = 0
    for row in rows:
        contact = str(row["contact_id"])
        true = truth.get(row["contact_id"])
        got = linked.get(contact)
        if got is not None:
            correct += got == true
            wrong += got != true
        elif true is not None:
            missed += 1
            first += best.get(contact) == true
    return {
        "participants": len(rows),
        **link_figures(correct=correct, wrong=wrong, missed=missed),
        "truth_first": first / missed if missed else None,
        "seconds": predicted - trained,
        "training_seconds": trained - started,
        "peak_mb": _rss_mb(),
    }


def _share(value):
    return "-" if value is None else f"{value:.1%}"


def _child(args, which):
    command = [sys.executable, __file__, "--dataset", args.dataset, "--threads",
               str(args.threads), "--participants", str(args.participants),
               "--only", which, "--em" if _estimates(args) else "--no-em"]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=("febrl", "demo", "holdout"), default="febrl")
    parser.add_argument("--participants", type=int, default=20_000, help="demo source rows")
    parser.add_argument("--threads", type=int, default=1, help="DuckDB threads (ours: one core)")
    parser.add_argument(
        "--em",
        action=argparse.BooleanOptionalAction,
        help="ours: estimate its parameters by EM on the data (default: FEBRL4 only)",
    )
    parser.add_argument("--only", choices=("ours", "splink"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        figures = (run_ours if args.only == "ours" else run_splink)(args)
        print(json.dumps(figures))
        return
    results = {which: _child(args, which) for which in ("ours", "splink")}
    print(f"dataset: {args.dataset}, accept at probability ≥ {settings.MATCH_ACCEPT_PROBABILITY}, "
          f"DuckDB threads: {args.threads}, ours: {'EM' if _estimates(args) else 'default'} "
          "parameters")  # fmt: skip
    print(f"{'':8}{'precision':>10}{'recall':>9}{'F1':>8}{'links':>7}{'wrong':>7}"
          f"{'participants/s':>16}{'training s':>12}{'peak RSS MB':>12}"
          f"{'review: first':>15}")  # fmt: skip
    for which, r in results.items():
        rate = r["participants"] / r["seconds"] if r["seconds"] else float("inf")
        print(f"{which:8}{r['precision']:>10.4f}{r['recall']:>9.4f}{r['f1']:>8.4f}"
              f"{r['links']:>7}{r['wrong']:>7}{rate:>16,.0f}{r['training_seconds']:>12.1f}"
              f"{r['peak_mb']:>12.0f}{_share(r['truth_first']):>15}")  # fmt: skip


if __name__ == "__main__":
    main()
