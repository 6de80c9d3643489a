"""Writing the target: each person once, and only when what the source says of them changed.

Writes never look a document up one at a time: before writing, the target is streamed once
(projected to SOURCE_FIELDS and the match) into a fingerprint per person, and each stored
participant is folded into its person's merge (`absorb_stored`), so that a re-run after the API
sync keeps what the sync did: flags it turned on, the EmailOctopus contact ids it filled in, its
engagements, and field values newer than the source's. A person whose fingerprint is unchanged
is not written; a changed one is updated by `_id` with `$set` of SOURCE_FIELDS only; a new one
is inserted; `batch_size` people per bulk write (participants.services.write_people).
REFERENCE_FIELDS belong to matching and review: the one exception is a person whose address a
re-run changes, whose match (unless manual or a reviewer's decision) is reset to pending so that
matching redoes it. So a second run writes nothing, and a run killed halfway, run again, ends
where one clean run ends.
"""

import logging
from collections import Counter
from typing import NamedTuple

from bson import ObjectId

from empowersave import mongodb
from migration.source import LOG_EVERY, progress_bar
from participants import services
from participants.documents import (
    QUARANTINE_FIELDS,
    SOURCE_FIELDS,
    EngagementFlag,
    MatchQuality,
    Participant,
    QuarantinedDocument,
)
from participants.fields import ADDRESS_FIELD_KEYS
from participants.transform import fingerprint, source_key, stored_time

logger = logging.getLogger(__name__)

# What the write phase reads of a stored participant: its source fields and whose its match is.
STORED_PROJECTION = {
    **dict.fromkeys(SOURCE_FIELDS, 1),
    "match.quality": 1,
    "match.reviewed_by": 1,
    "match.version": 1,
}
# match.reason of a participant whose address a re-run changed (until matching has run again).
ADDRESS_CHANGED = "ADDRESS_CHANGED"


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
        key = _key_of(engagement)
        if key is not None and key in source_ids:
            mine[key] = engagement
        else:
            kept.append(engagement)
    engagements = [_with_stored(e, mine.get(_key_of(e))) for e in person.engagements]
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


def _key_of(engagement):
    """The source key (transform.source_key) of an engagement's row; None for an API one."""
    source_id = engagement.get("source_id")
    return None if source_id is None else source_key(source_id)


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
            fingerprint=fingerprint(doc, SOURCE_FIELDS),
            address=_address(doc.get("fields")),
            match=doc.get("match"),
        )
        absorb_stored(person, doc, source_ids=plan.source_ids)
    return existing


def _match_reset(stored, document):
    """The ReferenceChange that sends the person back to matching, when the re-run moved their
    address; None when it did not, or when nothing may be reset.

    Staff decisions stay (manual, or any match with `reviewed_by`), and a person never matched
    needs nothing. The change is guarded by the version read, so a review made meanwhile wins;
    the version goes up, so a review page opened before this run gets a conflict.
    """
    match = stored.match
    if not match or match.get("quality") == MatchQuality.MANUAL or match.get("reviewed_by"):
        return None
    if _address(document["fields"]) == stored.address:
        return None
    return services.ReferenceChange(
        before={"_id": stored.id, "contact_id": document["contact_id"], "match": match},
        residence_ref=None,
        demographic_ref=None,
        match={"quality": MatchQuality.PENDING, "reason": ADDRESS_CHANGED},
    )


class PersonWrite(NamedTuple):
    """What one person needs written: a new document (`stored_id` None) or its new SOURCE_FIELDS,
    and maybe the reset of its match."""

    stored_id: ObjectId | None
    document: dict
    reset: services.ReferenceChange | None = None


def _person_writes(plan, *, stats, progress, tally):
    """The PersonWrite of every person whose source fields changed, counting each outcome."""
    existing = _existing_participants(plan) if plan.people else {}
    people = sorted(plan.people)
    bar = progress_bar(
        people, total=len(people), desc="writing participants", unit="person", enabled=progress
    )
    for done, contact_id in enumerate(bar, 1):
        if done % LOG_EVERY == 0:
            logger.info("wrote %s of %s participants", f"{done:,}", f"{len(people):,}")
        current = existing.get(contact_id)
        document = plan.people[contact_id].result()
        if tally is not None:
            tally.add_participant(document)
        if current is None:
            stats["inserted"] += 1
            yield PersonWrite(None, {key: v for key, v in document.items() if v is not None})
        elif fingerprint(document, SOURCE_FIELDS) == current.fingerprint:
            stats["unchanged"] += 1
        else:
            stats["updated"] += 1
            reset = _match_reset(current, document)
            stats["matches_reset"] += reset is not None
            yield PersonWrite(current.id, document, reset)


def write_participants(*, plan, options, now, tally=None):
    """Insert new people, update changed ones, skip unchanged ones (MigrationOptions: batch
    size, dry run, progress bar). Returns (counts, matches reset because the address changed).
    """
    stats = Counter(inserted=0, updated=0, unchanged=0, matches_reset=0)
    writes = _person_writes(plan, stats=stats, progress=options.progress, tally=tally)
    for batch in mongodb.batched(writes, options.batch_size):
        if options.dry_run:
            continue
        services.write_people(
            inserted=[write.document for write in batch if write.stored_id is None],
            updated=[(w.stored_id, w.document) for w in batch if w.stored_id is not None],
            resets=[write.reset for write in batch if write.reset is not None],
            now=now,
        )
    matches_reset = stats.pop("matches_reset")
    return dict(stats), matches_reset


def _quarantine_writes(plan, *, stats, tally):
    """(stored `_id` or None, entry) of every quarantined row that is new or changed."""
    wanted = {source_key(entry["source_id"]): entry for entry in plan.quarantine}
    existing = {}
    if wanted:
        collection = mongodb.collection_for(QuarantinedDocument)
        for doc in collection.find({}, dict.fromkeys(QUARANTINE_FIELDS, 1)):
            key = source_key(doc.get("source_id"))
            if key in wanted:
                existing[key] = (doc["_id"], fingerprint(doc, QUARANTINE_FIELDS))
    for key, entry in wanted.items():
        if tally is not None:
            tally.add_quarantined(entry)
        current = existing.get(key)
        if current is None:
            stats["inserted"] += 1
            yield None, entry
        elif fingerprint(entry, QUARANTINE_FIELDS) == current[1]:
            stats["unchanged"] += 1
        else:
            stats["updated"] += 1
            yield current[0], entry


def write_quarantine(*, plan, options, tally=None):
    """Write the quarantined rows keyed by source `_id` (unchanged ones are not written)."""
    stats = Counter(inserted=0, updated=0, unchanged=0)
    writes = _quarantine_writes(plan, stats=stats, tally=tally)
    for batch in mongodb.batched(writes, options.batch_size):
        if not options.dry_run:
            services.write_quarantine(
                inserted=[entry for stored_id, entry in batch if stored_id is None],
                updated=[(stored_id, entry) for stored_id, entry in batch if stored_id],
            )
    return dict(stats)
