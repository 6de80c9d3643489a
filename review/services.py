"""Reviewer decisions on participants: each one a version-guarded update plus an audit row.

The review page carries the `match.version` it loaded. The write goes through
`participants.services.update_participant_references`, a conditional update on that version
whose announcement keeps the dashboard rollups current; a participant changed by someone else
in the meantime is not overwritten and the reviewer is told (a ReviewError). The same
single-document update appends the decision to the participant's `review_history`, and the SQL
audit row is written from it: the two never diverge (review.audit, which also reconciles).

Bulk actions make no per-row round trips: the selected participants are read in one query,
their households linked by `matching.households.link_demographics_for_parcels` (one query per
rule), written with `participants.services.set_references` (one bulk write, same version
guard, one announcement) and audited with one `bulk_create`.
"""

import json
from dataclasses import dataclass, replace
from datetime import datetime

from bson import json_util

from matching import demographics, households
from matching import services as matching
from participants import selectors as participant_selectors
from participants import services as participant_services
from participants.documents import (
    REFERENCE_FIELDS,
    DemographicReference,
    MatchInfo,
    MatchQuality,
    ResidenceReference,
)

from . import audit as review_audit
from . import bulk_accept
from .models import ReviewDecision

# A household record linked through the parcel goes when a reviewer says "no match"; one
# linked by the participant's email, phone or name stays.
PARCEL_LINK_RULES = (demographics.PARCEL,)
STALE_ON_LOAD = (
    "This participant was changed by someone else since you opened it. "
    "Review the current state and decide again."
)
STALE_ON_SAVE = (
    "This participant was changed by someone else while you were deciding. Nothing was saved."
)
STALE_ON_UNDO = "This participant changed after that decision; undo the later decisions first."


class ReviewError(ValueError):
    """The decision cannot be applied as asked (unknown candidate or parcel, stale page…)."""


@dataclass(frozen=True)
class Decider:
    """Who decides, and when: every decision records both."""

    reviewer: object
    now: datetime


@dataclass(frozen=True)
class ParcelChoice:
    """The parcel a reviewer links a participant to (a candidate's or the county record's
    fields), and how it was chosen."""

    residence: dict
    method: str
    score: float | None = None
    agreement: dict | None = None


@dataclass(frozen=True)
class Audit:
    """What the audit row of a decision says besides the participant and the decider."""

    action: str
    reason: str = ""
    residence: dict | None = None


def _from_json(value):
    return json_util.loads(json.dumps(value))


def _load(participant_id, expected_version, *, stale=STALE_ON_LOAD):
    doc = participant_selectors.participant_document(participant_id=participant_id)
    if doc is None:
        raise ReviewError("This participant does not exist any more.")
    if expected_version is not None and participant_services.match_version(doc) != expected_version:
        raise ReviewError(stale)
    return doc


def _embedded(document_class, value):
    """The raw dict of an embedded document: keys it does not declare (a score…) are left out,
    None values too, as MongoEngine stores them."""
    if value is None:
        return None
    fields = {k: v for k, v in value.items() if k in document_class._fields}
    return document_class._from_son(fields).to_mongo().to_dict()


def _reference_change(before, changes, *, now):
    """The participants.services ReferenceChange of raw `changes`; a decision always has a time."""
    match = _embedded(MatchInfo, changes["match"])
    match.setdefault("matched_at", now)
    return participant_services.ReferenceChange(
        before=before,
        residence_ref=_embedded(ResidenceReference, changes["residence_ref"]),
        demographic_ref=_embedded(DemographicReference, changes["demographic_ref"]),
        match=match,
    )


def _recorded(before, changes, *, audit, decider, undoes=None):
    """The ReferenceChange of raw `changes` carrying its decision entry (review.audit)."""
    change = _reference_change(before, changes, now=decider.now)
    entry = review_audit.new_entry(
        action=audit.action,
        decider=decider,
        before=review_audit.references(before),
        after=participant_services.references_after(change),
        reason=audit.reason,
        residence=audit.residence,
        undoes=undoes,
    )
    return replace(change, decision=entry)


