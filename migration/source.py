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

from bson import json_util
from tqdm import tqdm

from empowersave import mongodb
from migration.options import DEFAULT_BATCH_SIZE
from participants import services
from participants.documents import EngagementFlag
from participants.person import PersonMerge
from participants.transform import (
    RowProblem,
    campaign_id_of,
    parse_engagement,
    parse_row,
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
    source_ids: set = field(default_factory=set)
    source_flags: dict = field(default_factory=dict)  # source _id → flag_mask, when not 0
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
    for doc in progress_bar(rows, total=total, desc="reading source", unit="row", enabled=progress):
        plan.documents += 1
        plan.source_ids.add(doc["_id"])
        try:
            row = parse_row(doc)
        except RowProblem as problem:
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
        else:
            count_flags(plan.source_counts, row.campaign_id, row.flags)
            mask = flag_mask(row.flags)
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
