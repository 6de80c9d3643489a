"""Matching services: link participants to a county parcel and a household record.

`match_participants` loads the county data once (matching.index), streams the participants to
match in batches with projections, decides each one in memory (matching.scoring,
matching.demographics) and writes `residence_ref`, `demographic_ref` and `match` with bulk
UpdateOnes guarded by `match.version`, so a staff decision made meanwhile is never overwritten.
`manual` decisions are never selected.
"""

import gc
import logging
import re
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from typing import NamedTuple

from django.conf import settings
from pymongo import UpdateOne

from empowersave import mongodb
from matching import demographics, scoring
from matching.index import (
    RESIDENTIAL_FIELDS,
    build_index,
    email_key,
    load_index,
    name_key,
    phone_key,
)
from participants.documents import MatchQuality, Participant

logger = logging.getLogger(__name__)

DEFAULT_QUALITIES = (None, *MatchQuality.NEEDS_REVIEW)
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
    "demographic_ref": 1,
}
MATCH_VOLATILE = ("version", "matched_at", "reviewed_by")


def participant_selector(*, qualities=None, contact_ids=None):
    """The MongoDB filter for participants to (re)match; staff decisions (`manual`, or any
    match a reviewer set) are never selected."""
    qualities = DEFAULT_QUALITIES if qualities is None else tuple(qualities)
    wanted = [q for q in qualities if q != MatchQuality.MANUAL]
    alternatives = []
    if None in wanted:
        alternatives.append({"match": None})
    named = [q for q in wanted if q is not None]
    if named:
        # A reviewer's "no match" keeps quality no_match with `reviewed_by`: a staff decision.
        alternatives.append({"match.quality": {"$in": named}, "match.reviewed_by": None})
    selector = {"$or": alternatives} if alternatives else {"_id": {"$in": []}}
    if contact_ids is not None:
        selector = {"$and": [selector, {"contact_id": {"$in": list(contact_ids)}}]}
    return selector


def _fields(row):
    fields = row.get("fields")
    return fields if isinstance(fields, dict) else {}


def participant_query(row):
    """The normalised address (scoring.Query) of a projected participant row."""
    fields = _fields(row)
    return scoring.make_query(
        address=fields.get("Address"), city=fields.get("City"), zip_code=fields.get("ZIP")
    )


def _candidate_doc(parcels, candidate):
    return {
        **parcels.reference(candidate.row),
        "score": candidate.score,
        "agreement": candidate.agreement,
    }


def match_row(index, row, thresholds):
    """(match, residence_ref, demographic_ref) for one projected participant; no I/O."""
    fields = _fields(row)
    decision = scoring.decide(index.parcels, participant_query(row), thresholds)
    parcels = index.parcels
    residence = parcels.reference(decision.row) if decision.row is not None else None
    record, rule = demographics.link(
        index,
        parcel_row=decision.row,
        email=row.get("email_address"),
        phones=[phone for phone in (row.get("phone_number"), fields.get("Phone")) if phone],
        first_name=fields.get("FirstName"),
        last_name=fields.get("LastName"),
        by_name=thresholds.link_by_name,
    )
    demographic = index.demographics.reference(record, rule) if record is not None else None
    match = {
        "quality": decision.quality,
        "score": decision.score,
        "method": decision.method,
        "agreement": decision.agreement or {},
        "reason": decision.reason,
        "county_resolution": decision.county_resolution,
        "candidates": [_candidate_doc(parcels, c) for c in decision.candidates],
    }
    return match, residence, demographic


def _counties_of(index, row, match, residence):
    """Counties a participant concerns: its parcel, its candidates, its ZIP/city coverage."""
    counties = {c["county"] for c in match["candidates"]}
    if residence:
        counties.add(residence["county"])
    query = participant_query(row)
    resolved, _how = index.parcels.counties_for(zips=query.zips, city=query.city)
    return counties | set(resolved or ())


