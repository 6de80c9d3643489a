"""Matching services: link participants to a county parcel and a household record.

`match_participants` (rematching; the API sync, for people it recorded as pending) loads the
county data once (matching.index), reads the participants to match in batches, decides each one
in memory (matching.scoring, matching.demographics) and writes `residence_ref`,
`demographic_ref` and `match` through participants.services.set_references: one bulk write per
batch, each change guarded by `match.version`, so a staff decision made meanwhile is never
overwritten, and one announcement per batch, so the dashboard rollups follow. `manual`
decisions are never selected.

The migration and the API sync decide before they write (`Decider`): each person's references
go into the one write of the person, instead of a second write per person after the first (an
update costs about 1 ms on the local store, 2 to 10 ms with indexes under load).

Matching itself runs in one process: a two-process pool measured slower on the local store
(pickling the rows and results cost more than the decisions), and was removed.

A run's time is the store's, one single-document statement per document written
(benchmarks/matching_writes_benchmark.py, 20,000 source rows, 5,054 participants, two runs at
load 4.0 and 2.6): a first run took 9.6 and 7.5 ms a participant (this process's CPU 0.5 ms),
the store's CPU 6.4 and 7.0 ms of it: the participant's update 2.5 and 2.8 ms, its listing row
2.6 and 2.8 ms, its listing keys 0.9 ms (the 86% whose keys changed), the rollups 0.2 ms,
reading the batch 0.26 and 0.34 ms. Each statement reads the store's index catalogue again
(about half of an update's time, profiled with cProfile) and rewrites every index entry of the
document, whatever it sets: a `$set` of three paths cost the store's CPU as much as of the
whole match (3.2 against 3.4 ms an update), and an `update_many` of 100 documents (one `$inc`)
still 2.7-3.0 ms a document (wall time, load 3.4-4.0). Most of it is the indexes: with no
secondary index an update cost the store 1.2-1.4 ms and a listing row 0.7-0.8 ms, against
3.3-3.5 and 3.2 ms with theirs (without the multikey `engagements.eo_contact_id` 2.8 ms,
without the listing's `engagements.campaign_id` 2.5-2.6 ms; 1,000 documents, load 4.4-5.5).
A re-match that changes nothing writes nothing (0.75 and 0.65 ms a participant: the read).
"""

import gc
import itertools
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass

from empowersave import mongodb
from matching import demographics, scoring
from matching.county_index import load_index
from matching.index import RESIDENTIAL_FIELDS, build_index
from matching.parameter_versions import active_parameters
from matching.street_forms import street_key_pattern
from participants import review_order, services
from participants.documents import MatchQuality, Participant, ParticipantListing

logger = logging.getLogger(__name__)

DEFAULT_QUALITIES = (None, *MatchQuality.NEEDS_REVIEW)
# What deciding a participant and the calibration's labels read of them (matching.learning).
PARTICIPANT_PROJECTION = {
    "contact_id": 1,
    "email_address": 1,
    "phone_number": 1,
    "fields.Address": 1,
    "fields.City": 1,
    "fields.ZIP": 1,
    "fields.FirstName": 1,
    "fields.LastName": 1,
    "fields.Phone": 1,
    "match": 1,
    "residence_ref": 1,
}
MATCH_VOLATILE = ("version", "matched_at", "reviewed_by")


def needs_matching(match, qualities=DEFAULT_QUALITIES):
    """Whether automatic matching takes a participant with this stored `match`: its quality is
    one of `qualities` (None: never matched), and no reviewer decided it (`manual`, or a
    reviewer's "no match", which keeps quality no_match with `reviewed_by`)."""
    match = match or {}
    quality = match.get("quality")
    if quality == MatchQuality.MANUAL or match.get("reviewed_by"):
        return False
    return quality in qualities


def participant_selectors(*, qualities=None):
    """The listing filters of the participants to (re)match (`needs_matching`), one per
    quality: two equalities each, served by the listing's (match.quality, match.reviewed_by)
    index (an `$in` on its first field would not be, on the local store). "Never matched" is
    `match.quality` null, which a missing `match` is too."""
    qualities = DEFAULT_QUALITIES if qualities is None else tuple(qualities)
    return [
        {"match.quality": quality, "match.reviewed_by": None}
        for quality in dict.fromkeys(qualities)
        if quality != MatchQuality.MANUAL
    ]


