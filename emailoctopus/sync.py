"""Sync EmailOctopus campaign results into `empowersave_development.participants`.

For each sent campaign, every report status is read from its saved cursor on. The rows become
one legacy-shaped document per (campaign, contact) (rows.py), validated and merged into
participants by the migration's identity rule (merge.py), in batches of about `batch_size` rows;
a batch costs a few `$in` reads on indexed keys (EmailOctopus contact ids, contact_ids,
quarantine ids) and two bulk writes (participants, quarantine), never a query per row, and the
dashboard rollups get the batch's delta. Rows that can change nothing (already applied, already
quarantined) are dropped, and rows for an engagement we already hold carry its flags only, so the
list contacts (custom fields) are fetched only when a batch brings new engagements. The cursors
move only after the campaign's writes have landed, so a killed run re-reads at most one
campaign's new rows, and re-applying them changes nothing. New participants are matched at the
end.
"""

import logging
import time
from collections import Counter, defaultdict

from pymongo import UpdateOne

from dashboard.rollups import record_participant_changes, refresh_rollups
from emailoctopus import state
from emailoctopus.client import CAMPAIGN_STATUS_SENT, REPORT_STATUSES
from emailoctopus.merge import merge_participant, validate_row
from emailoctopus.rows import SourceRow, api_source_id, parse_timestamp, row_problem
from empowersave import mongodb
from matching.services import match_participants
from migration.run import quarantine_entry, set_and_unset
from participants.documents import (
    MatchQuality,
    Participant,
    QuarantinedDocument,
    ensure_indexes,
)
from participants.transform import stored_time

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000  # report rows per write batch (ten API pages)
# New people, and people whose address changed, are (re)matched unless a reviewer chose by hand.
REMATCH_QUALITIES = (None, *(q for q in MatchQuality.CHOICES if q != MatchQuality.MANUAL))


class RunTally:
    """What one run changed, kept as sets: a person or an engagement touched by several
    campaigns or batches is counted once."""

    def __init__(self):
        self.report_rows = Counter()  # (campaign_id, status) → rows read
        self.touched = set()
        self.created = set()
        self.updated = set()
        self.engagements_added = set()  # (campaign_id, eo_contact_id)
        self.engagements_updated = set()
        self.fields_changed = set()  # (contact_id, field)
        self.quarantined = {}  # source_id → reason, for every row found unusable
        self.quarantined_new = 0  # of which not in the quarantine before
        self.engagements_unchanged = 0  # (campaign, contact) read with nothing new
        self.unwritten = {}  # dry run: contact_id → merged document not written

    def record(self, *, contact_id, before, changes):
        self.touched.add(contact_id)
        if not changes.changed:
            return
        new_person = before is None or contact_id in self.created
        (self.created if new_person else self.updated).add(contact_id)
        self.engagements_added.update(changes.engagements_added)
        self.engagements_updated.update(changes.engagements_updated)
        if not new_person:
            self.fields_changed.update((contact_id, key) for key in changes.fields_changed)

    def report(self, *, dry_run, campaigns, skipped):
        updated = self.updated - self.created
        per_campaign = defaultdict(dict)
        for (campaign_id, status), rows in sorted(self.report_rows.items()):
            per_campaign[campaign_id][f"{status}_rows"] = rows
        for name, keys in (
            ("engagements_added", self.engagements_added),
            ("engagements_updated", self.engagements_updated - self.engagements_added),
        ):
            for campaign_id, count in Counter(key[0] for key in keys).items():
                per_campaign[campaign_id][name] = count
        return {
            "dry_run": dry_run,
            "campaigns": campaigns,
            "campaigns_skipped": skipped,
            "report_rows": sum(self.report_rows.values()),
            "engagements_unchanged": self.engagements_unchanged,
            "participants_created": len(self.created),
            "participants_updated": len(updated),
            "participants_unchanged": len(self.touched - self.created - updated),
            "engagements_added": len(self.engagements_added),
            "engagements_updated": len(self.engagements_updated - self.engagements_added),
            "fields_changed": len(self.fields_changed),
            "quarantined": self.quarantined_new,
            "quarantine_reasons": dict(Counter(self.quarantined.values())),
            "per_campaign": dict(per_campaign),
        }


