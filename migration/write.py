"""Writing the target: each person once, and only when what the source says of them changed.

Writes never look a document up one at a time: before writing, the target is streamed once
(whole documents: on the local store a projection costs more than it saves) and each stored
participant of this run's people is folded into its person's merge (`absorb_stored`), so that a
re-run after the API sync keeps what the sync did: flags it turned on, the EmailOctopus contact
ids it filled in, its engagements, and field values newer than the source's. Measured against
reading this run's people by `contact_id` (`$in` of 1,000): the stream read 32,627 stored
participants in 14 s, the lookups took 66 s (load 6), so the stream stays.

Matching is decided here, before the write (matching.services.Decider): a new person is inserted
with their references, a stored one gets source fields and references in one update, so each
person is written once (the matching pass that read everyone back and wrote them again cost
322 s of a 576 s run at load 6). Who is matched: new people, people whose address this run
changed (unless their match is manual or a reviewer's decision), and people never matched or
waiting for review (matching.services.needs_matching); their references are written only when
the decision differs from what is stored. With matching skipped, a re-addressed person's match is
reset to pending (`ADDRESS_CHANGED`) for the next matching run.

A person whose fingerprint is unchanged and who needs no matching is not written; a changed one
is updated by `_id` with `$set` of SOURCE_FIELDS only; a new one is inserted; `batch_size` people
per bulk write (participants.services.write_people), written by a second thread while this one
decides the next batch, one batch at a time and in order. So a second run writes nothing, and a
run killed halfway, run again, ends where one clean run ends.
"""

import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from empowersave import mongodb
from matching.services import needs_matching
from migration.source import LOG_EVERY, progress_bar
from participants import services
from participants.documents import (
    QUARANTINE_FIELDS,
    SOURCE_FIELDS,
    EngagementFlag,
    MatchQuality,
    Participant,
    QuarantinedDocument,
    ensure_indexes,
)
from participants.fields import ADDRESS_FIELD_KEYS
from participants.transform import fingerprint, same_fields, source_key, stored_time

logger = logging.getLogger(__name__)

# match.reason of a participant whose address a re-run changed (until matching has run again).
ADDRESS_CHANGED = "ADDRESS_CHANGED"


class Stored(NamedTuple):
    """A stored participant of this run's people whose write the run must consider: the stored
    document (WRITTEN_PROJECTION) and the person's new document, when the source changed it."""

    doc: dict
    document: dict | None  # SOURCE_FIELDS to write, None when unchanged


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


def _existing_participants(plan, *, rematch, stored_tally):
    """({contact_id: Stored, or None when nothing is to be written}, participants stored in
    all), in one streamed pass.

    Each stored participant of this run's people is absorbed into its `PersonMerge`; it is kept
    when its source fields changed or `rematch(match)` says it needs matching. The documents of
    the other people are not held: `stored_tally` (when given) counts them, and the people
    with nothing to write, as stored.
    """
    existing, stored = {}, 0
    cursor = mongodb.collection_for(Participant).find({}, batch_size=mongodb.READ_BATCH_SIZE)
    for doc in cursor:
        stored += 1
        person = plan.people.get(doc.get("contact_id"))
        if person is None:
            if stored_tally is not None:
                stored_tally.add_participant(doc)
            continue
        absorb_stored(person, doc, source_ids=plan.source_ids)
        document = person.result()
        changed = not same_fields(document, doc, SOURCE_FIELDS)
        kept = None
        if changed or rematch(doc.get("match")):
            written = {key: doc[key] for key in services.WRITTEN_PROJECTION if key in doc}
            kept = Stored({"_id": doc["_id"], **written}, document if changed else None)
        elif stored_tally is not None:
            stored_tally.add_participant(doc)
        existing[doc["contact_id"]] = kept
    return existing, stored


def _automatic(match):
    """Whether matching may change a stored match (there is one, not manual, no reviewer's)."""
    if not match or match.get("quality") == MatchQuality.MANUAL:
        return False
    return not match.get("reviewed_by")