def _candidate_doc(parcels, candidate, model=None, prior=None):
    """A kept candidate: the parcel, its probability (and `score`, the same in percent), total
    weight in bits, field agreement, and the weight each field contributed
    (`contributions`: [[column, level, bits], …], the prior first; see matching.weights)."""
    doc = {
        **parcels.reference(candidate.row),
        "score": candidate.score,
        "probability": round(candidate.probability, 6),
        "weight": round(candidate.weight, 2),
        "agreement": candidate.agreement,
    }
    if model is not None:
        doc["contributions"] = candidate.contributions(model, prior)
    return doc


def match_row(index, row, thresholds):
    """(match, residence_ref, demographic_ref) for one projected participant; no I/O."""
    fields = scoring.participant_fields(row)
    decision = scoring.decide(index, scoring.participant_query(row), thresholds)
    model = thresholds.parameters.model()
    parcels = index.parcels
    residence = parcels.reference(decision.row) if decision.row is not None else None
    email, phones = row.get("email_address"), demographics.participant_phones(row)
    contact = demographics.contact_row(index, email=email, phones=phones)
    record, rule = demographics.link(
        index,
        parcel_row=decision.row,
        contact=contact,
        first_name=fields.get("FirstName"),
        last_name=fields.get("LastName"),
        by_name=thresholds.link_by_name,
    )
    demographic = index.demographics.reference(record, rule) if record is not None else None
    match = {
        "quality": decision.quality,
        "score": decision.score,
        "probability": _rounded(decision.probability, 6),
        "weight_gap": decision.weight_gap,
        "parameters_version": model.version,
        "method": decision.method,
        "agreement": decision.agreement or {},
        "reason": decision.reason,
        "county_resolution": decision.county_resolution,
        "candidates": [
            _candidate_doc(parcels, c, model, decision.prior) for c in decision.candidates
        ],
        # For a reviewer who places them at a parcel (matching.households): no store scan.
        "contact": demographics.contact_answer(index, email=email, phones=phones, row=contact),
    }
    return match, residence, demographic


def _rounded(value, digits):
    return round(value, digits) if value is not None else None


def _counties_of(index, row, match, residence):
    """Counties a participant concerns: its parcel, its candidates, its ZIP/city coverage."""
    counties = {c["county"] for c in match["candidates"]}
    if residence:
        counties.add(residence["county"])
    query = scoring.participant_query(row)
    resolved, _how = index.parcels.counties_for(zips=query.zips, city=query.city)
    return counties | set(resolved or ())


def _unchanged(row, match, residence, demographic):
    old = row.get("match") or {}
    old_match = {k: v for k, v in old.items() if k not in MATCH_VOLATILE}
    return (
        old_match == match
        and row.get("residence_ref") == residence
        and row.get("demographic_ref") == demographic
        and row.get(review_order.FIELD) == review_order.review_order(row, match)
    )


def _reference_change(row, match, residence, demographic, now):
    return services.ReferenceChange(
        before=row,
        residence_ref=residence,
        demographic_ref=demographic,
        match={**match, "matched_at": now},
    )


@dataclass(frozen=True)
class MatchScope:
    """Which participants a run takes: `match` None or a quality in `qualities` (default: None,
    pending, no_match; `manual` never), of `contact_ids` when given, that concern `county`
    (its parcel, candidates, or ZIP/city the county covers) when given; `batch_size` a read."""

    qualities: tuple | None = None
    county: str | None = None
    contact_ids: tuple | None = None
    batch_size: int = 1000


