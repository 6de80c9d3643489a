"""The only writers of `participants` and `migration_quarantine`.

Every function here writes one batch with one `bulk_write` and announces it once
(participants.announcements), so what is derived from participants (the dashboard rollups) follows
with one update per batch. Which function may set which top-level fields is fixed by the
ownership tuples of participants.documents:

- SOURCE_FIELDS, the person as the source tells it: `write_people` (the migration) and
  `upsert_people` (the EmailOctopus sync);
- REFERENCE_FIELDS, the county links: `set_references` (matching, staff review, and the
  migration's reset of a re-addressed person), and `write_people` and `upsert_people` in the
  person's own write, with what matching decided for them; every change guarded by
  `match.version`; with them the review queue's sort keys, derived from the match
  (participants.review_order).

Each batch also keeps `participant_listing` and its keys in step (participants.listing: the slim
copies the lists query), with a bulk write each, from the same before and after documents. A
write that a killed process left half done is caught up by `catch_up` at the start of the next
batch command.

A document announced as "before" is the stored document just before this write changed it:
read back after the write, with the written fields as the caller had read them, so that a
field another writer changed meanwhile is not counted as this change.
"""

from dataclasses import dataclass

from bson import ObjectId
from pymongo import InsertOne, UpdateOne
from pymongo.errors import BulkWriteError

from empowersave import mongodb
from empowersave.storekeys import escape_keys
from participants import announcements, listing, review_order
from participants.documents import (
    DECISION_HISTORY_FIELD,
    QUARANTINE_FIELDS,
    REFERENCE_FIELDS,
    SOURCE_FIELDS,
    ListingKeys,
    MatchQuality,
    Participant,
    ParticipantListing,
    QuarantinedDocument,
)

# What a document handed to these functions as "before" must carry (beside `_id`): what the
# followers of the announcements read, what the listing shows, and the queue's sort keys (a
# match decided again is compared with them: matching.services).
WRITTEN_PROJECTION = {
    path: 1
    for path in {
        **announcements.ANNOUNCED_PROJECTION,
        **listing.LISTED_PROJECTION,
        review_order.FIELD: 1,
    }
    if path.split(".")[0] == path or path.split(".")[0] not in listing.LISTED_PROJECTION
}


DUPLICATE_KEY = 11000  # the server's error code for a write that breaks a unique index


class StaleParticipant(Exception):
    """Someone changed the participant's match since the caller read it; nothing was written."""


def _participants():
    return mongodb.collection_for(Participant)


def _quarantine():
    return mongodb.collection_for(QuarantinedDocument)


def set_and_unset(document, keys):
    """`$set` the `keys` that have a value, `$unset` those that are None (MongoEngine's shape)."""
    update = {"$set": {key: document[key] for key in keys if document.get(key) is not None}}
    unset = {key: "" for key in keys if document.get(key) is None}
    if unset:
        update["$unset"] = unset
    return update


def _as_before(after, before, keys):
    """`after` with its `keys` as `before` had them: the document just before this write."""
    if before is None:
        return None
    restored = {key: value for key, value in after.items() if key not in keys}
    restored.update({key: before[key] for key in keys if key in before})
    return restored


def _follow(before, after):
    """Keep the listing in step with `before` → `after`, then announce the change."""
    if before:
        listing.write(before, after)
        announcements.announce(announcements.Changed(before=before, after=after))


# --- references: matching and staff review, guarded by match.version ---------------------------


def match_version(doc):
    """The `match.version` of a raw participant dict: 0 when it has never been matched."""
    return (doc.get("match") or {}).get("version") or 0


@dataclass(frozen=True)
class ReferenceChange:
    """New references and match for the participant `before` (a raw dict with its `_id` and
    REFERENCE_FIELDS as read). References are raw dicts or None (None removes one). A staff
    decision also carries its `decision` record, appended to the participant's
    DECISION_HISTORY_FIELD in the same single-document update (review.audit)."""

    before: dict
    residence_ref: dict | None
    demographic_ref: dict | None
    match: dict
    decision: dict | None = None


