"""A review decision and its SQL audit row can never diverge.

MongoDB and SQL share no transaction, so the decision itself is the record: the update that
changes a participant's match also appends the decision (who, when, action, reason, parcel, the
references before and after) to the participant's `review_history`, one single-document,
version-guarded, journaled update (participants.services.set_references). The SQL
`ReviewDecision` row is then written from that entry. Around the two writes a journaled marker
(`review_audit_pending`, one per decision) outlives a process that dies, or an SQL insert that
fails, between them; `reconcile` (run before the audit trail is read: the decisions page and
its CSV, a participant's history, undo, the admin; and by `manage.py reconcile_review_audit`)
writes the row of every decision in a participant's history that has none, and drops markers of
decisions that never reached MongoDB (a stale page, or a crash before the update).

Cost: one more small journaled insert and delete per decision (or per bulk action), and one
read of an empty collection per audit-trail page.
"""

import json
import logging
import uuid
from contextlib import contextmanager
from datetime import UTC, timedelta

from bson import json_util
from django.db import DatabaseError, IntegrityError, transaction

from empowersave import mongodb
from participants import selectors as participant_selectors
from participants.documents import DECISION_HISTORY_FIELD, REFERENCE_FIELDS

from .models import ReviewDecision

logger = logging.getLogger(__name__)

PENDING_COLLECTION = "review_audit_pending"
# A marker whose decision is in no participant's history is dropped only when older than this:
# a younger one may belong to a decision whose update is still on its way.
PENDING_GRACE = timedelta(minutes=2)


def _pending():
    return mongodb.target_collection(PENDING_COLLECTION)


def references(doc):
    """REFERENCE_FIELDS of a raw participant (None where it has none)."""
    return {key: doc.get(key) for key in REFERENCE_FIELDS}


def new_entry(*, action, decider, before, after, reason="", residence=None, undoes=None):
    """The `review_history` entry of one decision (raw, stored in the participant).

    `before` and `after` are REFERENCE_FIELDS dicts; `undoes` the ReviewDecision undone.
    """
    residence = residence or {}
    entry = {
        "key": uuid.uuid4().hex,
        "action": action,
        "reviewer_id": decider.reviewer.pk,
        "reviewer": decider.reviewer.get_username(),
        "at": decider.now,
        "reason": reason,
        "county": residence.get("county") or "",
        "parcel_id": str(residence.get("parcel_id") or ""),
        "before": before,
        "after": after,
    }
    if undoes is not None:
        entry["undoes"] = undoes.key
        entry["undoes_id"] = undoes.pk
    return entry


def row_of(entry, *, participant):
    """The SQL audit row of a history entry (not saved); `participant` a raw document."""
    created_at = entry["at"]
    if created_at.tzinfo is None:  # as MongoDB gives it back: naive UTC
        created_at = created_at.replace(tzinfo=UTC)
    return ReviewDecision(
        key=entry["key"],
        participant_id=str(participant["_id"]),
        contact_id=participant.get("contact_id") or "",
        action=entry["action"],
        reviewer_id=entry["reviewer_id"],
        created_at=created_at,
        reason=entry.get("reason") or "",
        county=entry.get("county") or "",
        parcel_id=entry.get("parcel_id") or "",
        before=snapshot(entry["before"]),
        after=snapshot(entry["after"]),
    )


def snapshot(refs):
    """REFERENCE_FIELDS as JSON for the audit row (MongoDB extended JSON: dates as {"$date"})."""
    return json.loads(json_util.dumps(refs))


@contextmanager
def pending(entries, *, participant_ids, now):
    """Markers for decisions about to be written (journaled, so they are on disk first)."""
    markers = [
        {"_id": entry["key"], "participant_id": participant_id, "at": now}
        for entry, participant_id in zip(entries, participant_ids, strict=True)
    ]
    if markers:
        mongodb.journaled(_pending()).insert_many(markers)
    yield


def settled(keys):
    """Drop the markers of decisions whose audit rows are written (or that never happened)."""
    keys = list(keys)
    if keys:
        _pending().delete_many({"_id": {"$in": keys}})


def save_rows(pairs):
    """Write the audit rows of (entry, row) pairs whose decisions are in MongoDB, in one
    transaction with the links of undos to what they undo; then drop their markers.

    When SQL fails the rows are not saved (pk None) and the markers stay: `reconcile` writes
    them later. Returns the rows."""
    rows = [row for _entry, row in pairs]
    try:
        with transaction.atomic():
            ReviewDecision.objects.bulk_create(rows)
            for entry, row in pairs:
                _link_undo(entry, row)
    except DatabaseError:
        logger.exception("the audit rows of %d decisions are left to reconcile", len(rows))
        for row in rows:
            row.pk = None
        return rows
    settled(entry["key"] for entry, _row in pairs)
    return rows


def _link_undo(entry, undo_row):
    if "undoes" not in entry:
        return
    undone = ReviewDecision.objects.filter(pk=entry.get("undoes_id"))
    if entry["undoes"]:
        undone = ReviewDecision.objects.filter(key=entry["undoes"]) | undone
    undone.update(undone_by=undo_row)


def reconcile(*, now):
    """Write the audit row of every decision in a participant's history that has none (see the
    module docstring); returns how many rows it wrote."""
    markers = list(_pending().find({}))
    written, done = 0, []
    for marker in markers:
        participant = participant_selectors.participant_document(
            participant_id=marker["participant_id"]
        )
        history = (participant or {}).get(DECISION_HISTORY_FIELD) or ()
        entry = next((e for e in history if e.get("key") == marker["_id"]), None)
        if entry is None:
            if marker["at"].replace(tzinfo=UTC) < now - PENDING_GRACE:
                done.append(marker["_id"])  # it never reached MongoDB
            continue
        if not ReviewDecision.objects.filter(key=entry["key"]).exists():
            try:
                with transaction.atomic():
                    row = row_of(entry, participant=participant)
                    row.save()
                    _link_undo(entry, row)
                written += 1
            except IntegrityError:  # another process wrote it meanwhile
                pass
        done.append(marker["_id"])
    settled(done)
    if written:
        logger.warning("reconciled %d review decisions whose audit rows were missing", written)
    return written