def _unchanged(row, match, residence, demographic):
    old = row.get("match") or {}
    old_match = {k: v for k, v in old.items() if k not in MATCH_VOLATILE}
    return (
        old_match == match
        and row.get("residence_ref") == residence
        and row.get("demographic_ref") == demographic
    )


def _update(row, match, residence, demographic, now):
    old = row.get("match")
    if old is None:
        selector = {"_id": row["_id"], "match": None}
        version = 1
    else:
        version = (old.get("version") or 0) + 1
        selector = {
            "_id": row["_id"],
            "match.version": old.get("version"),
            "match.quality": {"$ne": MatchQuality.MANUAL},
            "match.reviewed_by": None,
        }
    update = {"$set": {"match": {**match, "matched_at": now, "version": version}}}
    unset = {}
    for name, value in (("residence_ref", residence), ("demographic_ref", demographic)):
        if value is None:
            unset[name] = ""
        else:
            update["$set"][name] = value
    if unset:
        update["$unset"] = unset
    return UpdateOne(selector, update)


# --- worker processes (fork: children share the parent's index copy-on-write) -------------------

_WORKER_INDEX = None


def _match_batch(rows, thresholds):
    return [match_row(_WORKER_INDEX, row, thresholds) for row in rows]


def _batches(cursor, size):
    batch = []
    for row in cursor:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _decided_batches(index, batches, thresholds, workers):
    """(rows, results) per batch, in a process pool when `workers` > 1."""
    if workers <= 1:
        for rows in batches:
            yield rows, [match_row(index, row, thresholds) for row in rows]
        return
    global _WORKER_INDEX
    _WORKER_INDEX = index
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending = []
        for rows in batches:
            pending.append((rows, pool.submit(_match_batch, rows, thresholds)))
            if len(pending) > workers * 2:
                rows, future = pending.pop(0)
                yield rows, future.result()
        for rows, future in pending:
            yield rows, future.result()
    _WORKER_INDEX = None


def match_participants(
    *,
    now,
    qualities=None,
    county=None,
    contact_ids=None,
    batch_size=1000,
    index=None,
    workers=1,
    thresholds=None,
):
    """Match the participants whose `match` is None or whose quality is in `qualities`.

    `qualities` defaults to (None, pending, no_match); `manual` is never touched. `county`
    limits the run to participants that concern that county (parcel, candidates, or ZIP/city
    the county covers). Returns the run's statistics: `match_quality` counts, `residence_matched`,
    `demographic_matched`, `coverage` (shares of the participants processed),
    `demographic_linked_by`, `no_match_reasons` (most common first), `pending_reasons`,
    `written`, `conflicts` (changed meanwhile, left alone) and timings.
    Does not refresh the dashboard rollups: the caller does, once.

    `workers=2` decides the batches in a forked process pool. It does not pay on the embedded
    store (measured by benchmarks/matching_benchmark.py: pickling rows and results to the
    children costs more than the decisions), so one process is the default.
    """
    started = time.perf_counter()
    thresholds = thresholds or scoring.Thresholds.from_settings()
    if index is None:
        selector = participant_selector(qualities=qualities, contact_ids=contact_ids)
        if mongodb.collection_for(Participant).find_one(selector, {"_id": 1}) is None:
            index = build_index(residential_docs=(), demographic_docs=())  # nothing to match
        else:
            index = load_index()
    indexed = time.perf_counter()
    # The index is millions of long-lived objects: keep the cyclic GC from walking them again
    # and again (measured: 40% of the decision time), and children from copying them on fork.
    gc.freeze()
    try:
        return _match(index, now, qualities, county, contact_ids, batch_size, workers, thresholds,
                      started, indexed)  # fmt: skip
    finally:
        gc.unfreeze()