def _stored_write(stored, *, decider, stats):
    """The PersonWrite of a stored person (None when nothing is to be written)."""
    doc, document = stored
    match = doc.get("match")
    moved = (
        document is not None
        and _automatic(match)
        and _address(document["fields"]) != _address(doc.get("fields"))
    )
    stats["matches_reset"] += moved
    references = None
    if decider is not None and (moved or needs_matching(match)):
        references = decider.references({**doc, **(document or {})})
    elif moved:
        references = services.ReferenceChange(
            before=doc,
            residence_ref=None,
            demographic_ref=None,
            match={"quality": MatchQuality.PENDING, "reason": ADDRESS_CHANGED},
        )
    if document is None and references is None:
        return None
    return services.PersonWrite(before=doc, source=document, references=references)


def _person_writes(plan, *, existing, decider, stats, progress, tally, dry_run):
    """The PersonWrite of every person to write, counting each outcome. A dry run tallies each
    person's document as it would be; a run tallies the stored ones it leaves alone."""
    people = sorted(plan.people)
    bar = progress_bar(
        people, total=len(people), desc="writing participants", unit="person", enabled=progress
    )
    for done, contact_id in enumerate(bar, 1):
        if done % LOG_EVERY == 0:
            logger.info("wrote %s of %s participants", f"{done:,}", f"{len(people):,}")
        if contact_id not in existing:
            document = plan.people[contact_id].result()
            if dry_run:
                tally.add_participant(document)
            stats["inserted"] += 1
            references = decider.references(document) if decider is not None else None
            yield services.PersonWrite(before=None, source=document, references=references)
            continue
        stored = existing[contact_id]
        write = _stored_write(stored, decider=decider, stats=stats) if stored else None
        if dry_run:  # what the person's document would be
            tally.add_participant(plan.people[contact_id].result())
        elif stored and write is None:
            tally.add_participant(stored.doc)
        stats["updated" if write and write.source is not None else "unchanged"] += 1
        if write is not None:
            yield write


def write_participants(*, plan, options, now, tally, decider=None):
    """Insert new people, update changed ones, skip unchanged ones (MigrationOptions: batch
    size, dry run, progress bar), each with the references `decider` (matching.services.Decider)
    gives them when there is one. Returns (counts, matches reset because the address changed).

    `tally` (validation.TargetTally) counts every participant the target holds after the run:
    those it wrote, as the store acknowledged them, and the others as they were read before
    the writes (a dry run: every person as it would be written). When it cannot know (the store
    acknowledged fewer inserts than were sent, or nothing was read), `tally.known` is False and
    the caller reads the target back.

    A run that finds the target empty loads it without its secondary indexes (the caller builds
    them after: participants.services.begin_bulk_load); on a stored target the indexes are made
    right first, so that no write upkeeps an index an earlier version made.
    """
    stats = Counter(inserted=0, updated=0, unchanged=0, matches_reset=0)
    rematch = needs_matching if decider is not None else (lambda _match: False)
    stored_tally = None if options.dry_run else tally
    existing, stored = ({}, 0)
    if plan.people:
        existing, stored = _existing_participants(plan, rematch=rematch, stored_tally=stored_tally)
    elif stored_tally is not None:
        stored_tally.known = False
    if not options.dry_run:
        if stored == 0:
            services.begin_bulk_load()
        else:
            ensure_indexes()
    writes = _person_writes(
        plan,
        existing=existing,
        decider=decider,
        stats=stats,
        progress=options.progress,
        tally=tally,
        dry_run=options.dry_run,
    )
    if options.dry_run:
        for _write in writes:  # each person tallied as it would be written
            pass
    else:
        _write_in_turn(mongodb.batched(writes, options.batch_size), now=now, tally=tally)
    matches_reset = stats.pop("matches_reset")
    return dict(stats), matches_reset


def _write_in_turn(batches, *, now, tally):
    """Write each batch (participants.services.write_people) in a second thread while this one
    decides the next: the store works on one batch while this process matches the next. The
    batches are still written one at a time and in order, and a write that fails stops the run
    before the next one starts. What each write stored is tallied here, in this thread."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="writer") as writer:
        pending = None
        for batch in batches:
            if pending is not None:
                _tally_written(tally, pending.result())
            pending = writer.submit(services.write_people, writes=batch, now=now)
        if pending is not None:
            _tally_written(tally, pending.result())


def _tally_written(tally, stored):
    if stored is None:
        tally.known = False
        return
    for doc in stored:
        tally.add_participant(doc)


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
