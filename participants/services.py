"""Writes to participants that other apps call (matching, review, rollback)."""

from typing import NamedTuple

from bson import ObjectId
from pymongo import ReturnDocument, UpdateOne

from empowersave import mongodb
from participants.documents import Participant, QuarantinedDocument


class StaleParticipant(Exception):
    """Someone changed the participant's match since the caller read it."""


def _current_version_filter(version):
    """Match documents still at `version` (0 also covers a participant never matched)."""
    if version:
        return {"match.version": version}
    return {"match.version": {"$in": [0, None]}}


REFERENCE_KEYS = ("residence_ref", "demographic_ref", "match")


def _references_update(
    *, expected_version, residence_ref, demographic_ref, match, reviewed_by, now
):
    """The `$set` / `$unset` that stores new references and a match one version up."""
    match_doc = match.to_mongo().to_dict()
    match_doc["version"] = (expected_version or 0) + 1
    match_doc.setdefault("matched_at", now)
    if reviewed_by is not None:
        match_doc["reviewed_by"] = reviewed_by
    update = {"$set": {"match": match_doc}}
    unset = {}
    for name, reference in (("residence_ref", residence_ref), ("demographic_ref", demographic_ref)):
        if reference is None:
            unset[name] = ""
        else:
            update["$set"][name] = reference.to_mongo().to_dict()
    if unset:
        update["$unset"] = unset
    return update


def update_participant_references(
    *,
    participant_id,
    expected_version,
    residence_ref,
    demographic_ref,
    match,
    now,
    reviewed_by=None,
):
    """Set a participant's references and match, if nobody changed them since `expected_version`.

    `participant_id` is an ObjectId or its string. `residence_ref` / `demographic_ref` are
    embedded documents or None (None removes the reference); `match` is a `MatchInfo`. The
    stored `match.version` becomes `expected_version + 1`. Raises StaleParticipant when the
    stored version differs, so two reviewers never overwrite each other. Returns the stored
    document after the change; the dashboard rollups are updated incrementally.
    """
    from dashboard.rollups import record_participant_changes

    update = _references_update(
        expected_version=expected_version,
        residence_ref=residence_ref,
        demographic_ref=demographic_ref,
        match=match,
        reviewed_by=reviewed_by,
        now=now,
    )
    participant_id = ObjectId(participant_id)  # accepts the str form used in URLs
    collection = mongodb.journaled(
        mongodb.collection_for(Participant)
    )  # a decision must survive a crash
    query = {"_id": participant_id, **_current_version_filter(expected_version)}
    before = collection.find_one_and_update(query, update, return_document=ReturnDocument.BEFORE)
    if before is None:
        raise StaleParticipant(
            f"participant {participant_id} is gone or no longer at version {expected_version}"
        )
    after = collection.find_one({"_id": participant_id})
    record_participant_changes(before=[before], after=[after])
    return after


class ReferenceChange(NamedTuple):
    """New references and match for a participant, given as the raw document they replace."""

    before: dict
    residence_ref: object  # ResidenceReference or None
    demographic_ref: object  # DemographicReference or None
    match: object  # MatchInfo
    reviewed_by: str | None = None


def match_version(doc):
    """The `match.version` of a raw participant dict: 0 when it has never been matched."""
    return (doc.get("match") or {}).get("version") or 0


def _holds(doc, update):
    """Whether a stored document carries `update` (its match up to the stored `matched_at`)."""
    for name, value in update["$set"].items():
        stored = doc.get(name)
        if name == "match":
            stored = {k: v for k, v in (stored or {}).items() if k != "matched_at"}
            value = {k: v for k, v in value.items() if k != "matched_at"}
        if stored != value:
            return False
    return not any(name in doc for name in update.get("$unset", {}))


def _with_references_of(doc, source):
    """`doc` with the references and match of `source`: what it was just before the change."""
    restored = {key: value for key, value in doc.items() if key not in REFERENCE_KEYS}
    restored.update({key: source[key] for key in REFERENCE_KEYS if key in source})
    return restored


def update_participants_references(*, changes, now):
    """`update_participant_references` for many participants at once, for bulk decisions.

    One `bulk_write` of UpdateOnes guarded by each `before`'s `match.version`, one read back,
    one incremental rollup update. Returns, in order, the stored document after each change,
    or None where the participant was gone or at another version (it is left alone).
    """
    from dashboard.rollups import record_participant_changes

    if not changes:
        return []
    operations, updates = [], []
    for change in changes:
        expected_version = match_version(change.before)
        update = _references_update(
            expected_version=expected_version,
            residence_ref=change.residence_ref,
            demographic_ref=change.demographic_ref,
            match=change.match,
            reviewed_by=change.reviewed_by,
            now=now,
        )
        query = {"_id": change.before["_id"], **_current_version_filter(expected_version)}
        operations.append(UpdateOne(query, update))
        updates.append(update)
    collection = mongodb.journaled(
        mongodb.collection_for(Participant)
    )  # a decision must survive a crash
    collection.bulk_write(operations, ordered=False)
    ids = [change.before["_id"] for change in changes]
    stored = {doc["_id"]: doc for doc in collection.find({"_id": {"$in": ids}})}
    results, befores, afters = [], [], []
    for change, update in zip(changes, updates, strict=True):
        after = stored.get(change.before["_id"])
        if after is None or not _holds(after, update):
            results.append(None)
            continue
        results.append(after)
        # Rebuilt from the stored document, so a field another writer changed meanwhile (an
        # engagement…) is not counted as this change.
        befores.append(_with_references_of(after, change.before))
        afters.append(after)
    record_participant_changes(before=befores, after=afters)
    return results


def drop_migrated_collections(*, now):
    """Drop the target participants and the quarantine, then empty the dashboard rollups.

    Returns {collection name: documents it held}. The source collection is not touched.
    """
    from dashboard.rollups import refresh_rollups

    dropped = {}
    for document in (Participant, QuarantinedDocument):
        collection = mongodb.collection_for(document)
        dropped[collection.name] = collection.estimated_document_count()
        document.drop_collection()
    refresh_rollups(now=now)
    return dropped
