"""emailoctopus_db.participants → empowersave_development.participants, idempotently.

Phases: (backup) → read and group → write participants → write quarantine → indexes →
(matching) → validation → rollups. The source is only ever read.

Memory: the read phase keeps every person as a `PersonMerge` (one small engagement dict per
source row plus one entry per distinct field value), the set of source `_id`s (with the flags
that are on, for validation) and the rows that go to quarantine; the rows themselves are not
kept. At 129,483 rows (32,572 people) the process grew by about 140 MB
(benchmarks/migration_benchmark.py).

Writes never look a document up one at a time: before writing, the target is streamed once
(projected to the migration-owned fields) into a fingerprint per person, and each stored
participant is folded into its person's merge (`absorb_stored`), so that a re-run after the API
sync keeps what the sync did: flags it turned on, the EmailOctopus contact ids it filled in, its
engagements, and field values newer than the source's. A person whose fingerprint is unchanged
is not written; a changed one is updated by `_id` with `$set` of the migration-owned fields
only; a new one is inserted. `residence_ref`, `demographic_ref` and `match` belong to matching
and review: the one exception is a person whose address a re-run changes, whose match (unless
manual or a reviewer's decision) is reset to pending so that matching redoes it. So a second
run writes nothing, and a run killed halfway, run again, ends where one clean run ends.
"""

import gzip
import hashlib
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from bson import ObjectId, json_util
from pymongo import InsertOne, UpdateOne
from tqdm import tqdm

from empowersave import mongodb
from participants.documents import (
    EngagementFlag,
    MatchQuality,
    Participant,
    QuarantinedDocument,
    ensure_indexes,
)
from participants.fields import ADDRESS_FIELD_KEYS
from participants.transform import (
    PersonMerge,
    RowProblem,
    campaign_id_of,
    engagement_totals,
    parse_engagement,
    parse_row,
    stored_time,
)

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 1000
LOG_EVERY = 10_000
MISSING_CAMPAIGN = "(missing)"
COUNTED = ("sent", *EngagementFlag.ALL)

# Top-level participant fields the migration owns; everything else belongs to matching/review.
OWNED_FIELDS = (
    "contact_id",
    "email_address",
    "phone_number",
    "status",
    "fields",
    "field_history",
    "engagements",
    "totals",
    "synced_at",
    "search_text",
)
QUARANTINE_OWNED = ("source_id", "reason", "detail", "original")
# What the write phase reads of a stored participant: its owned fields and whose its match is.
STORED_PROJECTION = {
    **dict.fromkeys(OWNED_FIELDS, 1),
    "match.quality": 1,
    "match.reviewed_by": 1,
    "match.version": 1,
}
# match.reason of a participant whose address a re-run changed (until matching has run again).
ADDRESS_CHANGED = "ADDRESS_CHANGED"


class ValidationFailed(Exception):
    """The target does not account for the source; carries the report."""

    def __init__(self, report):
        failed = [name for name, check in report["validation"]["checks"].items() if not check["ok"]]
        super().__init__("validation failed: " + ", ".join(failed))
        self.report = report


# --- helpers -------------------------------------------------------------------------------------


def _canonical(value):
    """A comparable form of stored data: key order, None keys, tz and sub-ms digits ignored."""
    if isinstance(value, dict):
        return tuple(
            sorted((key, _canonical(item)) for key, item in value.items() if item is not None)
        )
    if isinstance(value, list | tuple):
        return tuple(_canonical(item) for item in value)
    if isinstance(value, datetime):
        return ("datetime", stored_time(value))
    return value


def fingerprint(document, keys):
    """A digest of `document`'s `keys` that is equal when the stored data is equal."""
    owned = {key: document.get(key) for key in keys}
    return hashlib.sha256(repr(_canonical(owned)).encode()).digest()


def _lenient_flags(doc):
    """The row's flags for counting; all False when its engagement is missing or broken."""
    try:
        return parse_engagement(doc.get("engagement"))
    except ValueError:
        return (False,) * len(EngagementFlag.ALL)


def _count(counts, campaign_id, flags, *, sent=True):
    row = counts.get(campaign_id or MISSING_CAMPAIGN)
    if row is None:
        row = counts[campaign_id or MISSING_CAMPAIGN] = dict.fromkeys(COUNTED, 0)
    row["sent"] += sent
    for name, flag in zip(EngagementFlag.ALL, flags, strict=True):
        if flag:
            row[name] += 1