class ContactDirectory:
    """The contacts of the campaigns' lists, fetched once per list per run and only if needed."""

    def __init__(self, client):
        self._client = client
        self._lists = {}

    def for_lists(self, list_ids):
        merged = {}
        for list_id in list_ids or ():
            if list_id not in self._lists:
                self._lists[list_id] = {
                    contact["id"]: contact
                    for contact in self._client.iter_list_contacts(list_id)
                    if isinstance(contact, dict) and contact.get("id")
                }
            merged.update(self._lists[list_id])
        return merged


def select_campaigns(client, *, campaign_ids=None, since=None, skipped):
    """The sent campaigns to sync: the ones named, or all; sent on or after `since` if given."""
    if campaign_ids:
        candidates = [client.get_campaign(campaign_id) for campaign_id in campaign_ids]
    else:
        candidates = list(client.iter_campaigns())
    selected = []
    for campaign in candidates:
        if str(campaign.get("status")).lower() != CAMPAIGN_STATUS_SENT:  # v1 said "SENT"
            skipped[campaign["id"]] = f"status {campaign.get('status')}"
            continue
        sent_at = parse_timestamp(campaign.get("sent_at"))
        if since is not None and (sent_at is None or sent_at < since):
            skipped[campaign["id"]] = "sent before --since"
            continue
        selected.append(campaign)
    return selected


def sync_emailoctopus(
    *, client, now, campaign_ids=None, since=None, dry_run=False, batch_size=BATCH_SIZE
):
    """Run one sync; returns the report of what changed (nothing is written when `dry_run`)."""
    started = time.monotonic()
    rollups_refreshed = False
    if not dry_run:
        ensure_indexes()
        rollups_refreshed = _finish_interrupted_rollups(now=now)
    directory = ContactDirectory(client)
    tally = RunTally()
    skipped = {}
    campaigns = select_campaigns(client, campaign_ids=campaign_ids, since=since, skipped=skipped)
    for campaign in campaigns:
        _sync_campaign(
            client=client,
            campaign=campaign,
            directory=directory,
            now=now,
            dry_run=dry_run,
            batch_size=batch_size,
            tally=tally,
        )
    report = tally.report(dry_run=dry_run, campaigns=len(campaigns), skipped=skipped)
    report["matching"] = None if dry_run else _match_pending(now=now)
    report["rollups_refreshed"] = rollups_refreshed
    stats = client.stats
    report["api"] = {
        "requests": stats.requests,
        "retries": stats.retries,
        "rate_limited": stats.rate_limited,
        "rate_limit_wait_seconds": round(stats.rate_limit_wait_seconds, 3),
    }
    report["seconds"] = round(time.monotonic() - started, 3)
    return report


def _sync_campaign(*, client, campaign, directory, now, dry_run, batch_size, tally):
    """Read every report of the campaign from its cursors, then write, then move the cursors.

    All statuses are read first so that one person's rows (sent, opened, clicked...) are merged
    and written once. Memory: the rows read since the last cursors (a few hundred bytes each).
    The cursors move only after every write of the campaign has landed; after a report's last
    page the cursor stays on that page (re-reading it later is harmless and catches rows
    appended to it since).
    """
    campaign_id = campaign["id"]
    cursors = state.load_cursors(campaign_id)
    resume = {}
    by_contact = defaultdict(list)
    for status in REPORT_STATUSES:
        for page in client.report_pages(campaign_id, status, starting_after=cursors.get(status)):
            for row in page.items:
                key = row.get("contact_id") if isinstance(row, dict) else None
                by_contact[key or id(row)].append((status, row))
            tally.report_rows[(campaign_id, status)] += len(page.items)
            resume[status] = page.next_cursor or page.cursor
    for batch in _batches(by_contact.values(), batch_size):
        _apply_batch(
            campaign=campaign,
            pairs=batch,
            directory=directory,
            now=now,
            dry_run=dry_run,
            tally=tally,
        )
    if dry_run:
        return
    moved = {status: cursor for status, cursor in resume.items() if cursor != cursors.get(status)}
    if moved:
        state.save_cursors(campaign_id=campaign_id, cursors=moved, now=now)
    state.mark_campaign_synced(
        campaign=campaign, sent_at=stored_time(parse_timestamp(campaign.get("sent_at"))), now=now
    )