def _match(index, now, qualities, county, contact_ids, batch_size, workers, thresholds, started,
           indexed):  # fmt: skip
    collection = mongodb.collection_for(Participant)
    selector = participant_selector(qualities=qualities, contact_ids=contact_ids)
    cursor = collection.find(selector, PARTICIPANT_PROJECTION)
    stats = Counter()
    qualities_seen, reasons, pending_reasons, linked_by, resolutions = (Counter() for _ in range(5))
    for rows, results in _decided_batches(index, _batches(cursor, batch_size), thresholds, workers):
        operations = []
        for row, (match, residence, demographic) in zip(rows, results, strict=True):
            if county and county not in _counties_of(index, row, match, residence):
                continue
            stats["processed"] += 1
            qualities_seen[match["quality"]] += 1
            resolutions[match["county_resolution"]] += 1
            if match["quality"] == MatchQuality.NO_MATCH:
                reasons[match["reason"]] += 1
            elif match["quality"] == MatchQuality.PENDING:
                pending_reasons[match["reason"]] += 1
            stats["residence_matched"] += residence is not None
            if demographic is not None:
                stats["demographic_matched"] += 1
                linked_by[demographic["linked_by"]] += 1
            if _unchanged(row, match, residence, demographic):
                stats["unchanged"] += 1
            else:
                operations.append(_update(row, match, residence, demographic, now))
        if operations:
            result = collection.bulk_write(operations, ordered=False)
            stats["written"] += result.modified_count
            stats["conflicts"] += len(operations) - result.matched_count
    finished = time.perf_counter()
    logger.info("matched %s participants: %s", f"{stats['processed']:,}", dict(qualities_seen))
    return {
        "processed": stats["processed"],
        "written": stats["written"],
        "unchanged": stats["unchanged"],
        "conflicts": stats["conflicts"],
        "match_quality": dict(sorted(qualities_seen.items())),
        "residence_matched": stats["residence_matched"],
        "demographic_matched": stats["demographic_matched"],
        "coverage": {
            "residence": _share(stats["residence_matched"], stats["processed"]),
            "demographic": _share(stats["demographic_matched"], stats["processed"]),
        },
        "demographic_linked_by": dict(sorted(linked_by.items())),
        "no_match_reasons": dict(reasons.most_common()),
        "pending_reasons": dict(pending_reasons.most_common()),
        "county_resolution": dict(resolutions.most_common()),
        "index": {"parcels": len(index.parcels), "demographic_records": len(index.demographics)},
        "workers": workers,
        "seconds": {
            "index": round(indexed - started, 3),
            "match_and_write": round(finished - indexed, 3),
            "total": round(finished - started, 3),
        },
    }


def _share(part, whole):
    return round(part / whole, 4) if whole else None


def rematch_participants(*, now, county=None, qualities=None, batch_size=1000):
    """Re-match pending / no_match participants (never manual) and refresh the rollups."""
    from dashboard.rollups import refresh_rollups

    qualities = qualities or MatchQuality.NEEDS_REVIEW
    stats = match_participants(now=now, qualities=qualities, county=county, batch_size=batch_size)
    refresh_rollups(now=now)
    return stats


# --- functions for the review app ---------------------------------------------------------------


def residence_reference(*, county, parcel_id):
    """The `residence_ref` dict for one parcel, or None when the county data has no such parcel."""
    doc = mongodb.county_residential_collection().find_one(
        {"county": county, "parcel_id": parcel_id}, dict.fromkeys(RESIDENTIAL_FIELDS, 1)
    )
    return _residence(doc) if doc is not None else None


def _exactly(value):
    return re.compile(f"^{re.escape(value)}$", re.IGNORECASE)


def _phone_pattern(phone):
    digits = phone_key(phone)
    return re.compile(r"\D*".join(digits) + r"\D*$") if digits else None