class _Tally:
    """What a run decided, counted as it goes."""

    def __init__(self):
        self.stats = Counter()
        self.qualities, self.no_match, self.pending = Counter(), Counter(), Counter()
        self.linked_by, self.resolutions = Counter(), Counter()

    def add(self, match, residence, demographic):
        self.stats["processed"] += 1
        self.qualities[match["quality"]] += 1
        self.resolutions[match["county_resolution"]] += 1
        if match["quality"] == MatchQuality.NO_MATCH:
            self.no_match[match["reason"]] += 1
        elif match["quality"] == MatchQuality.PENDING:
            self.pending[match["reason"]] += 1
        self.stats["residence_matched"] += residence is not None
        if demographic is not None:
            self.stats["demographic_matched"] += 1
            self.linked_by[demographic["linked_by"]] += 1

    def report(self, index, seconds):
        stats = self.stats
        return {
            "processed": stats["processed"],
            "written": stats["written"],
            "unchanged": stats["unchanged"],
            "conflicts": stats["conflicts"],
            "match_quality": dict(sorted(self.qualities.items())),
            "residence_matched": stats["residence_matched"],
            "demographic_matched": stats["demographic_matched"],
            "coverage": {
                "residence": _share(stats["residence_matched"], stats["processed"]),
                "demographic": _share(stats["demographic_matched"], stats["processed"]),
            },
            "demographic_linked_by": dict(sorted(self.linked_by.items())),
            "no_match_reasons": dict(self.no_match.most_common()),
            "pending_reasons": dict(self.pending.most_common()),
            "county_resolution": dict(self.resolutions.most_common()),
            "index": {
                "parcels": len(index.parcels),
                "demographic_records": len(index.demographics),
            },
            "seconds": seconds,
        }


def match_participants(*, now, scope=None, index=None, thresholds=None):
    """Match the participants of `scope` (MatchScope); returns the run's statistics.

    `match_quality` counts, `residence_matched`, `demographic_matched`, `coverage` (shares of the
    participants processed), `demographic_linked_by`, `no_match_reasons` (most common first),
    `pending_reasons`, `written`, `conflicts` (changed meanwhile, left alone) and timings. The
    county data is read only when there is someone to match.
    """
    scope = scope or MatchScope()
    started = time.perf_counter()
    thresholds = thresholds or scoring.Thresholds.from_settings(active_parameters())
    batches = mongodb.batched(participants_in_scope(scope), scope.batch_size)
    first = next(batches, [])
    if index is None:
        index = load_index() if first else build_index(residential_docs=(), demographic_docs=())
    indexed = time.perf_counter()
    # The index is millions of long-lived objects: keep the cyclic GC from walking them again
    # and again (measured: 40% of the decision time).
    gc.freeze()
    try:
        tally = _Tally()
        for rows in itertools.chain([first] if first else [], batches):
            _match_batch(index, rows, tally=tally, scope=scope, thresholds=thresholds, now=now)
    finally:
        gc.unfreeze()
    finished = time.perf_counter()
    logger.info(
        "matched %s participants: %s", f"{tally.stats['processed']:,}", dict(tally.qualities)
    )
    seconds = {
        "index": round(indexed - started, 3),
        "match_and_write": round(finished - indexed, 3),
        "total": round(finished - started, 3),
    }
    return tally.report(index, seconds)


def participants_in_scope(scope):
    """The stored participants of `scope`, read by key: by `contact_id` when the scope names
    them, else by `_id` from the listing's index. Whole documents: deciding and a change's
    followers read only PARTICIPANT_PROJECTION and participants.services.WRITTEN_PROJECTION,
    but projected to them the read cost the local store twice the CPU (0.51-0.63 against
    0.26-0.42 ms a document; 1,998 participants by `_id`, load 3.1)."""
    qualities = DEFAULT_QUALITIES if scope.qualities is None else tuple(scope.qualities)
    participants = mongodb.collection_for(Participant)
    if scope.contact_ids is not None:
        found = mongodb.find_in(participants, "contact_id", scope.contact_ids)
    else:
        listing = mongodb.collection_for(ParticipantListing)
        ids = [
            row["_id"]
            for selector in participant_selectors(qualities=qualities)
            for row in listing.find(selector, {"_id": 1})
        ]
        found = mongodb.find_in(participants, "_id", sorted(ids))
    return (doc for doc in found if needs_matching(doc.get("match"), qualities))


def _decided(index, row, thresholds, *, county=None):
    """(match, residence_ref, demographic_ref) of one participant, or None when it does not
    concern `county` (when given). A participant whose matching raises gets the match of
    scoring.match_error: one participant never stops a run."""
    try:
        match, residence, demographic = match_row(index, row, thresholds)
        if county and county not in _counties_of(index, row, match, residence):
            return None
    except Exception as error:  # noqa: BLE001 - one participant never stops a run
        logger.warning("matching %s failed: %r", row.get("_id") or row.get("contact_id"), error)
        return scoring.match_error(error), None, None
    return match, residence, demographic