def references_after(change):
    """REFERENCE_FIELDS as the change stores them (None where it removes one): the "after" of
    the decision it records, known before the write."""
    version = match_version(change.before) + 1
    return {
        "residence_ref": change.residence_ref,
        "demographic_ref": change.demographic_ref,
        "match": {**change.match, "version": version},
    }


# What a reference change writes: the references, and the review queue's sort keys derived from
# the match (participants.review_order).
ORDERED_REFERENCE_FIELDS = (*REFERENCE_FIELDS, review_order.FIELD)


def _reference_update(change, *, automatic):
    """(query, update) of a change: applied only while `match.version` is still the one read.

    The stored version becomes one more, so a review page opened before it is refused. An
    `automatic` change (matching, the migration's reset) also leaves staff decisions alone: a
    `manual` match, or any match a reviewer set (`reviewed_by`).

    The local store takes the `_id` for this filter only after trying its indexes for each
    other condition: 2.8-3.6 ms of its CPU an update against 2.4-2.6 ms by `_id` alone (1,000
    participants, load 1.7-2.4). The same guard as `$not`/`$ne` conditions (2.8-3.1 ms) or as
    a pipeline `$cond` on `_id` alone (3.0-3.3 ms) saved nothing sure, so it stays this filter.
    """
    version = match_version(change.before)
    query = {"_id": change.before["_id"]}
    query["match.version"] = version if version else {"$in": [0, None]}
    if automatic:
        query.update({"match.quality": {"$ne": MatchQuality.MANUAL}, "match.reviewed_by": None})
    written = references_after(change)
    written[review_order.FIELD] = review_order.review_order(change.before, written["match"])
    update = set_and_unset(written, ORDERED_REFERENCE_FIELDS)
    if change.decision is not None:
        update["$push"] = {DECISION_HISTORY_FIELD: change.decision}
    return query, update


def _holds(doc, update):
    """Whether a stored document carries `update` (its match up to the stored `matched_at`).
    The references decide (the read back carries them); the queue's sort keys are written with
    them, in the same single-document update."""
    for name, value in update["$set"].items():
        if name not in REFERENCE_FIELDS:
            continue
        stored = doc.get(name)
        if name == "match":
            stored = {k: v for k, v in (stored or {}).items() if k != "matched_at"}
            value = {k: v for k, v in value.items() if k != "matched_at"}
        if stored != value:
            return False
    return not any(name in doc for name in update.get("$unset", {}) if name in REFERENCE_FIELDS)


def _applied(before, update):
    """`before` with `update` applied: the stored document when the update held."""
    after = {key: value for key, value in before.items() if key not in update.get("$unset", {})}
    after.update(update["$set"])
    return after


def set_references(*, changes, now, automatic=False):
    """Store each change's references and match, where `match.version` is still the one read.

    One `bulk_write` and one announcement. Returns, in order, the stored document after each
    change, or None where the participant was gone or changed meanwhile (left alone). See
    `_reference_update` for `automatic`.

    A staff decision (not `automatic`) is acknowledged only once journaled
    (empowersave.mongodb.journaled), as the reviewer is told it is saved, and is read back. An
    automatic batch (matching) need not wait (a re-run redoes what a crash cut short), and when
    every guard held it is announced from its `before`s, which must then carry
    WRITTEN_PROJECTION: a read back of 1,000 participants by `_id` costs about
    1.5 s on the local store, as much again as the write.
    """
    if not changes:
        return []
    updates = [_reference_update(change, automatic=automatic) for change in changes]
    ids = [change.before["_id"] for change in changes]
    collection = _participants() if automatic else mongodb.journaled(_participants())
    with announcements.announcing(now=now):
        result = collection.bulk_write([UpdateOne(*update) for update in updates], ordered=False)
        if automatic and result.matched_count == len(updates):
            after = [
                _applied(c.before, update) for c, (_q, update) in zip(changes, updates, strict=True)
            ]
            _follow([change.before for change in changes], after)
            return after
        stored = _read(ids)
        results, before, after = [], [], []
        for change, (_query, update) in zip(changes, updates, strict=True):
            doc = stored.get(change.before["_id"])
            held = doc is not None and _holds(doc, update)
            results.append(doc if held else None)
            if held:
                before.append(_as_before(doc, change.before, REFERENCE_FIELDS))
                after.append(doc)
        _follow(before, after)
    return results