def _batches(groups, size):
    """Lists of about `size` items; a group (one contact's rows) is never split."""
    batch = []
    for group in groups:
        batch.extend(group)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _apply_batch(*, campaign, pairs, directory, now, dry_run, tally):
    """Validate, merge and write one batch of (status, report row) pairs of one campaign."""
    campaign_id = campaign["id"]
    built, quarantine = _collect_rows(campaign_id=campaign_id, pairs=pairs, now=now)
    existing = _participants_of_contacts({r.eo_contact_id for r in built}, tally)
    holders = {}  # (campaign_id, eo_contact_id) → (contact_id of its participant, engagement)
    for contact_id, doc in existing.items():
        for engagement in doc.get("engagements") or ():
            holders[(engagement.get("campaign_id"), engagement.get("eo_contact_id"))] = (
                contact_id,
                engagement,
            )
    quarantined = _quarantined_ids(
        api_source_id(campaign_id, r.eo_contact_id)
        for r in built
        if (campaign_id, r.eo_contact_id) not in holders
    )
    fresh = [r for r in built if not _already_applied(r, holders, quarantined)]
    tally.engagements_unchanged += len(built) - len(fresh)
    new_engagements = [r for r in fresh if (campaign_id, r.eo_contact_id) not in holders]
    contacts = directory.for_lists(campaign.get("to")) if new_engagements else {}

    by_person = defaultdict(list)
    valid_source_ids = []
    for source_row in fresh:
        holder = holders.get((campaign_id, source_row.eo_contact_id))
        if holder is not None:  # new events on an engagement we have: its flags only
            by_person[holder[0]].append(source_row.as_flags_document())
            continue
        source_row.contact = contacts.get(source_row.eo_contact_id)
        document = source_row.as_source_document()
        contact_id, problem = validate_row(document)
        if problem:
            quarantine.append(
                quarantine_entry(
                    source_id=document["_id"],
                    reason=problem[0],
                    detail=problem[1],
                    original=document,
                    now=now,
                )
            )
            continue
        valid_source_ids.append(document["_id"])
        by_person[contact_id].append(document)
    existing.update(_participants(set(by_person) - set(existing), tally))

    operations, befores, afters, to_match = [], [], [], []
    for contact_id, documents in by_person.items():
        before = existing.get(contact_id)
        merged, changes = merge_participant(before, documents)
        tally.record(contact_id=contact_id, before=before, changes=changes)
        if not changes.changed:
            continue
        after = {k: v for k, v in {**(before or {}), **merged}.items() if v is not None}
        if dry_run:  # later batches of this run see the change that was not written
            tally.unwritten[contact_id] = after
        operations.append(
            UpdateOne({"contact_id": contact_id}, set_and_unset(merged, merged.keys()), upsert=True)
        )
        befores.append(before)
        afters.append(after)
        if before is None or changes.address_changed:
            to_match.append(contact_id)

    tally.quarantined.update((entry["source_id"], entry["reason"]) for entry in quarantine)
    if dry_run:
        wanted = {entry["source_id"] for entry in quarantine}
        tally.quarantined_new += len(wanted - _quarantined_ids(wanted))
        return
    if operations:
        state.mark_pending(contact_ids=to_match)
        mongodb.collection_for(Participant).bulk_write(operations, ordered=False)
        # Only this change goes to the rollups: whoever else writes records their own.
        record_participant_changes(before=befores, after=afters)
        state.clear_rollups_dirty()
    tally.quarantined_new += _write_quarantine(quarantine, valid_source_ids)


def _collect_rows(*, campaign_id, pairs, now):
    """Report rows → one SourceRow per contact, plus quarantine entries for unusable rows.

    An unusable row is quarantined under `api:<campaign>:<contact>:<status>`, apart from the
    contact's other rows, which may well be fine.
    """
    built, quarantine = {}, []
    for status, row in pairs:
        problem = row_problem(row)
        if problem:
            eo_contact_id = row.get("contact_id") if isinstance(row, dict) else None
            quarantine.append(
                quarantine_entry(
                    source_id=api_source_id(campaign_id, eo_contact_id or f"row:{row!r}")
                    + f":{status}",
                    reason=problem[0],
                    detail=problem[1],
                    original={"campaign_id": campaign_id, "status": status, "row": row},
                    now=now,
                )
            )
            continue
        source_row = built.get(row["contact_id"])
        if source_row is None:
            source_row = built[row["contact_id"]] = SourceRow(
                campaign_id=campaign_id,
                eo_contact_id=row["contact_id"],
                email=row.get("contact_email_address"),
            )
        source_row.add(status=status, occurred_at=parse_timestamp(row["occurred_at"]))
    return list(built.values()), quarantine