def _name_pattern(first_name, last_name):
    """A regex that finds every customer_name holding all the words of the participant's name
    (either order); the exact comparison is name_key's, in demographics.link."""
    words = (name_key(first_name, last_name) or "").split(" ")
    if not all(words) or len(words) < 2:
        return None
    lookaheads = "".join(f"(?=.*\\b{re.escape(word)}\\b)" for word in words)
    return re.compile(f"^{lookaheads}", re.IGNORECASE)


def _finds(pattern, value):
    return pattern is not None and isinstance(value, str) and pattern.search(value) is not None


class ParcelLink(NamedTuple):
    """A participant placed at a parcel, as `link_demographics_for_parcels` takes it."""

    county: str
    parcel_id: str
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class _Ask:
    """What one request asks the household records for, rule by rule: compiled patterns, so
    that the query and the split of its answer between requests use the same test."""

    def __init__(self, link, by_name):
        self.link = link
        self.email = _exactly(email_key(link.email)) if email_key(link.email) else None
        self.phone = _phone_pattern(link.phone) if link.phone else None
        self.name = _name_pattern(link.first_name, link.last_name) if by_name else None
        self.records = {}  # _id → household record, each once whichever rule found it

    def neighbour_keys(self):
        """The other parcels (same county) of the records found so far."""
        own = self.link.parcel_id
        return {
            (self.link.county, doc["parcel_id"])
            for doc in self.records.values()
            if doc["parcel_id"] != own
        }

    def wants(self, rule):
        if rule == demographics.PARCEL:
            return True
        if rule == demographics.CONTACT:
            return self.email is not None or self.phone is not None
        return self.name is not None

    def owns(self, rule, doc):
        link = self.link
        if rule == demographics.PARCEL:
            return doc.get("county") == link.county and doc.get("parcel_id") == link.parcel_id
        if rule == demographics.CONTACT:
            return _finds(self.email, doc.get("email")) or _finds(self.phone, doc.get("mobile"))
        return doc.get("county") == link.county and _finds(self.name, doc.get("customer_name"))


def _any_of(values):
    """A condition on one field: the value itself when there is one (the cheaper test on the
    embedded store, which has no index), else `$in`. Keys go most selective first: the
    embedded store stops at the first that fails."""
    values = list(values)
    return values[0] if len(values) == 1 else {"$in": values}


def _any_pattern(patterns):
    """One regex for a set of regexes sharing their flags: one test per document (a `$in` of
    regexes tests each of them in turn)."""
    patterns = sorted(patterns, key=lambda pattern: pattern.pattern)
    if len(patterns) == 1:
        return patterns[0]
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)


def _records_selector(rule, asks):
    """One query for a rule's household records of many requests."""
    counties = _any_of(sorted({ask.link.county for ask in asks}))
    if rule == demographics.PARCEL:
        return {
            "parcel_id": _any_of(sorted({ask.link.parcel_id for ask in asks})),
            "county": counties,
        }
    if rule == demographics.CONTACT:
        alternatives = []
        for field, attribute in (("email", "email"), ("mobile", "phone")):
            patterns = {getattr(ask, attribute) for ask in asks} - {None}
            if patterns:
                alternatives.append({field: _any_pattern(patterns)})
        return {"$or": alternatives}
    return {"county": counties, "customer_name": _any_pattern({ask.name for ask in asks})}


def parcel_docs(keys):
    """{(county, parcel_id): residential document} for a set of keys, in one query."""
    if not keys:
        return {}
    found = {}
    selector = {
        "parcel_id": _any_of(sorted({parcel_id for _county, parcel_id in keys})),
        "county": _any_of(sorted({county for county, _pid in keys})),
    }
    for doc in mongodb.county_residential_collection().find(selector):
        key = (doc.get("county"), doc.get("parcel_id"))
        if key in keys:
            found.setdefault(key, doc)
    return found


def link_demographic_for_parcel(
    *, county, parcel_id, email=None, phone=None, first_name=None, last_name=None
):
    """The `demographic_ref` dict for a participant placed at one parcel by a reviewer, or None."""
    link = ParcelLink(county, parcel_id, email, phone, first_name, last_name)
    return link_demographics_for_parcels([link])[0]