def update_participant_references(*, change, now):
    """`set_references` for one participant (a staff decision); returns the stored document.

    Raises StaleParticipant when it is gone or no longer at the version of `change.before`.
    """
    [after] = set_references(changes=[change], now=now)
    if after is None:
        raise StaleParticipant(
            f"participant {change.before['_id']} is gone or no longer at version "
            f"{match_version(change.before)}"
        )
    return after


# --- the person: the migration and the EmailOctopus sync ---------------------------------------


@dataclass(frozen=True)
class PersonWrite:
    """One person of a migration batch. `before`: the stored participant as read (carrying
    WRITTEN_PROJECTION), None for a new person; `source`: the SOURCE_FIELDS to store, None when
    they did not change; `references`: what matching decided (a ReferenceChange whose `before`
    is `before`, or holds `_id` None for a new person), None to leave the references alone."""

    before: dict | None
    source: dict | None
    references: ReferenceChange | None = None


def _new_document(write):
    """A new person's whole document, with the references matching decided (version 1) and
    the queue's sort keys."""
    document = {key: value for key, value in write.source.items() if value is not None}
    document["_id"] = ObjectId()
    change = write.references
    if change is not None:
        references = references_after(change)
        references[review_order.FIELD] = review_order.review_order(document, references["match"])
        document.update({key: value for key, value in references.items() if value is not None})
    return document


def _person_update(write):
    """(query, update, reference update or None) of a stored person: its SOURCE_FIELDS by `_id`,
    its references guarded as an automatic `set_references` change is."""
    query, update, references = {"_id": write.before["_id"]}, {}, None
    if write.references is not None:
        query, references = _reference_update(write.references, automatic=True)
        update = {operator: dict(fields) for operator, fields in references.items()}
    if write.source is not None:
        for operator, fields in set_and_unset(write.source, SOURCE_FIELDS).items():
            update.setdefault(operator, {}).update(fields)
    return query, update, references


def write_people(*, writes, now):
    """Write one migration batch of PersonWrites with one `bulk_write`, and follow it once.

    New people are inserted whole. A stored person is updated by `_id`: its source fields, and
    its references where `match.version` is still the one read and no staff decision came
    meanwhile. When every update held, the batch is announced from the `before`s as read (no
    read back: 1,000 participants by `_id` cost about as much as their write on the local
    store). When one did not (a review came in between), the changed people are read back, a
    person whose guard failed gets their source fields alone, and the stored documents are
    announced.

    Returns the documents as stored after the batch (carrying WRITTEN_PROJECTION; a person left
    alone is not in it), or None when the store acknowledged fewer inserts than were sent: then
    only reading the collection tells what it holds.
    """
    inserted = [_new_document(write) for write in writes if write.before is None]
    updates = [(write, _person_update(write)) for write in writes if write.before is not None]
    operations = [InsertOne(document) for document in inserted]
    operations += [UpdateOne(query, update) for _write, (query, update, _r) in updates]
    if not operations:
        return []
    with announcements.announcing(now=now):
        result = _participants().bulk_write(operations, ordered=False)
        if result.matched_count == len(updates):
            before = [None] * len(inserted) + [write.before for write, _u in updates]
            after = inserted + [_applied(write.before, u[1]) for write, u in updates]
        else:
            before, after = _settle(updates)
            before, after = [None] * len(inserted) + before, inserted + after
        _follow(before, after)
    return after if result.inserted_count == len(inserted) else None


