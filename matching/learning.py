"""Learning from reviews: reviewers' decisions as labelled pairs, and a new parameters version.

Every decision a reviewer left standing on a participant is a set of labelled pairs, read from
the participants collection (matching may read it; the review app and its SQL audit sit above
matching):

- `match.quality` manual (a reviewer accepted a candidate or picked a parcel, `residence_ref`):
  that parcel is a match, every other candidate kept in `match.candidates` a non-match;
- `match.quality` no_match with `match.reviewed_by` (a reviewer's "no match"): every kept
  candidate is a non-match.

An undone decision puts back the match before it, without `reviewed_by`: no label. Each pair is
compared again against the current county data (matching.scoring.score_row), so its levels are
the current comparison's whatever version stored the candidate; a parcel the county data no
longer holds is counted and left out.

`calibrate` re-estimates m by EM over the candidate pairs of the participants plus the labels,
u from random pairs and the prior (matching.calibration.estimate_parameters), starting from
the active version; measures the matcher with the new parameters and with the active ones on
the labelled participants; and saves the new version (matching.parameter_versions) with who
and when, unless it equals the active one or `save` is off. Matching then uses it.

Precision and recall are counted per labelled participant: a link the matcher makes to the
reviewer's parcel is right, to another parcel (or when the reviewer said no match) wrong, and a
reviewer's parcel the matcher does not link is missed. Each comes with a Wilson score interval
(95 %), which stays inside [0, 1] and is sound for the small counts a review gives. The set is
what reviewers decided: the hard cases matching left for review, and the same labels the
parameters were fitted on, so it measures the matcher where it is weakest, in sample.
"""

import math
from collections import Counter
from dataclasses import dataclass, replace

from empowersave import mongodb
from matching import calibration, scoring
from matching.county_index import load_index
from matching.parameter_versions import active_parameters, save_parameters
from matching.query import Query
from matching.scoring import participant_query
from matching.services import PARTICIPANT_PROJECTION
from participants.documents import MatchQuality, Participant

Z_95 = 1.959964
LABEL_QUALITIES = (MatchQuality.MANUAL, MatchQuality.NO_MATCH)


@dataclass(frozen=True)
class Labelled:
    """A participant a reviewer decided: its normalised query, the parcel the reviewer chose
    ((county, parcel_id), None for "no match"), and the parcels of its kept candidates."""

    query: Query
    truth: tuple | None
    candidates: tuple


def labelled_participant(row):
    """The Labelled of a projected participant row, or None when no reviewer decision stands."""
    match = row.get("match") or {}
    quality = match.get("quality")
    if quality == MatchQuality.MANUAL:
        residence = row.get("residence_ref") or {}
        if not residence.get("county") or residence.get("parcel_id") is None:
            return None
        truth = (residence["county"], str(residence["parcel_id"]))
    elif quality == MatchQuality.NO_MATCH and match.get("reviewed_by"):
        truth = None
    else:
        return None
    candidates = tuple(
        (candidate.get("county"), str(candidate.get("parcel_id")))
        for candidate in match.get("candidates") or []
        if isinstance(candidate, dict) and candidate.get("county")
    )
    return Labelled(participant_query(row), truth, candidates)


@dataclass(frozen=True)
class Reviewed:
    """What a read of the participants gave: queries for EM, and the labelled participants."""

    queries: list
    labelled: list
    participants: int


def read_participants(*, sample=None, rng):
    """One streamed pass over the participants (projected): the normalised query of each (a
    uniform sample of `sample` when given) and every labelled one."""
    cursor = mongodb.collection_for(Participant).find({}, PARTICIPANT_PROJECTION)
    queries, labelled, seen = [], [], 0
    for row in cursor:
        seen += 1
        found = labelled_participant(row)
        if found is not None:
            labelled.append(found)
        if sample is None or len(queries) < sample:
            queries.append(participant_query(row))
        elif (slot := rng.randrange(seen)) < sample:  # reservoir sampling
            queries[slot] = participant_query(row)
    return Reviewed(queries=queries, labelled=labelled, participants=seen)


def label_counts(index, labelled, thresholds):
    """(Counter {(pattern, is_match): pairs}, pairs whose parcel the county data lacks)."""
    labels, missing = Counter(), 0
    parcels = index.parcels
    for item in labelled:
        keys = dict.fromkeys((*item.candidates, *([item.truth] if item.truth else [])))
        for county, parcel_id in keys:
            row = parcels.row_of(county, parcel_id)
            if row is None:
                missing += 1
                continue
            compared = scoring.score_row(index, item.query, row, thresholds, method="label")
            labels[(compared.levels, (county, parcel_id) == item.truth)] += 1
    return labels, missing


def wilson(successes, trials, z=Z_95):
    """(low, high) of the Wilson score interval of successes/trials, None without trials."""
    if not trials:
        return None
    share = successes / trials
    denominator = 1 + z * z / trials
    centre = (share + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half / denominator), min(1.0, centre + half / denominator)


def _figure(successes, trials):
    return {
        "value": successes / trials if trials else None,
        "successes": successes,
        "trials": trials,
        "interval": wilson(successes, trials),
    }


def evaluate(index, labelled, thresholds):
    """Precision and recall (each with its Wilson 95 % interval) of the matcher's decisions
    with `thresholds` on the labelled participants."""
    parcels = index.parcels
    right = wrong = positives = 0
    for item in labelled:
        decision = scoring.decide(index, item.query, thresholds)
        linked = None
        if decision.row is not None:
            linked = (parcels.county[decision.row], parcels.parcel_id[decision.row])
        positives += item.truth is not None
        if linked is not None:
            if linked == item.truth:
                right += 1
            else:
                wrong += 1
    return {
        "precision": _figure(right, right + wrong),
        "recall": _figure(right, positives),
        "links": right + wrong,
    }


@dataclass(frozen=True)
class Calibration:
    """What `calibrate` did: the parameters fitted and whether (as which version) saved."""

    parameters: object  # weights.MatchParameters
    saved: bool
    active_version: int
    labelled: int
    labels: int  # labelled pairs
    missing_parcels: int
    participants: int
    before: dict  # evaluate() with the active parameters
    after: dict  # and with the new ones


def _same(one, other):
    return (one.prior, one.m, one.u) == (other.prior, other.m, other.u)


def calibrate(*, now, by, rng, sample=None, save=True, index=None):
    """Fit a new parameters version from EM plus the reviewers' labels; see the module."""
    active = active_parameters()
    thresholds = scoring.Thresholds.from_settings(active)
    index = index if index is not None else load_index()
    reviewed = read_participants(sample=sample, rng=rng)
    labels, missing = label_counts(index, reviewed.labelled, thresholds)
    fitted = calibration.estimate_parameters(
        index, reviewed.queries, thresholds, rng=rng, version=active.version + 1,
        labels=labels, source="em+labels", now=now, by=by,
    )  # fmt: skip
    fitted = replace(
        fitted, training={**fitted.training, "labelled_participants": len(reviewed.labelled)}
    )
    new_thresholds = thresholds._replace(parameters=fitted)
    saved = save and not _same(fitted, active)
    if saved:
        fitted = save_parameters(fitted, now=now, by=by)
    return Calibration(
        parameters=fitted,
        saved=saved,
        active_version=active.version,
        labelled=len(reviewed.labelled),
        labels=sum(labels.values()),
        missing_parcels=missing,
        participants=reviewed.participants,
        before=evaluate(index, reviewed.labelled, thresholds),
        after=evaluate(index, reviewed.labelled, new_thresholds),
    )
