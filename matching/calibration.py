"""Estimating the match parameters (matching.weights) from the data: pure functions.

- `random_pair_u`: u from random pairs (participant, parcel drawn at random). The columns that
  are split by a condition take their u from random pairs that meet it: `city_same_zip` from a
  random parcel of the participant's ZIP, `house_number_same_street` from two distinct parcels
  of the participant's street (a participant against a parcel of their own street would too
  often meet their own parcel).
- `fit_em`: expectation–maximisation of m, u and the share of matches over comparison patterns
  (the candidate pairs blocking finds), with conditional independence given match status and
  at most one match per participant;
  labelled pairs (reviewers' decisions) keep their class, so the same function fits from EM
  alone, from labels alone, or from both.
- `estimate_parameters`: m from EM over the candidates, u from random pairs, the prior from
  EM's expected matches per participant: a new `MatchParameters` version.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from matching import blocking
from matching.comparison import compare, house_number_level
from matching.street_forms import normalize_street
from matching.weights import FLOOR, LEVELS, MISSING, MatchParameters

SMOOTHING = 0.5  # pseudo-count per level, so that an unseen level keeps a small probability


@dataclass(frozen=True)
class EmResult:
    m: dict
    u: dict
    match_share: float  # of the pairs fitted
    iterations: int
    converged: bool


def _normalised(counts, column):
    levels = [level for level in LEVELS[column] if level != MISSING]
    total = sum(counts.get(level, 0.0) + SMOOTHING for level in levels)
    return {level: max((counts.get(level, 0.0) + SMOOTHING) / total, FLOOR) for level in levels}


def distributions(counts):
    """{column: {level: probability}} from {column: Counter of levels} (smoothed)."""
    return {column: _normalised(counts.get(column, {}), column) for column in LEVELS}


def _log_likelihood(pattern, table):
    return sum(math.log(table[column][level]) for column, level in pattern)


def fit_em(groups, *, m, u, match_share, labels=None, iterations=100, tolerance=1e-6):
    """EM over comparison patterns, a participant at most one match.

    `groups` is a Counter {patterns: participants}: the patterns of one participant's candidate
    pairs, a pattern being a tuple of (column, level) with the `missing` columns left out (they
    carry no likelihood). A person lives at one parcel at most, so the E-step shares one match
    among a participant's pairs and "none" (`_responsibilities`), the one-to-one constraint of
    record linkage (Jaro 1989; Sadinle 2017): a pair alone keeps the usual posterior. `labels`
    is an optional Counter {(pattern, is_match): pairs} of labelled pairs, whose class is known.
    `m`, `u` and `match_share` (of the pairs) are the starting values. Returns an EmResult.
    """
    labels = labels or Counter()
    share = min(max(match_share, 1e-6), 1 - 1e-6)
    converged = False
    done = 0
    while done < iterations:
        done += 1
        match_counts = defaultdict(Counter)
        other_counts = defaultdict(Counter)
        matches = total = 0.0
        prior_odds = math.log(share / (1 - share))
        for patterns, participants in groups.items():
            log_odds = [
                prior_odds + _log_likelihood(p, m) - _log_likelihood(p, u) for p in patterns
            ]
            for pattern, responsibility in zip(patterns, _responsibilities(log_odds), strict=True):
                _add(match_counts, pattern, participants * responsibility)
                _add(other_counts, pattern, participants * (1 - responsibility))
                matches += participants * responsibility
                total += participants
        for (pattern, is_match), pairs in labels.items():
            _add(match_counts if is_match else other_counts, pattern, pairs)
            matches += pairs if is_match else 0
            total += pairs
        new_m, new_u = distributions(match_counts), distributions(other_counts)
        new_share = min(max(matches / total, 1e-6), 1 - 1e-6) if total else share
        change = max(
            abs(new_share - share),
            *(abs(new_m[c][lv] - m[c][lv]) for c in new_m for lv in new_m[c]),
        )
        m, u, share = new_m, new_u, new_share
        if change < tolerance:
            converged = True
            break
    return EmResult(m, u, share, done, converged)


def _responsibilities(log_odds):
    """Each pair's probability of being the participant's one match, from the pairs' log odds:
    odds / (1 + the sum of the participant's odds), "none" weighing 1."""
    top = max(0.0, *log_odds)
    odds = [math.exp(value - top) for value in log_odds]
    whole = math.exp(-top) + sum(odds)
    return [value / whole for value in odds]


def _add(counts, pattern, amount):
    for column, level in pattern:
        counts[column][level] += amount


def candidate_groups(index, queries, thresholds):
    """Counter {patterns: participants}: the patterns of each query's candidate pairs that
    blocking finds, without the near misses (a whole street of parcels that agree on all but the
    house number would pull EM's match class towards "same street"), and without the house
    number on the street in the pairs of the surname block (`_training_levels`)."""
    groups = Counter()
    model = thresholds.parameters.model()
    prior = model.prior_weight(len(index.parcels))
    for query in queries:
        found = blocking.candidates(
            index, query, thresholds, prior, near_misses=False, other_streets=True
        )
        if found:
            groups[tuple(sorted(map(_training_levels, found)))] += 1
    return groups


def _training_levels(candidate):
    """A candidate's pattern for EM. The surname block runs only for whom neither their address
    nor their name or contact was found, and reads the few households of the ZIP that share
    their surname: on their street those are neighbours by construction, which the house number
    alone tells apart. Like a Splink training session, which does not estimate the comparisons
    its blocking rule selects on, EM leaves the number on the street out of these pairs: on the
    held-out set 110 of the 121 pairs EM counted as matches at another number of the street,
    which made that m 0.72 % where no true pair has it."""
    if candidate.method != blocking.SURNAME_ZIP:
        return candidate.levels
    return tuple(level for level in candidate.levels if level[0] != "house_number_same_street")


def _compare(index, query, row, thresholds, model):
    return compare(index, query, row, model, prior=0.0, method="random",
                   city_cutoff=thresholds.city_cutoff)  # fmt: skip


def random_pair_u(index, queries, thresholds, *, rng, pairs_per_query=4, street_pairs=200):
    """u ({column: {level: probability}}) from random pairs, for each query: parcels drawn from
    all, from its ZIP (for `city_same_zip`) and pairs of parcels of its street
    (`house_number_same_street`: two parcels of a street share a number so rarely that many
    pairs are needed to bound it)."""
    parcels = index.parcels
    model = thresholds.parameters.model()
    rows_by_zip, rows_by_street = defaultdict(list), defaultdict(list)
    for row in range(len(parcels)):
        rows_by_zip[parcels.zip5[row]].append(row)
        rows_by_street[(parcels.zip5[row], _key(parcels.street[row]))].append(row)
    counts = defaultdict(Counter)
    conditional = {"city_same_zip", "house_number_same_street"}  # sampled below
    for query in queries:
        for _ in range(pairs_per_query):
            row = rng.randrange(len(parcels))
            for column, level in _compare(index, query, row, thresholds, model).levels:
                if column not in conditional:
                    counts[column][level] += 1
        for zip5 in query.zips[:1]:
            same_zip = rows_by_zip.get(zip5)
            if same_zip:
                candidate = _compare(index, query, rng.choice(same_zip), thresholds, model)
                if (level := candidate.level("city_same_zip")) != MISSING:
                    counts["city_same_zip"][level] += 1
            same_street = rows_by_street.get((zip5, query.street_key)) or ()
            for _ in range(street_pairs if len(same_street) > 1 else 0):
                one, other = rng.sample(same_street, 2)  # two parcels: never the same place
                level = house_number_level(parcels.house_number[one], parcels.house_number[other])
                if level != MISSING:
                    counts["house_number_same_street"][level] += 1
    return distributions(counts)


def _key(street):
    return normalize_street(street).key if street else None


def estimate_parameters(
    index, queries, thresholds, *, rng, version, labels=None, source="em", now=None, by=None,
    unlabelled=True,
):  # fmt: skip
    """A new MatchParameters: m by EM over the queries' candidates (with `labels`, a Counter
    {(pattern, is_match): pairs}, when given; from the labels alone when not `unlabelled`), u
    from random pairs, the prior from EM's expected matches per participant."""
    queries = list(queries)
    start = thresholds.parameters
    groups = candidate_groups(index, queries, thresholds) if unlabelled else Counter()
    pairs = sum(len(patterns) * participants for patterns, participants in groups.items())
    u = random_pair_u(index, queries, thresholds, rng=rng)
    share = min(0.9, start.prior * len(queries) / max(pairs, 1))
    fitted = fit_em(groups, m=start.m, u=start.u, match_share=share, labels=labels)
    matches = fitted.match_share * (pairs + sum((labels or {}).values()))
    prior = min(max(matches / max(len(queries), 1), 0.01), 0.99)
    return MatchParameters(
        version=version,
        prior=round(prior, 4),
        m=_rounded(fitted.m),
        u=_rounded(u),
        source=source,
        created_at=now,
        created_by=by,
        training={
            "participants": len(queries),
            "candidate_pairs": pairs,
            "labelled_pairs": sum((labels or {}).values()),
            "iterations": fitted.iterations,
            "converged": fitted.converged,
        },
    )


def _rounded(table):
    return {
        column: {level: float(f"{value:.4g}") for level, value in levels.items()}
        for column, levels in table.items()
    }