def _flag_mask(flags):
    """The flags that are on, as bits in EngagementFlag.ALL order (an int: small to keep)."""
    return sum(1 << bit for bit, flag in enumerate(flags) if flag)


def quarantine_entry(*, source_id, reason, detail, original, now):
    """A `migration_quarantine` document: the unusable row as it came, and why."""
    return {
        "source_id": source_id,
        "reason": reason,
        "detail": detail,
        "original": original,
        "quarantined_at": now,
    }


def _progress(iterable, *, total, desc, unit, enabled):
    """A tqdm bar on a terminal (tqdm turns itself off when stderr is not a tty)."""
    return tqdm(iterable, total=total, desc=desc, unit=unit, disable=None if enabled else True)


# --- read ----------------------------------------------------------------------------------------


@dataclass
class SourcePlan:
    """What the source says the target must hold."""

    people: dict = field(default_factory=dict)  # contact_id → PersonMerge
    quarantine: list = field(default_factory=list)  # quarantine documents to write
    source_ids: set = field(default_factory=set)
    source_flags: dict = field(default_factory=dict)  # source _id → _flag_mask, when not 0
    source_counts: dict = field(default_factory=dict)  # campaign → {sent, opened, ...}
    documents: int = 0
    expected_documents: int = 0  # the source's count (or the limit) when the read began


def source_rows(*, limit=None, batch_size=DEFAULT_BATCH_SIZE):
    """The source rows, fetched `batch_size` at a time; `limit` keeps the first N by `_id`.

    Only a limited read is sorted: the result of a full read does not depend on row order.
    """
    cursor = mongodb.source_collection().find({}, batch_size=batch_size)
    return cursor.sort("_id", 1).limit(limit) if limit else cursor


def read_source(*, now, limit=None, batch_size=DEFAULT_BATCH_SIZE, progress=True):
    """Stream the source once and group its rows per person (see the module docstring)."""
    total = mongodb.source_collection().count_documents({})
    total = min(total, limit) if limit else total
    plan = SourcePlan(expected_documents=total)
    rows = source_rows(limit=limit, batch_size=batch_size)
    for doc in _progress(rows, total=total, desc="reading source", unit="row", enabled=progress):
        plan.documents += 1
        plan.source_ids.add(doc["_id"])
        try:
            row = parse_row(doc)
        except RowProblem as problem:
            _count(plan.source_counts, campaign_id_of(doc), _lenient_flags(doc))
            plan.quarantine.append(
                quarantine_entry(
                    source_id=doc["_id"],
                    reason=problem.reason,
                    detail=problem.detail,
                    original=doc,
                    now=now,
                )
            )
        else:
            _count(plan.source_counts, row.campaign_id, row.flags)
            mask = _flag_mask(row.flags)
            if mask:
                plan.source_flags[doc["_id"]] = mask
            person = plan.people.get(row.contact_id)
            if person is None:
                person = plan.people[row.contact_id] = PersonMerge(row.contact_id)
            person.add(doc, row)
        if plan.documents % LOG_EVERY == 0:
            logger.info(
                "read %s source documents: %s people, %s quarantined",
                f"{plan.documents:,}",
                f"{len(plan.people):,}",
                f"{len(plan.quarantine):,}",
            )
    logger.info("read %s source documents in total", f"{plan.documents:,}")
    return plan


# --- backup --------------------------------------------------------------------------------------


