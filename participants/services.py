"""Writes to participants that other apps call (matching, review, rollback)."""

from bson import ObjectId
from pymongo import ReturnDocument

from participants.documents import Participant, QuarantinedDocument


class StaleParticipant(Exception):
    """Someone changed the participant's match since the caller read it."""


def _current_version_filter(version):
    """Match documents still at `version` (0 also covers a participant never matched)."""
    if version:
        return {"match.version": version}
    return {"match.version": {"$in": [0, None]}}


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
    participant_id = ObjectId(participant_id)  # accepts the str form used in URLs
    collection = Participant._get_collection()
    query = {"_id": participant_id, **_current_version_filter(expected_version)}
    before = collection.find_one_and_update(query, update, return_document=ReturnDocument.BEFORE)
    if before is None:
        raise StaleParticipant(
            f"participant {participant_id} is gone or no longer at version {expected_version}"
        )
    after = collection.find_one({"_id": participant_id})
    record_participant_changes(before=[before], after=[after])
    return after


def drop_migrated_collections(*, now):
    """Drop the target participants and the quarantine, then empty the dashboard rollups.

    Returns {collection name: documents it held}. The source collection is not touched.
    """
    from dashboard.rollups import refresh_rollups

    dropped = {}
    for document in (Participant, QuarantinedDocument):
        collection = document._get_collection()
        dropped[collection.name] = collection.estimated_document_count()
        document.drop_collection()
    refresh_rollups(now=now)
    return dropped
