"""Reviewer decisions on participants: each one a version-guarded update plus an audit row.

The review page carries the `match.version` it loaded. The write goes through
`participants.services.update_participant_references`, a conditional update on that version
which also keeps the dashboard rollups current; a participant changed by someone else in the
meantime is not overwritten and the reviewer is told.

Bulk actions make no per-row round trips: the selected participants are read in one query,
their households linked by `matching.services.link_demographics_for_parcels` (one query per
rule), written with `participants.services.update_participants_references` (one bulk write,
same version guard, one rollup update) and audited with one `bulk_create`.
"""

import json

from bson import ObjectId, json_util
from django.db import transaction

from empowersave import mongodb
from matching import demographics
from matching import services as matching
from participants import services as participant_services
from participants.documents import (
    DemographicReference,
    MatchInfo,
    MatchQuality,
    Participant,
    ResidenceReference,
)

from . import selectors
from .models import ReviewDecision

# A household record linked through the parcel goes when a reviewer says "no match"; one
# linked by the participant's email, phone or name stays.
PARCEL_LINK_RULES = (demographics.PARCEL,)


class ReviewError(ValueError):
    """The decision cannot be applied as asked (unknown candidate, parcel, decision…)."""


class StaleParticipant(ReviewError):
    """The participant changed since the reviewer loaded it; nothing was written."""


def _collection():
    return mongodb.collection_for(Participant)


def _to_json(value):
    return json.loads(json_util.dumps(value))


def _from_json(value):
    return json_util.loads(json.dumps(value))


def snapshot(doc):
    """The parts of a raw participant a decision changes, as JSON for the audit trail."""
    return _to_json({key: doc.get(key) for key in participant_services.REFERENCE_KEYS})


def _load(participant_id, expected_version):
    doc = _collection().find_one({"_id": ObjectId(str(participant_id))})
    if doc is None:
        raise ReviewError("This participant does not exist any more.")
    if expected_version is not None and participant_services.match_version(doc) != expected_version:
        raise StaleParticipant(
            "This participant was changed by someone else since you opened it. "
            "Review the current state and decide again."
        )
    return doc


def _embedded(document_class, value):
    """The embedded document of a raw dict; keys it does not declare (a score…) are left out."""
    if value is None:
        return None
    return document_class._from_son({k: v for k, v in value.items() if k in document_class._fields})


def _references(changes):
    """The references, match and reviewer of raw `changes`, as participants.services takes them."""
    return {
        "residence_ref": _embedded(ResidenceReference, changes["residence_ref"]),
        "demographic_ref": _embedded(DemographicReference, changes["demographic_ref"]),
        "match": _embedded(MatchInfo, changes["match"]),
        "reviewed_by": changes["match"].get("reviewed_by"),
    }


def _write(before, changes, *, now):
    """Store the new references and match if the version is still the one `before` has."""
    try:
        return participant_services.update_participant_references(
            participant_id=before["_id"],
            expected_version=participant_services.match_version(before),
            now=now,
            **_references(changes),
        )
    except participant_services.StaleParticipant as error:
        raise StaleParticipant(
            "This participant was changed by someone else while you were deciding. "
            "Nothing was saved."
        ) from error


def _reviewed_match(before, *, now, reviewer, **changes):
    match = dict(before.get("match") or {})
    match.update(changes)
    match.update(matched_at=now, reviewed_by=reviewer.get_username())
    return match


def _decision(*, action, before, after, reviewer, now, reason="", residence=None):
    """The audit row of one decision, not saved yet."""
    residence = residence or {}
    return ReviewDecision(
        participant_id=str(before["_id"]),
        contact_id=before.get("contact_id") or "",
        action=action,
        reviewer=reviewer,
        created_at=now,
        reason=reason,
        county=residence.get("county") or "",
        parcel_id=residence.get("parcel_id") or "",
        before=snapshot(before) if after is not None else None,
        after=snapshot(after) if after is not None else None,
    )


def _record(**decision):
    row = _decision(**decision)
    row.save()
    return row


def _candidate(doc, *, county, parcel_id):
    for candidate in (doc.get("match") or {}).get("candidates") or []:
        if candidate.get("county") == county and str(candidate.get("parcel_id")) == str(parcel_id):
            return candidate
    return None