def _settle(updates):
    """(before, after) of the stored people of a batch in which some guard failed: read back,
    the source fields written again (unguarded) for those whose guard failed."""
    stored = _read([write.before["_id"] for write, _update in updates])
    retry = {}
    for write, (_query, _update, references) in updates:
        doc = stored.get(write.before["_id"])
        failed = doc is not None and references is not None and not _holds(doc, references)
        if failed and write.source is not None:
            retry[doc["_id"]] = set_and_unset(write.source, SOURCE_FIELDS)
    if retry:
        _participants().bulk_write([UpdateOne({"_id": i}, u) for i, u in retry.items()])
        stored.update(_read(list(retry)))
    before, after = [], []
    for write, (_query, _update, references) in updates:
        doc = stored.get(write.before["_id"])
        if doc is None:
            continue
        keys = SOURCE_FIELDS if write.source is not None else ()
        if references is not None and _holds(doc, references):
            keys += ORDERED_REFERENCE_FIELDS
        before.append(_as_before(doc, write.before, keys))
        after.append(doc)
    return before, after


def _read(ids):
    found = mongodb.find_in(_participants(), "_id", ids, projection=WRITTEN_PROJECTION)
    return {doc["_id"]: doc for doc in found}


def upsert_people(*, writes, now):
    """The EmailOctopus sync's batch of PersonWrites (`source`: the SOURCE_FIELDS after the
    merge; `references`: what matching decided, or None), written with one `bulk_write` and
    followed once, from the stored documents the sync read for this batch (no read back).

    A new person is inserted whole, with the references decided for them (`_new_document`; an
    `_id` made here so that the listing has it; one insert for all, where an upsert each cost
    the local store a statement of its own). A stored one is updated by `contact_id` (upserted,
    should it have gone meanwhile), or, with references, by `_id` in one statement with them,
    guarded as an automatic `set_references` change is; when a guard failed (a reviewer came in
    between), those people get their source fields alone and are read back (`_settle`). Should
    someone else have created a new person meanwhile (their insert meets the unique
    `contact_id`), the merged fields are set on theirs, which is read back, and references
    decided for ours are not written. Returns the `Upserted` of the batch."""
    if not writes:
        return Upserted(conflicts=0, raced=[])
    operations, before, after, guarded = [], [], [], []
    for write in writes:
        if write.before is None:
            after.append(_new_document(write))
            operations.append(InsertOne(after[-1]))
        elif write.references is None:
            update = set_and_unset(write.source, write.source.keys())
            query = {"contact_id": write.source["contact_id"]}
            operations.append(UpdateOne(query, update, upsert=True))
            after.append(_applied(write.before, update))
        else:
            query, update, references = _person_update(write)
            guarded.append((write, (query, update, references)))
            # One operation a write, in order: a failed insert's index is its write's.
            operations.append(UpdateOne(query, update))
            continue
        before.append(write.before)
    with announcements.announcing(now=now):
        raced, updated = _bulk_write_people(operations)
        sources = [writes[index].source for index in raced]
        if sources:
            _participants().bulk_write(
                [UpdateOne({"contact_id": m["contact_id"]}, set_and_unset(m, m)) for m in sources],
                ordered=False,
            )
            found = mongodb.find_in(
                _participants(),
                "contact_id",
                [source["contact_id"] for source in sources],
                projection=WRITTEN_PROJECTION,
            )
            theirs = {doc["contact_id"]: doc for doc in found}
            after = [theirs.get(doc.get("contact_id"), doc) for doc in after]
        # Every update by contact_id matched or upserted: fewer means a guard failed.
        conflicts = sum(write.before is not None for write in writes) - updated
        if conflicts:
            settled_before, settled_after = _settle(guarded)
        else:
            settled_before = [write.before for write, _update in guarded]
            settled_after = [_applied(write.before, u[1]) for write, u in guarded]
        _follow(before + settled_before, after + settled_after)
    raced = [
        source["contact_id"]
        for index, source in zip(raced, sources, strict=True)
        if writes[index].references is not None
    ]
    return Upserted(conflicts=conflicts, raced=raced)


@dataclass(frozen=True)
class Upserted:
    """What an `upsert_people` batch left of the references given: how many were not written for
    a failed guard (`conflicts`), and the contact ids of the new people someone else created
    meanwhile (`raced`), whose references were not written either."""

    conflicts: int
    raced: list