def _write(before, changes, *, audit, decider, undoes=None):
    """Store the new references, match and decision if the version is still the one `before`
    has, then the decision's audit row; returns the row (pk None when SQL failed: reconciled).
    """
    change = _recorded(before, changes, audit=audit, decider=decider, undoes=undoes)
    entry = change.decision
    with review_audit.pending([entry], participant_ids=[before["_id"]], now=decider.now):
        try:
            after = participant_services.update_participant_references(
                change=change, now=decider.now
            )
        except participant_services.StaleParticipant as error:
            review_audit.settled([entry["key"]])
            raise ReviewError(STALE_ON_SAVE) from error
    [row] = review_audit.save_rows([(entry, review_audit.row_of(entry, participant=after))])
    return row


def _reviewed_match(before, *, decider, **changes):
    match = dict(before.get("match") or {})
    match.update(changes)
    match.update(matched_at=decider.now, reviewed_by=decider.reviewer.get_username())
    return match


def _candidate(doc, *, county, parcel_id):
    for candidate in (doc.get("match") or {}).get("candidates") or []:
        if candidate.get("county") == county and str(candidate.get("parcel_id")) == str(parcel_id):
            return candidate
    return None


def _parcel_link(before, residence):
    """The household-linking request of a participant placed at the parcel `residence`."""
    return households.parcel_link(
        before, county=residence["county"], parcel_id=residence["parcel_id"]
    )


def _link_changes(before, choice, *, demographic, decider):
    """The new residence_ref, demographic_ref and match of a participant linked to the chosen
    parcel (`demographic`: what households.link_demographics_for_parcels gave for it)."""
    return {
        "residence_ref": choice.residence,
        "demographic_ref": demographic,
        "match": _reviewed_match(
            before,
            decider=decider,
            quality=MatchQuality.MANUAL,
            method=choice.method,
            score=choice.score,
            agreement=choice.agreement or {},
            reason=None,
        ),
    }


def _link(*, action, before, choice, decider):
    [demographic] = households.link_demographics_for_parcels(
        [_parcel_link(before, choice.residence)]
    )
    changes = _link_changes(before, choice, demographic=demographic, decider=decider)
    audit = Audit(action=action, residence=choice.residence)
    return _write(before, changes, audit=audit, decider=decider)


def accept_candidate(*, participant_id, county, parcel_id, expected_version, reviewer, now):
    """Link the participant to one of the candidates matching kept for it."""
    doc = _load(participant_id, expected_version)
    candidate = _candidate(doc, county=county, parcel_id=parcel_id)
    if candidate is None:
        raise ReviewError("That parcel is not among this participant's candidates.")
    choice = ParcelChoice(
        residence=candidate,
        method="review:accept",
        score=candidate.get("score"),
        agreement=candidate.get("agreement"),
    )
    return _link(
        action=ReviewDecision.Action.ACCEPT,
        before=doc,
        choice=choice,
        decider=Decider(reviewer=reviewer, now=now),
    )


def pick_parcel(*, participant_id, county, parcel_id, expected_version, reviewer, now):
    """Link the participant to a parcel the reviewer found by hand in the county data."""
    parcel = matching.residence_reference(county=county, parcel_id=parcel_id)
    if parcel is None:
        raise ReviewError("No parcel with that county and parcel id.")
    doc = _load(participant_id, expected_version)
    candidate = _candidate(doc, county=county, parcel_id=parcel_id) or {}
    choice = ParcelChoice(
        residence=parcel,
        method="review:manual_pick",
        score=candidate.get("score"),
        agreement=candidate.get("agreement"),
    )
    return _link(
        action=ReviewDecision.Action.MANUAL_PICK,
        before=doc,
        choice=choice,
        decider=Decider(reviewer=reviewer, now=now),
    )