def link_demographics_for_parcels(links):
    """The `demographic_ref` dicts (or None) of participants placed at parcels, in order.

    Same rules as the migration (matching.demographics.link): the parcel's record, else the one
    record carrying the participant's email or phone, else the one record in the parcel's ZIP
    under the participant's name. Each rule is one query for all the requests the rules before
    it did not link, so a bulk decision costs a handful of queries whatever its size. Each
    request is decided only on the records its own patterns found (its answer does not depend
    on the other requests).
    """
    links = list(links)
    results = [None] * len(links)
    demographic = mongodb.county_demographic_collection()
    parcels = parcel_docs({(link.county, link.parcel_id) for link in links})
    by_name = settings.MATCH_LINK_BY_NAME
    open_asks = {
        position: _Ask(link, by_name)
        for position, link in enumerate(links)
        if (link.county, link.parcel_id) in parcels
    }
    for rule in (demographics.PARCEL, demographics.CONTACT, demographics.NAME):
        asks = {position: ask for position, ask in open_asks.items() if ask.wants(rule)}
        if not asks:
            continue
        for doc in demographic.find(_records_selector(rule, asks.values())):
            for ask in asks.values():
                if ask.owns(rule, doc):
                    ask.records.setdefault(doc["_id"], doc)
        # The name rule compares ZIPs: it needs the parcels of the records it may choose.
        neighbours = {}
        if rule == demographics.NAME:
            wanted = set().union(*(ask.neighbour_keys() for ask in asks.values()))
            neighbours = parcel_docs(wanted)
        for position, ask in asks.items():
            link = ask.link
            nearby = [neighbours[key] for key in ask.neighbour_keys() if key in neighbours]
            index = build_index(
                residential_docs=[parcels[(link.county, link.parcel_id)], *nearby],
                demographic_docs=ask.records.values(),
            )
            row, linked_by = demographics.link(
                index,
                parcel_row=index.parcels.row_of(link.county, link.parcel_id),
                email=link.email,
                phones=[link.phone] if link.phone else [],
                first_name=link.first_name,
                last_name=link.last_name,
                by_name=by_name,
            )
            if row is not None:
                results[position] = index.demographics.reference(row, linked_by)
                del open_asks[position]
    return results


def demographic_records_for(parcels):
    """{(county, parcel_id): [household record dicts]} for a list of (county, parcel_id)."""
    wanted = {(county, str(parcel_id)) for county, parcel_id in parcels}
    found = {key: [] for key in wanted}
    if not wanted:
        return found
    ids = list({parcel_id for _county, parcel_id in wanted})
    cursor = mongodb.county_demographic_collection().find({"parcel_id": {"$in": ids}})
    for doc in cursor:
        key = (doc.get("county"), str(doc.get("parcel_id")))
        if key in found:
            doc.pop("_id", None)
            found[key].append(doc)
    return found


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
            selector["address"] = {"$regex": re.escape(query.street_key), "$options": "i"}
    if not selector or (text and query and not (query.house_number or query.street_key)):
        return []
    docs = list(mongodb.county_residential_collection().find(selector).limit(5000))
    if query is None or not query.street:
        return [{**_residence(doc), "score": None} for doc in docs[:limit]]
    index = build_index(residential_docs=docs, demographic_docs=())
    thresholds = scoring.Thresholds.from_settings()
    parcels = index.parcels
    scored = sorted(
        (
            scoring.score_row(parcels, query, row, thresholds, method="search")
            for row in range(len(parcels))
            if parcels.street[row]
        ),
        key=lambda candidate: -candidate.score,
    )
    return [_candidate_doc(parcels, candidate) for candidate in scored[:limit]]


def _residence(doc):
    return {name: doc.get(name) for name in RESIDENTIAL_FIELDS}