def _bulk_write_people(operations):
    """Run the batch's operations (unordered); returns (the indexes of the inserts that met a
    person already stored (duplicate key), how many updates matched or upserted); any other
    write error is raised."""
    try:
        result = _participants().bulk_write(operations, ordered=False)
    except BulkWriteError as error:
        errors = error.details.get("writeErrors") or []
        if error.details.get("writeConcernErrors") or any(
            e.get("code") != DUPLICATE_KEY for e in errors
        ):
            raise
        updated = error.details.get("nMatched", 0) + error.details.get("nUpserted", 0)
        return [e["index"] for e in errors], updated
    return [], result.matched_count + result.upserted_count


# --- the quarantine --------------------------------------------------------------------------


def quarantine_entry(*, source_id, reason, detail, original, now):
    """A `migration_quarantine` document: the unusable row as it came, and why.

    The row's keys are stored escaped (empowersave.storekeys.escape_keys: "$where" →
    "%24where", "_id" → "%5Fid"), so any row can be stored; `unescape_keys` gives it back.
    """
    return {
        "source_id": source_id,
        "reason": reason,
        "detail": detail,
        "original": escape_keys(original),
        "quarantined_at": now,
    }


def write_quarantine(*, inserted, updated):
    """The migration's batch: new entries, and (stored `_id`, entry) pairs whose QUARANTINE_FIELDS
    changed. One `bulk_write`."""
    operations = [InsertOne(dict(entry)) for entry in inserted]
    operations += [
        UpdateOne({"_id": _id}, set_and_unset(entry, QUARANTINE_FIELDS)) for _id, entry in updated
    ]
    if operations:
        _quarantine().bulk_write(operations, ordered=False)


def upsert_quarantine(*, entries, released):
    """The sync's batch: entries upserted by `source_id` (the first `quarantined_at` is kept), and
    the `released` source ids, valid now, taken out. Returns how many entries are new."""
    if released:
        _quarantine().delete_many({"source_id": {"$in": released}})
    if not entries:
        return 0
    operations = [
        UpdateOne(
            {"source_id": entry["source_id"]},
            {
                "$set": {key: entry[key] for key in ("reason", "detail", "original")},
                "$setOnInsert": {"quarantined_at": entry["quarantined_at"]},
            },
            upsert=True,
        )
        for entry in entries
    ]
    return _quarantine().bulk_write(operations, ordered=False).upserted_count


# --- the whole collection ---------------------------------------------------------------------


def drop_migrated_collections(*, now):
    """Drop the target participants, their listing (with its keys) and the quarantine, and
    announce a Reset (so the rollups empty). Returns {collection name: documents it held}. The
    source is not touched."""
    dropped = {}
    collections = (listing.listing_collection(), listing.keys_collection(), _quarantine())
    for collection in (_participants(), *collections):
        dropped[collection.name] = collection.estimated_document_count()
        collection.drop()
    listing.forget_orders()
    announcements.announce(announcements.Reset(now=now))
    return dropped


def begin_bulk_load():
    """Before a batch command inserts into an empty participants collection (a first migration):
    drop the secondary indexes of participants and the listing (with its keys); `ensure_indexes`
    builds them once the load is done. Measured on the local store at full scale (32,627 people,
    load 7): participants inserted in 85 s with their 2 indexes against 28 s + 11 s to build
    them after; the listing in 112 s with its indexes against 12 s + 30 s."""
    for document in (Participant, ParticipantListing, ListingKeys):
        mongodb.collection_for(document).drop_indexes()


def catch_up(*, now):
    """Finish what a killed process left, at the start of a batch command (the migration, the
    sync, rematching), when no other batch runs. A write whose follow-up never came: the
    listing is rebuilt from participants and a Reset announced (the rollups rebuild). A listing
    of another version (or none: a store from before it) is rebuilt. True when a Reset was
    announced."""
    markers = announcements.unannounced_writes()
    if markers or not listing.is_current():
        listing.rebuild(_participants())
    if markers:
        announcements.announce_reset(now=now, markers=markers)
    return bool(markers)