def backup_source(*, directory, now, batch_size=DEFAULT_BATCH_SIZE):
    """Export the whole source as gzip JSON Lines (canonical Extended JSON) plus a manifest.

    Canonical Extended JSON keeps every BSON type (ObjectId, datetime, int vs float), so
    `json_util.loads` of each line gives back the stored document. The manifest's sha256 is
    that of the .jsonl.gz file as written; `count` is the number of lines.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"emailoctopus_participants-{now:%Y%m%dT%H%M%SZ}"
    data_path = directory / f"{stem}.jsonl.gz"
    count = 0
    with (
        data_path.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as stream,
    ):
        for doc in source_rows(batch_size=batch_size):
            line = json_util.dumps(doc, json_options=json_util.CANONICAL_JSON_OPTIONS)
            stream.write(line.encode() + b"\n")
            count += 1
    digest = hashlib.sha256()
    with data_path.open("rb") as written:
        for chunk in iter(lambda: written.read(1 << 20), b""):
            digest.update(chunk)
    collection = mongodb.source_collection()
    manifest = {
        "database": collection.database.name,
        "collection": collection.name,
        "file": data_path.name,
        "format": "gzip JSON Lines, MongoDB Extended JSON v2 (canonical), one document per line",
        "count": count,
        "sha256": digest.hexdigest(),
        "sha256_of": "the .jsonl.gz file",
        "created_at": now.isoformat(),
    }
    manifest_path = directory / f"{stem}.manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    logger.info("backed up %s source documents to %s", f"{count:,}", data_path)
    return {**manifest, "path": str(data_path), "manifest_path": str(manifest_path)}


# --- write ---------------------------------------------------------------------------------------


def _bulk_write(collection, operations):
    """One bulk write; a seam the tests use to interrupt a run."""
    if operations:
        collection.bulk_write(operations, ordered=False)


class Stored(NamedTuple):
    """What the write phase keeps of a stored participant."""

    id: ObjectId
    fingerprint: bytes
    address: tuple  # its ADDRESS_FIELD_KEYS values
    match: dict | None  # quality, reviewed_by, version


def _address(fields):
    return tuple((fields or {}).get(key) for key in ADDRESS_FIELD_KEYS)


def _with_stored(engagement, stored):
    """A source row's engagement, keeping what was done to its stored copy since.

    Flags only turn on; a stored EmailOctopus contact id fills one the row lacks (the API sync
    adopts such engagements); a later stored `engaged_at` (the sync's latest event) is kept.
    """
    if stored is None:
        return engagement
    merged = dict(engagement)
    for name in EngagementFlag.ALL:
        if stored.get(name):
            merged[name] = True
    if not merged.get("eo_contact_id") and stored.get("eo_contact_id"):
        merged["eo_contact_id"] = stored["eo_contact_id"]
    stored_at = stored_time(stored.get("engaged_at"))
    if stored_at is not None and (
        merged.get("engaged_at") is None or stored_at > stored_time(merged["engaged_at"])
    ):
        merged["engaged_at"] = stored["engaged_at"]
    return merged


def _adopted_by(engagements, api_engagement, taken):
    """Index of the row engagement an API engagement belongs to, by the sync's own rule: same
    campaign and EmailOctopus contact, else the campaign's row engagement without a contact id
    (None when there is no such engagement, or it was `taken` already)."""
    same_campaign = [
        index
        for index, engagement in enumerate(engagements)
        if index not in taken and engagement.get("campaign_id") == api_engagement.get("campaign_id")
    ]
    for index in same_campaign:
        if engagements[index].get("eo_contact_id") == api_engagement.get("eo_contact_id"):
            return index
    for index in same_campaign:
        if not engagements[index].get("eo_contact_id"):
            return index
    return None


def absorb_stored(person, stored, *, source_ids):
    """Fold a person's stored participant into its merge, so a re-run undoes nothing done since.

    - engagements of this run's source rows keep their stored flags, contact id and time
      (`_with_stored`);
    - an engagement the API sync made (no `source_id`) for a campaign and contact that one of
      this person's rows also has (a sync that ran before the migration) becomes that row's
      engagement, keeping the sync's flags the same way; so the two are never doubled;
    - engagements of other rows (the API sync's, or rows outside `--limit`) are kept as stored;
    - field history is kept; the current fields, status and email win only when the stored
      `synced_at` is later than the person's latest source row (the sync brought them), and
      then the source's values go to the history; otherwise the source's values win and the
      stored ones that differ go to the history.
    A participant that nothing touched since the last run is what the source gives, so the
    result is the same as without it.
    """
    latest_row = stored_time(person.latest_at())
    stored_at = stored_time(stored.get("synced_at"))
    newer = stored_at is not None and (latest_row is None or stored_at > latest_row)
    person.add_stored(stored, current_wins=newer)
    mine, kept = {}, []
    for engagement in stored.get("engagements") or ():
        if engagement.get("source_id") in source_ids:
            mine[engagement["source_id"]] = engagement
        else:
            kept.append(engagement)
    engagements = [_with_stored(e, mine.get(e.get("source_id"))) for e in person.engagements]
    rows, taken = len(engagements), set()
    for engagement in kept:
        index = None
        if engagement.get("source_id") is None:
            index = _adopted_by(engagements[:rows], engagement, taken)
        if index is None:
            engagements.append(engagement)
        else:
            taken.add(index)
            engagements[index] = _with_stored(engagements[index], engagement)
    person.engagements = engagements


def _existing_participants(plan):
    """{contact_id: Stored} for this run's people, each absorbed into its `PersonMerge`.

    One streamed pass over the target, projected to the migration-owned fields and the match.
    """
    existing = {}
    for doc in mongodb.collection_for(Participant).find({}, STORED_PROJECTION):
        person = plan.people.get(doc.get("contact_id"))
        if person is None:
            continue
        existing[doc["contact_id"]] = Stored(
            id=doc["_id"],
            fingerprint=fingerprint(doc, OWNED_FIELDS),
            address=_address(doc.get("fields")),
            match=doc.get("match"),
        )
        absorb_stored(person, doc, source_ids=plan.source_ids)
    return existing


def _match_reset(stored, document):
    """An update that sends the person back to matching, when the re-run moved their address.

    Staff decisions stay (manual, or any match with `reviewed_by`), and a person never matched
    needs nothing. The update is guarded by the version read, so a review made meanwhile wins;
    the version goes up, so a review page opened before this run gets a conflict.
    """
    match = stored.match
    if not match or match.get("quality") == MatchQuality.MANUAL or match.get("reviewed_by"):
        return None
    if _address(document["fields"]) == stored.address:
        return None
    version = match.get("version")
    return UpdateOne(
        {
            "_id": stored.id,
            "match.version": version,
            "match.quality": {"$ne": MatchQuality.MANUAL},
            "match.reviewed_by": None,
        },
        {
            "$set": {
                "match": {
                    "quality": MatchQuality.PENDING,
                    "reason": ADDRESS_CHANGED,
                    "version": (version or 0) + 1,
                }
            },
            "$unset": {"residence_ref": "", "demographic_ref": ""},
        },
    )


def set_and_unset(document, keys):
    """`$set` the `keys` that have a value, `$unset` those that are None (MongoEngine's shape)."""
    update = {"$set": {key: document[key] for key in keys if document.get(key) is not None}}
    unset = {key: "" for key in keys if document.get(key) is None}
    if unset:
        update["$unset"] = unset
    return update


def write_participants(*, plan, batch_size, dry_run, progress=True, tally=None):
    """Insert new people, update changed ones, skip unchanged ones.

    Returns (counts, matches reset because the address changed).
    """
    existing = {} if not plan.people else _existing_participants(plan)
    collection = mongodb.collection_for(Participant)
    stats = Counter(inserted=0, updated=0, unchanged=0)
    matches_reset = 0
    operations = []
    people = sorted(plan.people)
    for done, contact_id in enumerate(
        _progress(
            people, total=len(people), desc="writing participants", unit="person", enabled=progress
        ),
        1,
    ):
        current = existing.get(contact_id)
        document = plan.people[contact_id].result()
        if tally is not None:
            tally.add_participant(document)
        if current is None:
            stats["inserted"] += 1
            operations.append(
                InsertOne({key: value for key, value in document.items() if value is not None})
            )
        elif fingerprint(document, OWNED_FIELDS) == current.fingerprint:
            stats["unchanged"] += 1
        else:
            stats["updated"] += 1
            reset = _match_reset(current, document)
            if reset is not None:
                matches_reset += 1
                operations.append(reset)
            operations.append(UpdateOne({"_id": current.id}, set_and_unset(document, OWNED_FIELDS)))
        if len(operations) >= batch_size:
            if not dry_run:
                _bulk_write(collection, operations)
            operations = []
        if done % LOG_EVERY == 0:
            logger.info("wrote %s of %s participants", f"{done:,}", f"{len(people):,}")
    if not dry_run:
        _bulk_write(collection, operations)
    return dict(stats), matches_reset


def write_quarantine(*, plan, batch_size, dry_run, tally=None):
    """Upsert the quarantined rows keyed by source `_id` (unchanged ones are not written)."""
    wanted = {entry["source_id"]: entry for entry in plan.quarantine}
    collection = mongodb.collection_for(QuarantinedDocument)
    existing = {}
    if wanted:
        for doc in collection.find({}, dict.fromkeys(QUARANTINE_OWNED, 1)):
            if doc.get("source_id") in wanted:
                existing[doc["source_id"]] = (doc["_id"], fingerprint(doc, QUARANTINE_OWNED))
    stats = Counter(inserted=0, updated=0, unchanged=0)
    operations = []
    for source_id, entry in wanted.items():
        if tally is not None:
            tally.add_quarantined(entry)
        current = existing.get(source_id)
        if current is None:
            stats["inserted"] += 1
            operations.append(InsertOne(dict(entry)))
        elif fingerprint(entry, QUARANTINE_OWNED) == current[1]:
            stats["unchanged"] += 1
        else:
            stats["updated"] += 1
            operations.append(
                UpdateOne({"_id": current[0]}, set_and_unset(entry, QUARANTINE_OWNED))
            )
        if len(operations) >= batch_size:
            if not dry_run:
                _bulk_write(collection, operations)
            operations = []
    if not dry_run:
        _bulk_write(collection, operations)
    return dict(stats)


# --- validation ----------------------------------------------------------------------------------


class TargetTally:
    """What the target holds for this run's source rows, counted in Python from one pass."""

    def __init__(self, plan):
        self.plan = plan
        self.seen = Counter()  # source _id → times found in engagements or quarantine
        self.counts = {}  # campaign → {sent, opened, ...} over migrated engagements
        self.turned_on = {}  # campaign → flags on in those engagements but off in their rows
        self.quarantined_counts = {}
        self.contact_ids = set()  # people holding at least one of this run's engagements
        self.participants = 0
        self.bad_totals = 0
        self.match_quality = Counter()
        self.residence_matched = 0
        self.demographic_matched = 0

    def add_participant(self, doc):
        self.participants += 1
        engagements = doc.get("engagements") or []
        mine = False
        for engagement in engagements:
            source_id = engagement.get("source_id")
            if source_id is None or source_id not in self.plan.source_ids:
                continue
            mine = True
            self.seen[source_id] += 1
            flags = [engagement.get(name) for name in EngagementFlag.ALL]
            _count(self.counts, engagement.get("campaign_id"), flags)
            mask = self.plan.source_flags.get(source_id, 0)
            later = [bool(flag) and not mask & (1 << bit) for bit, flag in enumerate(flags)]
            if any(later):
                _count(self.turned_on, engagement.get("campaign_id"), later, sent=False)
        if mine:
            self.contact_ids.add(doc.get("contact_id"))
        if _canonical(doc.get("totals") or {}) != _canonical(engagement_totals(engagements)):
            self.bad_totals += 1
        match = doc.get("match") or {}
        if match.get("quality"):
            self.match_quality[match["quality"]] += 1
        if doc.get("residence_ref"):
            self.residence_matched += 1
        if doc.get("demographic_ref"):
            self.demographic_matched += 1

    def add_quarantined(self, doc):
        source_id = doc.get("source_id")
        if source_id not in self.plan.source_ids:
            return  # quarantined by another run (--limit) or by the API sync
        self.seen[source_id] += 1
        original = doc.get("original") or {}
        _count(self.quarantined_counts, original.get("campaign_id"), _lenient_flags(original))


def read_back(plan):
    """Tally the target as stored, streamed with projections."""
    tally = TargetTally(plan)
    projection = {
        "contact_id": 1,
        "engagements": 1,
        "totals": 1,
        "match.quality": 1,
        "residence_ref.county": 1,
        "demographic_ref.county": 1,
    }
    for doc in mongodb.collection_for(Participant).find({}, projection):
        tally.add_participant(doc)
    quarantine_projection = {
        "source_id": 1,
        "original.campaign_id": 1,
        "original.engagement": 1,
    }
    quarantine = mongodb.collection_for(QuarantinedDocument)
    for doc in quarantine.find({}, quarantine_projection):
        tally.add_quarantined(doc)
    return tally


def validate(plan, tally, *, examples=5):
    """The zero-data-loss checks of issue 2; `ok` only when every check passes."""
    read = {
        "ok": plan.documents == plan.expected_documents == len(plan.source_ids),
        "expected": plan.expected_documents,
        "read": plan.documents,
        "distinct_ids": len(plan.source_ids),
    }
    missing = [source_id for source_id in plan.source_ids if tally.seen[source_id] == 0]
    duplicated = [source_id for source_id, times in tally.seen.items() if times > 1]
    accounted = {
        "ok": not missing and not duplicated,
        "source_ids": len(plan.source_ids),
        "missing": len(missing),
        "duplicated": len(duplicated),
        "examples": [str(source_id) for source_id in (missing + duplicated)[:examples]],
    }
    mismatches = []
    for campaign, source_row in sorted(plan.source_counts.items()):
        target_row = tally.counts.get(campaign, {})
        turned_on_row = tally.turned_on.get(campaign, {})
        quarantined_row = tally.quarantined_counts.get(campaign, {})
        for name in COUNTED:
            expected = source_row[name]
            found = (
                target_row.get(name, 0) - turned_on_row.get(name, 0) + quarantined_row.get(name, 0)
            )
            if expected != found:
                mismatches.append(
                    {"campaign_id": campaign, "count": name, "source": expected, "target": found}
                )
    extra = sorted(set(tally.counts) - set(plan.source_counts))
    campaign_counts = {
        "ok": not mismatches and not extra,
        "rule": (
            "source = target engagements - flags turned on since (by the API sync) + quarantined"
            " rows, per campaign and count"
        ),
        "source": plan.source_counts,
        "target": tally.counts,
        "turned_on_since": tally.turned_on,
        "quarantined": tally.quarantined_counts,
        "mismatches": mismatches,
        "unexpected_campaigns": extra,
    }
    people = set(plan.people)
    participants = {
        "ok": tally.contact_ids == people,
        "distinct_people": len(people),
        "target_participants": len(tally.contact_ids),
        "missing": len(people - tally.contact_ids),
        "unexpected": len(tally.contact_ids - people),
    }
    totals = {"ok": tally.bad_totals == 0, "participants_with_wrong_totals": tally.bad_totals}
    checks = {
        "source_fully_read": read,
        "source_ids_accounted": accounted,
        "campaign_counts_match": campaign_counts,
        "participants_match_people": participants,
        "totals_match_engagements": totals,
    }
    return {"ok": all(check["ok"] for check in checks.values()), "checks": checks}


# --- the whole run -------------------------------------------------------------------------------


def _matching(*, now):
    from matching.services import match_participants

    return match_participants(now=now)


def _refresh_rollups(*, now):
    from dashboard.rollups import refresh_rollups

    return refresh_rollups(now=now)


def run_migration(
    *,
    now,
    batch_size=DEFAULT_BATCH_SIZE,
    limit=None,
    dry_run=False,
    skip_matching=False,
    backup_dir=None,
    progress=True,
):
    """Run every phase and return the report; raises ValidationFailed when a check fails."""
    started = time.perf_counter()
    phases = {}

    def timed(name, function, *args, **kwargs):
        begin = time.perf_counter()
        result = function(*args, **kwargs)
        phases[name] = round(time.perf_counter() - begin, 3)
        return result

    backup = None
    if backup_dir:
        backup = timed(
            "backup", backup_source, directory=backup_dir, now=now, batch_size=batch_size
        )
    plan = timed(
        "read", read_source, now=now, limit=limit, batch_size=batch_size, progress=progress
    )
    tally = TargetTally(plan) if dry_run else None
    written, matches_reset = timed(
        "write_participants",
        write_participants,
        plan=plan,
        batch_size=batch_size,
        dry_run=dry_run,
        progress=progress,
        tally=tally,
    )
    quarantine_written = timed(
        "write_quarantine",
        write_quarantine,
        plan=plan,
        batch_size=batch_size,
        dry_run=dry_run,
        tally=tally,
    )
    matching = None
    if not dry_run:
        # After the bulk load: one index build instead of index upkeep on every insert (and the
        # embedded store checks a unique index by scanning the collection on every insert).
        timed("indexes", ensure_indexes)
        if not skip_matching:
            matching = timed("matching", _matching, now=now)
        tally = timed("read_back", read_back, plan)
    validation = timed("validation", validate, plan, tally)
    if not dry_run:
        timed("rollups", _refresh_rollups, now=now)

    reasons = Counter(entry["reason"] for entry in plan.quarantine)
    report = {
        "dry_run": dry_run,
        "limit": limit,
        "batch_size": batch_size,
        "started_at": now.isoformat(),
        "source_documents": plan.documents,
        "participants": len(plan.people),
        "engagements": plan.documents - len(plan.quarantine),
        "quarantined": len(plan.quarantine),
        "quarantine_reasons": dict(sorted(reasons.items())),
        "written": {
            "participants": written,
            "quarantine": quarantine_written,
            "matches_reset": matches_reset,
        },
        "target_participants": tally.participants,
        "residence_matched": tally.residence_matched,
        "demographic_matched": tally.demographic_matched,
        "match_quality": dict(sorted(tally.match_quality.items())),
        "no_match_reasons": (matching or {}).get("no_match_reasons", {}),
        "matching": matching,
        "backup": backup,
        "seconds": round(time.perf_counter() - started, 3),
        "phases": phases,
        "validation": validation,
    }
    if not validation["ok"]:
        raise ValidationFailed(report)
    return report