def _match_batch(index, rows, *, tally, scope, thresholds, now):
    """Decide a batch of participants and write the changed ones (one bulk write)."""
    changes = []
    for row in rows:
        decided = _decided(index, row, thresholds, county=scope.county)
        if decided is None:
            continue
        match, residence, demographic = decided
        tally.add(match, residence, demographic)
        if _unchanged(row, match, residence, demographic):
            tally.stats["unchanged"] += 1
        else:
            changes.append(_reference_change(row, match, residence, demographic, now))
    written = services.set_references(changes=changes, now=now, automatic=True)
    tally.stats["written"] += sum(1 for doc in written if doc is not None)
    tally.stats["conflicts"] += sum(1 for doc in written if doc is None)


class Decider:
    """Decides people's references in memory, before they are written (the migration, the
    EmailOctopus sync).

    `references(row)` gives the ReferenceChange of a participant document (stored, with the
    source fields about to be written, or new), or None when what it holds already says the
    same; `report(seconds)` counts as match_participants does.
    """

    def __init__(self, *, index, now, thresholds=None):
        self.index = index
        self.now = now
        self.thresholds = thresholds or scoring.Thresholds.from_settings(active_parameters())
        self.tally = _Tally()

    def references(self, row):
        match, residence, demographic = _decided(self.index, row, self.thresholds)
        self.tally.add(match, residence, demographic)
        if _unchanged(row, match, residence, demographic):
            self.tally.stats["unchanged"] += 1
            return None
        self.tally.stats["written"] += 1
        return _reference_change(row, match, residence, demographic, self.now)

    def left_alone(self, count):
        """`count` of the changes given were not written: changed meanwhile (`match.version`)."""
        self.tally.stats["written"] -= count
        self.tally.stats["conflicts"] += count

    def report(self, seconds):
        return self.tally.report(self.index, seconds)


def _share(part, whole):
    return round(part / whole, 4) if whole else None


def rematch_participants(*, now, county=None, qualities=None, batch_size=1000):
    """Re-match pending / no_match participants (never manual); the rollups follow each batch."""
    services.catch_up(now=now)
    scope = MatchScope(
        qualities=tuple(qualities or MatchQuality.NEEDS_REVIEW),
        county=county,
        batch_size=batch_size,
    )
    return match_participants(now=now, scope=scope)


# --- functions for the review app ---------------------------------------------------------------


def residence_reference(*, county, parcel_id):
    """The `residence_ref` dict for one parcel, or None when the county data has no such parcel."""
    doc = mongodb.county_residential_collection().find_one(
        {"county": county, "parcel_id": parcel_id}, dict.fromkeys(RESIDENTIAL_FIELDS, 1)
    )
    return _residence(doc) if doc is not None else None


def search_parcels(*, text=None, parcel_id=None, county=None, limit=20):
    """Parcels for a reviewer's search, best first, each with a `score` (0-100).

    `parcel_id` is matched exactly; `text` is a free-text address ("123 n main st, columbus
    43215"): parcels at its house number (or on its street when it has none) are scored like
    the matcher does. Values are plain strings, never operators.
    """
    selector = {}
    if county:
        selector["county"] = str(county)
    if parcel_id:
        selector["parcel_id"] = str(parcel_id).strip()
    query = None
    if text and str(text).strip():
        query = scoring.make_query(address=str(text), city=None, zip_code=None)
        if query.house_number:
            selector["address"] = {"$regex": f"^{re.escape(query.house_number)}\\b"}
        elif query.street_key:
            pattern = street_key_pattern(query.street_key)
            selector["address"] = {"$regex": pattern, "$options": "i"}
    if not selector or (text and query and not (query.house_number or query.street_key)):
        return []
    docs = list(mongodb.county_residential_collection().find(selector).limit(5000))
    if query is None or not query.street:
        return [{**_residence(doc), "score": None} for doc in docs[:limit]]
    index = build_index(residential_docs=docs, demographic_docs=())
    thresholds = scoring.Thresholds.from_settings(active_parameters())
    parcels = index.parcels
    scored = sorted(
        (
            scoring.score_row(index, query, row, thresholds, method="search")
            for row in range(len(parcels))
            if parcels.street[row]
        ),
        key=lambda candidate: -candidate.score,
    )
    return [_candidate_doc(parcels, candidate) for candidate in scored[:limit]]


def _residence(doc):
    return {name: doc.get(name) for name in RESIDENTIAL_FIELDS}