def _parcel_link(before, residence):
    """The household-linking request of a participant placed at the parcel `residence`."""
    fields = before.get("fields") or {}
    return matching.ParcelLink(
        county=residence["county"],
        parcel_id=residence["parcel_id"],
        email=before.get("email_address"),
        phone=before.get("phone_number") or fields.get("Phone"),
        first_name=fields.get("FirstName"),
        last_name=fields.get("LastName"),
    )


def _link_changes(before, residence, *, demographic, method, score, agreement, now, reviewer):
    """The new residence_ref, demographic_ref and match of a participant linked to `residence`
    (`demographic`: what matching.link_demographics_for_parcels gave for that parcel)."""
    return {
        "residence_ref": residence,
        "demographic_ref": demographic,
        "match": _reviewed_match(
            before,
            now=now,
            reviewer=reviewer,
            quality=MatchQuality.MANUAL,
            method=method,
            score=score,
            agreement=agreement or {},
            reason=None,
        ),
    }


def _link(*, action, before, residence, score, agreement, reviewer, now):
    [demographic] = matching.link_demographics_for_parcels([_parcel_link(before, residence)])
    changes = _link_changes(
        before,
        residence,
        demographic=demographic,
        method=f"review:{action.lower()}",
        score=score,
        agreement=agreement,
        now=now,
        reviewer=reviewer,
    )
    with transaction.atomic():
        after = _write(before, changes, now=now)
        decision = _record(
            action=action,
            before=before,
            after=after,
            reviewer=reviewer,
            now=now,
            residence=residence,
        )
    return decision


def accept_candidate(*, participant_id, county, parcel_id, expected_version, reviewer, now):
    """Link the participant to one of the candidates matching kept for it."""
    doc = _load(participant_id, expected_version)
    candidate = _candidate(doc, county=county, parcel_id=parcel_id)
    if candidate is None:
        raise ReviewError("That parcel is not among this participant's candidates.")
    return _link(
        action=ReviewDecision.Action.ACCEPT,
        before=doc,
        residence=candidate,
        score=candidate.get("score"),
        agreement=candidate.get("agreement"),
        reviewer=reviewer,
        now=now,
    )


def pick_parcel(*, participant_id, county, parcel_id, expected_version, reviewer, now):
    """Link the participant to a parcel the reviewer found by hand in the county data."""
    parcel = matching.residence_reference(county=county, parcel_id=parcel_id)
    if parcel is None:
        raise ReviewError("No parcel with that county and parcel id.")
    doc = _load(participant_id, expected_version)
    candidate = _candidate(doc, county=county, parcel_id=parcel_id) or {}
    return _link(
        action=ReviewDecision.Action.MANUAL_PICK,
        before=doc,
        residence=parcel,
        score=candidate.get("score"),
        agreement=candidate.get("agreement"),
        reviewer=reviewer,
        now=now,
    )


def _no_match_changes(before, *, reason, reviewer, now):
    demographic = before.get("demographic_ref")
    if demographic and demographic.get("linked_by") in PARCEL_LINK_RULES:
        demographic = None
    return {
        "residence_ref": None,
        "demographic_ref": demographic,
        "match": _reviewed_match(
            before,
            now=now,
            reviewer=reviewer,
            quality=MatchQuality.NO_MATCH,
            method="review:no_match",
            reason=reason,
            agreement={},
        ),
    }