def _no_match_changes(before, *, reason, decider):
    demographic = before.get("demographic_ref")
    if demographic and demographic.get("linked_by") in PARCEL_LINK_RULES:
        demographic = None
    return {
        "residence_ref": None,
        "demographic_ref": demographic,
        "match": _reviewed_match(
            before,
            decider=decider,
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
    decider = Decider(reviewer=reviewer, now=now)
    changes = _no_match_changes(before, reason=reason, decider=decider)
    audit = Audit(action=ReviewDecision.Action.NO_MATCH, reason=reason)
    return _write(before, changes, audit=audit, decider=decider)


def skip(*, participant_id, reviewer, now, reason=""):
    """Record "can't tell" for this reviewer; the participant is not touched."""
    doc = _load(participant_id, None)
    return ReviewDecision.objects.create(
        participant_id=str(doc["_id"]),
        contact_id=doc.get("contact_id") or "",
        action=ReviewDecision.Action.SKIP,
        reviewer=reviewer,
        created_at=now,
        reason=reason,
    )


def undo(*, decision_id, reviewer, now):
    """Put back the references and match a decision replaced, if nothing changed since."""
    decision = ReviewDecision.objects.filter(pk=decision_id).first()
    if decision is None or not decision.can_be_undone:
        raise ReviewError("That decision cannot be undone (it changed nothing or was undone).")
    after_version = participant_services.match_version(decision.after or {})
    current = _load(decision.participant_id, after_version, stale=STALE_ON_UNDO)
    # The version still moves forward, so pages loaded before the undo are stale.
    restored = _from_json(decision.before)
    changes = {key: restored.get(key) for key in REFERENCE_FIELDS}
    audit = Audit(
        action=ReviewDecision.Action.UNDO,
        reason=f"Undid #{decision.pk} ({decision.get_action_display()})",
    )
    decider = Decider(reviewer=reviewer, now=now)
    return _write(current, changes, audit=audit, decider=decider, undoes=decision)


def _apply_bulk(rows, *, audit, decider):
    """Write (before, changes, residence) rows in one bulk write, their audit rows in one insert;
    a row whose participant changed since it was read is counted as a conflict and left alone."""
    changes = [
        _recorded(before, change, audit=replace(audit, residence=residence), decider=decider)
        for before, change, residence in rows
    ]
    entries = [change.decision for change in changes]
    ids = [before["_id"] for before, _change, _residence in rows]
    with review_audit.pending(entries, participant_ids=ids, now=decider.now):
        afters = participant_services.set_references(changes=changes, now=decider.now)
    held = [
        (entry, review_audit.row_of(entry, participant=after))
        for entry, after in zip(entries, afters, strict=True)
        if after is not None
    ]
    review_audit.settled(e["key"] for e, after in zip(entries, afters, strict=True) if not after)
    review_audit.save_rows(held)
    return {"changed": len(held), "conflicts": len(rows) - len(held)}


def bulk_accept_top(*, participant_ids, probability, reviewer, now, seen_versions=None):
    """Link each selected participant that review.bulk_accept's plan links at `probability` to
    its top candidate. `seen_versions` ({participant id: match.version}, what the confirmation
    page showed) leaves out, as conflicts, those changed since.

    A fixed number of queries whatever the selection: one read of the participants, one
    batched household linking, one bulk write and read back, one audit insert.
    """
    decider = Decider(reviewer=reviewer, now=now)
    plan = bulk_accept.bulk_accept_plan(participant_ids=participant_ids, probability=probability)
    chosen = [
        (item.doc, item.top)
        for item in plan.to_link
        if seen_versions is None
        or seen_versions.get(str(item.doc["_id"])) == participant_services.match_version(item.doc)
    ]
    links = households.link_demographics_for_parcels(
        [_parcel_link(doc, top) for doc, top in chosen]
    )
    rows = []
    for (doc, top), demographic in zip(chosen, links, strict=True):
        choice = ParcelChoice(
            residence=top,
            method="review:bulk_accept",
            score=top.get("score"),
            agreement=top.get("agreement"),
        )
        rows.append(
            (doc, _link_changes(doc, choice, demographic=demographic, decider=decider), top)
        )
    stats = _apply_bulk(rows, audit=Audit(action=ReviewDecision.Action.ACCEPT), decider=decider)
    stats["conflicts"] += len(plan.to_link) - len(chosen)
    return {**stats, "left": sum(plan.left.values())}


def bulk_no_match(*, participant_ids, reason, reviewer, now):
    """Mark every selected participant still in the queue as no match."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("Give a reason for “no match”.")
    decider = Decider(reviewer=reviewer, now=now)
    rows = [
        (doc, _no_match_changes(doc, reason=reason, decider=decider), None)
        for doc in bulk_accept.queue_documents(participant_ids)
    ]
    audit = Audit(action=ReviewDecision.Action.NO_MATCH, reason=reason)
    return _apply_bulk(rows, audit=audit, decider=decider)


def reconcile_audit(*, now):
    """Write the audit row of every decision a participant holds without one (review.audit)."""
    return review_audit.reconcile(now=now)
