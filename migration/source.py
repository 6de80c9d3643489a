"""Reading the source: every row once, grouped per person; and the backup of the source.

The source (`emailoctopus_db.participants`) is only ever read. Memory: the read keeps every
person as a `PersonMerge` (one small engagement dict per source row plus one entry per distinct
field value), the set of source `_id`s (with the flags that are on, for validation) and the rows
that go to quarantine; the rows themselves are not kept. At 129,483 rows (32,572 people) the
process grew by about 140 MB (benchmarks/migration_benchmark.py).
"""

import gzip
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import bson
from bson import json_util
from bson.codec_options import CodecOptions, DatetimeConversion
from bson.raw_bson import RawBSONDocument
from tqdm import tqdm

from empowersave import mongodb
from migration.options import DEFAULT_BATCH_SIZE
from participants import services
from participants.documents import EngagementFlag
from participants.person import PersonMerge
from participants.transform import (
    UNREADABLE_ROW,
    RowProblem,
    campaign_id_of,
    parse_engagement,
    parse_row,
    source_key,
)

logger = logging.getLogger(__name__)

LOG_EVERY = 10_000
MISSING_CAMPAIGN = "(missing)"
COUNTED = ("sent", *EngagementFlag.ALL)


def lenient_flags(doc):
    """The row's flags for counting; all False when its engagement is missing or broken."""
    try:
        return parse_engagement(doc.get("engagement"))
    except ValueError:
        return (False,) * len(EngagementFlag.ALL)


def count_flags(counts, campaign_id, flags, *, sent=True):
    row = counts.get(campaign_id or MISSING_CAMPAIGN)
    if row is None:
        row = counts[campaign_id or MISSING_CAMPAIGN] = dict.fromkeys(COUNTED, 0)
    row["sent"] += sent
    for name, flag in zip(EngagementFlag.ALL, flags, strict=True):
        if flag:
            row[name] += 1


def flag_mask(flags):
    """The flags that are on, as bits in EngagementFlag.ALL order (an int: small to keep)."""
    return sum(1 << bit for bit, flag in enumerate(flags) if flag)


def progress_bar(iterable, *, total, desc, unit, enabled):
    """A tqdm bar on a terminal (tqdm turns itself off when stderr is not a tty)."""
    return tqdm(iterable, total=total, desc=desc, unit=unit, disable=None if enabled else True)


# --- read ----------------------------------------------------------------------------------------


@dataclass
class SourcePlan:
    """What the source says the target must hold."""

    people: dict = field(default_factory=dict)  # contact_id → PersonMerge
    quarantine: list = field(default_factory=list)  # quarantine documents to write
    source_ids: set = field(default_factory=set)  # transform.source_key of every source _id
    source_flags: dict = field(default_factory=dict)  # source key → flag_mask, when not 0
    source_counts: dict = field(default_factory=dict)  # campaign → {sent, opened, ...}
    documents: int = 0
    expected_documents: int = 0  # the source's count (or the limit) when the read began


# How a source row is decoded: the store's own options, and dates outside Python's range kept as
# bson.DatetimeMS instead of failing the read.
ROW_CODEC = CodecOptions(
    tz_aware=False,
    uuid_representation=bson.binary.UuidRepresentation.STANDARD,
    datetime_conversion=DatetimeConversion.DATETIME_AUTO,
)
# The last resort for a row that ROW_CODEC cannot decode (text that is not UTF-8): what can be
# read of it, for its `_id` and the quarantine's detail; the row's bytes are kept whole beside.
LENIENT_CODEC = ROW_CODEC.with_options(unicode_decode_error_handler="replace")


def source_rows(*, limit=None, batch_size=DEFAULT_BATCH_SIZE, raw=False):
    """The source rows, fetched `batch_size` at a time; `limit` keeps the first N by `_id`.

    Decoded with ROW_CODEC, or undecoded (`raw`: RawBSONDocument, see `decoded`). Only a limited
    read is sorted: the result of a full read does not depend on row order.
    """
    codec = CodecOptions(document_class=RawBSONDocument) if raw else ROW_CODEC
    collection = mongodb.source_collection().with_options(codec_options=codec)
    cursor = collection.find({}, batch_size=batch_size)
    return cursor.sort("_id", 1).limit(limit) if limit else cursor


def decoded(raw_rows):
    """(document, None) for each raw row, or (what could be read of it, the error) for a row
    that cannot be decoded: one such row never stops the read."""
    for raw in raw_rows:
        try:
            yield bson.decode(raw.raw, ROW_CODEC), None
        except Exception as error:  # noqa: BLE001 - any undecodable row is set aside
            yield _unreadable(raw.raw), error


def _unreadable(data):
    """What can be read of an undecodable row, with its bytes kept whole under `raw_bson`."""
    try:
        readable = bson.decode(data, LENIENT_CODEC)
    except Exception:  # noqa: BLE001
        readable = {"_id": "unreadable:" + hashlib.sha256(data).hexdigest()}
    return {**readable, "raw_bson": bson.Binary(data)}


def read_source(*, now, limit=None, batch_size=DEFAULT_BATCH_SIZE, progress=True):
    """Stream the source once and group its rows per person (see the module docstring).

    Per-row fault isolation: a row that cannot be decoded, or whose reading raises anything
    at all, goes to the quarantine (UNREADABLE_ROW, with the error) and the read goes on.
    """
    total = mongodb.count_all(mongodb.source_collection())
    total = min(total, limit) if limit else total
    plan = SourcePlan(expected_documents=total)
    rows = decoded(source_rows(limit=limit, batch_size=batch_size, raw=True))
    bar = progress_bar(rows, total=total, desc="reading source", unit="row", enabled=progress)
    for doc, error in bar:
        plan.documents += 1
        key = source_key(doc["_id"])
        plan.source_ids.add(key)
        try:
            if error is not None:
                raise error
            _read_row(plan, doc, key, now=now)
        except Exception as error:  # noqa: BLE001 - one bad row never stops a batch
            problem = RowProblem(UNREADABLE_ROW, f"{type(error).__name__}: {error}"[:1000])
            _set_aside(plan, doc, problem, now=now)
        if plan.documents % LOG_EVERY == 0:
            logger.info(
                "read %s source documents: %s people, %s quarantined",
                f"{plan.documents:,}",
                f"{len(plan.people):,}",
                f"{len(plan.quarantine):,}",
            )
    logger.info("read %s source documents in total", f"{plan.documents:,}")
    return plan


def _read_row(plan, doc, key, *, now):
    """Add one decoded row to the plan: to its person, or to the quarantine with its reason."""
    try:
        row = parse_row(doc)
    except RowProblem as problem:
        _set_aside(plan, doc, problem, now=now)
        return
    person = plan.people.get(row.contact_id)
    if person is None:
        person = PersonMerge(row.contact_id)
    person.add(doc, row)  # the last step that may fail: nothing of the row is counted before
    plan.people[row.contact_id] = person
    count_flags(plan.source_counts, row.campaign_id, row.flags)
    mask = flag_mask(row.flags)
    if mask:
        plan.source_flags[key] = mask


def _set_aside(plan, doc, problem, *, now):
    count_flags(plan.source_counts, campaign_id_of(doc), lenient_flags(doc))
    plan.quarantine.append(
        services.quarantine_entry(
            source_id=doc["_id"],
            reason=problem.reason,
            detail=problem.detail,
            original=doc,
            now=now,
        )
    )


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
        for doc, _error in decoded(source_rows(batch_size=batch_size, raw=True)):
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
