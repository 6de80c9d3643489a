"""Merge legacy-shaped API rows into one stored participant, by the migration's rules.

Fields, history, status, email and phone go through the migration's own `PersonMerge`: the
stored participant is fed to it first (`PersonMerge.add_stored`: its current values, ranked at
its `synced_at` above any row of the same instant, and one row per `field_history` entry), then
the API rows. So "latest non-empty value wins, the others go to the history" is the migration's
rule, applied incrementally, and feeding the same rows twice changes nothing.

Engagements are merged here, not appended: one per (campaign_id, eo_contact_id). An API row
for a pair already present (migrated or synced) only turns flags on and moves `engaged_at` to
the latest event; an engagement the migration stored without an EmailOctopus contact id is
adopted by the first API row of its campaign. API engagements have no `source_id`.
"""

from dataclasses import dataclass, field
from datetime import datetime

from emailoctopus.rows import is_api_source_id
from participants.documents import SOURCE_FIELDS, EngagementFlag
from participants.fields import ADDRESS_FIELD_KEYS
from participants.person import PersonMerge
from participants.transform import (
    contact_id_of,
    engagement_sort_key,
    engagement_totals,
    quarantine_reason,
    same_fields,
    search_text_for,
    stored_time,
)


@dataclass
class MergeChanges:
    changed: bool = False
    engagements_added: list = field(default_factory=list)  # (campaign_id, eo_contact_id)
    engagements_updated: list = field(default_factory=list)
    fields_changed: set = field(default_factory=set)  # stored field keys whose value changed
    address_changed: bool = False


def validate_row(document):
    """(contact_id, None) for a usable row, or (None, (REASON, detail)) for the quarantine."""
    problem = quarantine_reason(document)
    if problem:
        return None, problem
    return contact_id_of(document), None


def _latest(*moments):
    present = [stored_time(m) for m in moments if m is not None]
    return max(present) if present else None


def _history_entry(change):
    """History keeps the source ids of source rows (an `_id` of any type, as the migration
    stores it): API rows have none."""
    if is_api_source_id(change.get("source_id")):
        change = {key: value for key, value in change.items() if key != "source_id"}
    if change.get("synced_at") is not None:
        change = {**change, "synced_at": stored_time(change["synced_at"])}
    return change


def _merge_engagement(engagements, document, changes):
    campaign_id = document["campaign_id"]
    eo_contact_id = document["contact_id"]
    flags = document["engagement"]
    occurred_at = stored_time(document.get("occurred_at"))
    same = [
        e
        for e in engagements
        if e.get("campaign_id") == campaign_id and e.get("eo_contact_id") == eo_contact_id
    ]
    if not same:  # a migrated engagement of this campaign that has no EmailOctopus contact id
        same = [
            e
            for e in engagements
            if e.get("campaign_id") == campaign_id and not e.get("eo_contact_id")
        ]
    if not same:
        engagement = {"campaign_id": campaign_id, "eo_contact_id": eo_contact_id}
        engagement.update({flag: bool(flags.get(flag)) for flag in EngagementFlag.ALL})
        if occurred_at is not None:
            engagement["engaged_at"] = occurred_at
        engagements.append(engagement)
        changes.engagements_added.append((campaign_id, eo_contact_id))
        return
    engagement = same[0]
    updated = dict(engagement, eo_contact_id=eo_contact_id)
    for flag in EngagementFlag.ALL:
        updated[flag] = bool(engagement.get(flag)) or bool(flags.get(flag))
    engaged_at = _latest(engagement.get("engaged_at"), occurred_at)
    if engaged_at is not None:
        updated["engaged_at"] = engaged_at
    if updated != engagement:
        engagements[engagements.index(engagement)] = updated
        changes.engagements_updated.append((campaign_id, eo_contact_id))


def merge_participant(existing, documents):
    """(stored owned fields after the merge, MergeChanges) for one person's valid API rows.

    `existing` is the stored participant (raw dict) or None; `documents` are legacy-shaped rows
    of this person (rows.py), all valid (see `validate_row`).
    """
    documents = sorted(
        documents, key=lambda d: (stored_time(d.get("synced_at")) or datetime.min, d["_id"])
    )
    contact_id = existing["contact_id"] if existing else contact_id_of(documents[0])
    person = PersonMerge(contact_id)
    if existing:
        person.add_stored(existing)
    for document in documents:
        person.add(document)
    merged = person.result()

    changes = MergeChanges()
    engagements = [
        {**e, "engaged_at": stored_time(e["engaged_at"])} if e.get("engaged_at") else dict(e)
        for e in (existing or {}).get("engagements") or []
    ]
    for document in documents:
        _merge_engagement(engagements, document, changes)
    engagements.sort(key=engagement_sort_key)
    merged["engagements"] = engagements
    merged["totals"] = engagement_totals(engagements)
    merged["field_history"] = [_history_entry(change) for change in merged["field_history"]]
    for key in ("email_address", "phone_number"):  # set by someone else: keep it
        if merged[key] is None and existing and existing.get(key):
            merged[key] = existing[key]
    merged["synced_at"] = _latest(
        (existing or {}).get("synced_at"),
        *(d.get("synced_at") for d in documents),
        *(d.get("occurred_at") for d in documents),
    )
    merged["search_text"] = search_text_for(
        fields=merged["fields"],
        email_address=merged["email_address"],
        phone_number=merged["phone_number"],
    )

    before = existing or {}
    changes.changed = not same_fields(before, merged, SOURCE_FIELDS)
    old_fields, new_fields = before.get("fields") or {}, merged["fields"]
    changes.fields_changed = {
        key
        for key in set(old_fields) | set(new_fields)
        if old_fields.get(key) != new_fields.get(key)
    }
    changes.address_changed = not changes.fields_changed.isdisjoint(ADDRESS_FIELD_KEYS)
    return merged, changes