def _participants_of_contacts(eo_contact_ids, tally):
    """Stored participants holding an engagement of these EmailOctopus contacts, by contact_id.

    One `$in` read on `engagements.eo_contact_id` (indexed); the dry run's unwritten changes
    count as stored.
    """
    eo_contact_ids = list(eo_contact_ids)
    found = {
        doc["contact_id"]: doc
        for doc in mongodb.collection_for(Participant).find(
            {"engagements.eo_contact_id": {"$in": eo_contact_ids}}
        )
    }
    wanted = set(eo_contact_ids)
    for contact_id, doc in tally.unwritten.items():
        if any(e.get("eo_contact_id") in wanted for e in doc.get("engagements") or ()):
            found[contact_id] = doc
    return found


def _participants(contact_ids, tally):
    """Stored participants by contact_id (one `$in` read), as this run left them."""
    contact_ids = [cid for cid in contact_ids if cid]
    if not contact_ids:
        return {}
    found = {
        doc["contact_id"]: doc
        for doc in mongodb.collection_for(Participant).find({"contact_id": {"$in": contact_ids}})
    }
    found.update({cid: tally.unwritten[cid] for cid in contact_ids if cid in tally.unwritten})
    return found


def _quarantined_ids(source_ids):
    source_ids = list(source_ids)
    if not source_ids:
        return set()
    found = mongodb.collection_for(QuarantinedDocument).find(
        {"source_id": {"$in": source_ids}}, {"source_id": 1}
    )
    return {doc["source_id"] for doc in found}


def _already_applied(source_row, holders, quarantined):
    """True when the row can change nothing: its engagement already has these flags and a time
    at least as late, or (never applied) the row is already in quarantine.

    Such rows (the page a cursor re-reads, a re-run) need neither the list contacts nor a write,
    so a sync with nothing new costs one report request per status and campaign.
    """
    holder = holders.get((source_row.campaign_id, source_row.eo_contact_id))
    if holder is None:
        return api_source_id(source_row.campaign_id, source_row.eo_contact_id) in quarantined
    engagement = holder[1]
    flags_set = all(engagement.get(flag) for flag, on in source_row.flags.items() if on)
    engaged_at = stored_time(engagement.get("engaged_at"))
    occurred_at = stored_time(source_row.occurred_at)
    return flags_set and engaged_at is not None and engaged_at >= occurred_at


def _write_quarantine(entries, valid_source_ids):
    """Upsert quarantined rows by source_id; rows that are valid now leave the quarantine."""
    collection = mongodb.collection_for(QuarantinedDocument)
    if valid_source_ids:
        collection.delete_many({"source_id": {"$in": valid_source_ids}})
    if not entries:
        return 0
    operations = [
        UpdateOne(
            {"source_id": entry["source_id"]},
            {
                "$set": {k: entry[k] for k in ("reason", "detail", "original")},
                "$setOnInsert": {"quarantined_at": entry["quarantined_at"]},
            },
            upsert=True,
        )
        for entry in entries
    ]
    result = collection.bulk_write(operations, ordered=False)
    return result.upserted_count


def _finish_interrupted_rollups(*, now):
    """A previous run died between a write and its rollup update: rebuild the rollups once."""
    if not state.load_pending()["rollups_dirty"]:
        return False
    logger.warning("previous sync was interrupted; rebuilding dashboard rollups")
    refresh_rollups(now=now)
    state.clear_rollups_dirty()
    return True


def _match_pending(*, now):
    """Match the participants this run (or an interrupted one) created or re-addressed."""
    contact_ids = state.load_pending()["match_contact_ids"]
    if not contact_ids:
        return None
    collection = mongodb.collection_for(Participant)
    before = {d["contact_id"]: d for d in collection.find({"contact_id": {"$in": contact_ids}})}
    state.mark_pending(contact_ids=[])  # rollups dirty until the match changes are recorded
    stats = match_participants(now=now, contact_ids=contact_ids, qualities=REMATCH_QUALITIES)
    after = {d["contact_id"]: d for d in collection.find({"contact_id": {"$in": list(before)}})}
    ids = [cid for cid in before if before[cid] != after.get(cid)]
    record_participant_changes(before=[before[c] for c in ids], after=[after[c] for c in ids])
    state.clear_rollups_dirty()
    state.clear_pending_matches(contact_ids)
    return stats