def mark_no_match(*, participant_id, reason, expected_version, reviewer, now):
    """Record that no county parcel is this participant's home (the reason is kept)."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("Give a reason for “no match”.")
    before = _load(participant_id, expected_version)
    with transaction.atomic():
        changes = _no_match_changes(before, reason=reason, reviewer=reviewer, now=now)
        after = _write(before, changes, now=now)
        decision = _record(
            action=ReviewDecision.Action.NO_MATCH,
            before=before,
            after=after,
            reviewer=reviewer,
            now=now,
            reason=reason,
        )
    return decision


def skip(*, participant_id, reviewer, now, reason=""):
    """Record "can't tell" for this reviewer; the participant is not touched."""
    doc = _load(participant_id, None)
    return _record(
        action=ReviewDecision.Action.SKIP,
        before=doc,
        after=None,
        reviewer=reviewer,
        now=now,
        reason=reason,
    )


def undo(*, decision_id, reviewer, now):
    """Put back the references and match a decision replaced, if nothing changed since."""
    decision = ReviewDecision.objects.filter(pk=decision_id).first()
    if decision is None or not decision.can_be_undone:
        raise ReviewError("That decision cannot be undone (it changed nothing or was undone).")
    after_version = participant_services.match_version(decision.after or {})
    try:
        current = _load(decision.participant_id, after_version)
    except StaleParticipant as error:
        raise StaleParticipant(
            "This participant changed after that decision; undo the later decisions first."
        ) from error
    # The version still moves forward, so pages loaded before the undo are stale.
    restored = _from_json(decision.before)
    with transaction.atomic():
        changes = {key: restored.get(key) for key in participant_services.REFERENCE_KEYS}
        after = _write(current, changes, now=now)
        undo_row = _record(
            action=ReviewDecision.Action.UNDO,
            before=current,
            after=after,
            reviewer=reviewer,
            now=now,
            reason=f"Undid #{decision.pk} ({decision.get_action_display()})",
        )
        decision.undone_by = undo_row
        decision.save(update_fields=["undone_by"])
    return undo_row


def _queue_docs(participant_ids):
    """The raw documents of the selected participants that are still in the review queue."""
    oids = [ObjectId(str(pid)) for pid in participant_ids]
    # The queue's own conditions; no sort (a bulk action does not need queue order).
    return list(selectors.review_queue().filter(id__in=oids).order_by().as_pymongo())


def _apply_bulk(rows, *, action, reviewer, now, reason=""):
    """Write (before, changes, residence) rows in one bulk write, their audit rows in one insert;
    a row whose participant changed since it was read is counted as a conflict and left alone."""
    changes = [
        participant_services.ReferenceChange(before=before, **_references(change))
        for before, change, _residence in rows
    ]
    with transaction.atomic():
        afters = participant_services.update_participants_references(changes=changes, now=now)
        decisions = ReviewDecision.objects.bulk_create(
            _decision(
                action=action,
                before=before,
                after=after,
                reviewer=reviewer,
                now=now,
                reason=reason,
                residence=residence,
            )
            for (before, _change, residence), after in zip(rows, afters, strict=True)
            if after is not None
        )
    return {"changed": len(decisions), "conflicts": len(rows) - len(decisions)}


def _top_candidate(doc):
    candidates = (doc.get("match") or {}).get("candidates") or []
    return max(candidates, key=lambda c: c.get("score") or 0, default=None)


def bulk_accept_top(*, participant_ids, threshold, reviewer, now):
    """Accept the top candidate of each selected participant whose top score ≥ `threshold`.

    A fixed number of queries whatever the selection: one read of the participants, one
    batched household linking, one bulk write and read back, one audit insert.
    """
    chosen, below = [], 0
    for doc in _queue_docs(participant_ids):
        top = _top_candidate(doc)
        if top is None or (top.get("score") or 0) < threshold:
            below += 1
            continue
        chosen.append((doc, top))
    links = matching.link_demographics_for_parcels([_parcel_link(doc, top) for doc, top in chosen])
    rows = [
        (
            doc,
            _link_changes(
                doc,
                top,
                demographic=demographic,
                method="review:bulk_accept",
                score=top.get("score"),
                agreement=top.get("agreement"),
                now=now,
                reviewer=reviewer,
            ),
            top,
        )
        for (doc, top), demographic in zip(chosen, links, strict=True)
    ]
    stats = _apply_bulk(rows, action=ReviewDecision.Action.ACCEPT, reviewer=reviewer, now=now)
    return {**stats, "below_threshold": below}


def bulk_no_match(*, participant_ids, reason, reviewer, now):
    """Mark every selected participant still in the queue as no match."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("Give a reason for “no match”.")
    rows = [
        (doc, _no_match_changes(doc, reason=reason, reviewer=reviewer, now=now), None)
        for doc in _queue_docs(participant_ids)
    ]
    return _apply_bulk(
        rows, action=ReviewDecision.Action.NO_MATCH, reviewer=reviewer, now=now, reason=reason
    )
