"""One batch of a campaign's report rows: validated, merged per person and written.

A batch costs a few `$in` reads on indexed keys (EmailOctopus contact ids, contact_ids,
quarantine ids) and two bulk writes (participants, quarantine, both through
participants.services, which announce the change to the dashboard rollups), never a query per
row. Rows that can change nothing (already applied, already quarantined) are dropped, and rows
for an engagement we already hold carry its flags only, so the list contacts (custom fields) are
fetched only when a batch brings new engagements.

People to (re)match (new, or re-addressed) are not written with their batch: they wait for the
campaign's end (`write_waiting`), where each is written once, with the match decided for them
(matching.services.Decider), instead of inserted, then read and updated again (4,500 more
statements at the benchmark's first sync). Meanwhile the county index loads beside the batches.
"""

import hashlib
from collections import defaultdict

from emailoctopus import state
from emailoctopus.merge import merge_participant, validate_row
from emailoctopus.rows import (
    SourceRow,
    api_source_id,
    parse_timestamp,
    report_contact_id,
    row_problem,
)
from empowersave import mongodb
from participants import services
from participants.documents import Participant, QuarantinedDocument
from participants.transform import UNREADABLE_ROW, stored_time


def apply_batch(run, *, campaign, pairs):
    """Validate, merge and write one batch of (status, report row) pairs of one campaign.

    `run` is the sync run (emailoctopus.sync): its clock, options, list contacts and tally. The
    writes go to its writer thread (SyncRun.write_in_turn), beside the next batch's reads and
    merges. The time of each step goes to the tally's phases (read, fetch_contacts, merge, and
    write: the writer thread's).
    """
    campaign_id = campaign["id"]
    tally = run.tally
    with tally.timed("merge"):
        built, quarantine = _collect_rows(campaign_id=campaign_id, pairs=pairs, now=run.now)
    with tally.timed("read"):
        existing = _participants_of_contacts({r.eo_contact_id for r in built}, tally)
        holders = _engagement_holders(existing)
        quarantined = _quarantined_ids(
            api_source_id(campaign_id, r.eo_contact_id)
            for r in built
            if (campaign_id, r.eo_contact_id) not in holders
        )
    fresh = [r for r in built if not _already_applied(r, holders, quarantined)]
    tally.engagements_unchanged += len(built) - len(fresh)
    new_engagements = [r for r in fresh if (campaign_id, r.eo_contact_id) not in holders]
    with tally.timed("fetch_contacts"):
        contacts = run.directory.for_lists(campaign.get("to")) if new_engagements else {}
    with tally.timed("merge"):
        by_person, valid_source_ids = _rows_by_person(
            fresh, holders=holders, contacts=contacts, quarantine=quarantine, now=run.now
        )
    with tally.timed("read"):
        existing.update(_participants(set(by_person) - set(existing), tally))
    with tally.timed("merge"):
        people = _merged_people(by_person, existing, run, quarantine)
    set_aside = {entry["source_id"] for entry in quarantine}
    released = [source_id for source_id in valid_source_ids if source_id not in set_aside]
    tally.quarantined.update((entry["source_id"], entry["reason"]) for entry in quarantine)
    if run.options.dry_run:
        wanted = {entry["source_id"] for entry in quarantine}
        tally.quarantined_new += len(wanted - _quarantined_ids(wanted))
        return
    run.write_in_turn(
        people, lambda: _write_batch(run, people=people, quarantine=quarantine, released=released)
    )


def _write_batch(run, *, people, quarantine, released):
    """The batch's writes (in the writer thread): the people, then the quarantine entries and
    the `released` source ids (valid now). Returns how many quarantine entries are new."""
    with run.tally.timed("write"):
        services.upsert_people(writes=people, now=run.now)
        return services.upsert_quarantine(entries=quarantine, released=released)


def write_waiting(run):
    """At a campaign's end, before its cursors move: decide the match of the people waiting in
    `run` (SyncRun.waiting) and write each once with it, `batch_size` at a time
    (participants.services.upsert_people). A match a reviewer changed meanwhile is left alone
    (the `match.version` guard); a new person someone else created meanwhile gets the merged
    fields and is matched at the run's end (recorded as pending). Should the county index fail
    to load, they are written without their match and recorded as pending (state.mark_pending,
    before the write), the next run matches them, and the error is raised."""
    waiting = list(run.waiting.values())
    if not waiting:
        return
    try:
        with run.tally.timed("match"):
            decider = run.decider()
    except Exception:
        state.mark_pending(contact_ids=[merged["contact_id"] for _stored, merged in waiting])
        with run.tally.timed("write"):
            writes = [
                services.PersonWrite(before=stored, source=merged) for stored, merged in waiting
            ]
            services.upsert_people(writes=writes, now=run.now)
        run.forget_unwritten()
        raise
    for chunk in mongodb.batched(waiting, run.options.batch_size):
        with run.tally.timed("match"):
            writes = [
                services.PersonWrite(
                    before=stored,
                    source=merged,
                    references=decider.references({**(stored or {}), **merged}),
                )
                for stored, merged in chunk
            ]
        with run.tally.timed("write"):
            upserted = services.upsert_people(writes=writes, now=run.now)
            if upserted.raced:  # created meanwhile by someone else: matched at the run's end
                state.mark_pending(contact_ids=upserted.raced)
        decider.left_alone(upserted.conflicts + len(upserted.raced))
    run.forget_unwritten()


def _engagement_holders(existing):
    """(campaign_id, eo_contact_id) → (contact_id of the participant holding it, engagement)."""
    holders = {}
    for contact_id, doc in existing.items():
        for engagement in doc.get("engagements") or ():
            key = (engagement.get("campaign_id"), engagement.get("eo_contact_id"))
            holders[key] = (contact_id, engagement)
    return holders


def _rows_by_person(fresh, *, holders, contacts, quarantine, now):
    """({contact_id: legacy-shaped rows}, source ids of valid rows); unusable rows are appended
    to `quarantine`."""
    by_person = defaultdict(list)
    valid_source_ids = []
    for source_row in fresh:
        holder = holders.get((source_row.campaign_id, source_row.eo_contact_id))
        if holder is not None:  # new events on an engagement we have: its flags only
            by_person[holder[0]].append(source_row.as_flags_document())
            continue
        source_row.contact = contacts.get(source_row.eo_contact_id)
        document = source_row.as_source_document()
        try:
            contact_id, problem = validate_row(document)
        except Exception as error:  # noqa: BLE001 - one bad row never stops a batch
            _set_aside([document], error, quarantine, now=now)
            continue
        if problem:
            quarantine.append(
                services.quarantine_entry(
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
    return by_person, valid_source_ids


def _merged_people(by_person, existing, run, quarantine):
    """The PersonWrites of the people who change and need no matching; those to (re)match wait
    in `run` for the campaign's end (SyncRun.wait_for_match). A person whose merge raises is
    left as stored, and their rows go to `quarantine` (UNREADABLE_ROW, with the error)."""
    people = []
    for contact_id, documents in by_person.items():
        before = existing.get(contact_id)
        try:
            merged, changes = merge_participant(before, documents)
        except Exception as error:  # noqa: BLE001 - one person never stops a batch
            _set_aside(documents, error, quarantine, now=run.now)
            continue
        run.tally.record(contact_id=contact_id, before=before, changes=changes)
        if not changes.changed:
            continue
        if run.options.dry_run:  # later batches of this run see the change that was not written
            run.tally.unwritten[contact_id] = unwritten(before, merged)
        elif run.waits_for_match(contact_id, before=before, changes=changes):
            run.wait_for_match(contact_id, before=before, merged=merged)
        else:
            people.append(services.PersonWrite(before=before, source=merged))
    return people


def unwritten(before, merged):
    """The participant `before` (None: new) with `merged` applied, as later batches see it."""
    return {k: v for k, v in {**(before or {}), **merged}.items() if v is not None}


def _collect_rows(*, campaign_id, pairs, now):
    """Report rows → one SourceRow per contact, plus quarantine entries for unusable rows.

    An unusable row is quarantined under `api:<campaign>:<contact>:<status>`, apart from the
    contact's other rows, which may well be fine.
    """
    built, quarantine = {}, []
    for status, row in pairs:
        problem = row_problem(row)
        if problem:
            eo_contact_id = report_contact_id(row)
            quarantine.append(
                services.quarantine_entry(
                    source_id=api_source_id(campaign_id, eo_contact_id or _row_key(row))
                    + f":{status}",
                    reason=problem[0],
                    detail=problem[1],
                    original={"campaign_id": campaign_id, "status": status, "row": row},
                    now=now,
                )
            )
            continue
        eo_contact_id = report_contact_id(row)
        source_row = built.get(eo_contact_id)
        if source_row is None:
            source_row = built[eo_contact_id] = SourceRow(
                campaign_id=campaign_id,
                eo_contact_id=eo_contact_id,
                email=row.get("contact_email_address"),
            )
        source_row.add(status=status, occurred_at=parse_timestamp(row["occurred_at"]))
    return list(built.values()), quarantine


def _row_key(row):
    """A report row without a contact id, as a quarantine key: `row:` and its digest."""
    return "row:" + hashlib.sha256(repr(row).encode()).hexdigest()[:24]


def _set_aside(documents, error, quarantine, *, now):
    """Quarantine legacy-shaped rows whose reading or merging raised `error` (UNREADABLE_ROW)."""
    for document in documents:
        quarantine.append(
            services.quarantine_entry(
                source_id=document["_id"],
                reason=UNREADABLE_ROW,
                detail=f"{type(error).__name__}: {error}"[:1000],
                original=document,
                now=now,
            )
        )


def _participants_of_contacts(eo_contact_ids, tally):
    """Stored participants holding an engagement of these EmailOctopus contacts, by contact_id.

    `$in` reads on `engagements.eo_contact_id` (indexed; mongodb.find_in); the dry run's
    unwritten changes count as stored.
    """
    eo_contact_ids = list(eo_contact_ids)
    participants = mongodb.collection_for(Participant)
    found = {
        doc["contact_id"]: doc
        for doc in mongodb.find_in(participants, "engagements.eo_contact_id", eo_contact_ids)
    }
    wanted = set(eo_contact_ids)
    for contact_id, doc in tally.unwritten.items():
        if any(e.get("eo_contact_id") in wanted for e in doc.get("engagements") or ()):
            found[contact_id] = doc
    return found


def _participants(contact_ids, tally):
    """Stored participants by contact_id (`$in` reads), as this run left them."""
    contact_ids = [cid for cid in contact_ids if cid]
    if not contact_ids:
        return {}
    participants = mongodb.collection_for(Participant)
    found = {
        doc["contact_id"]: doc for doc in mongodb.find_in(participants, "contact_id", contact_ids)
    }
    found.update({cid: tally.unwritten[cid] for cid in contact_ids if cid in tally.unwritten})
    return found


def _quarantined_ids(source_ids):
    source_ids = list(source_ids)
    if not source_ids:
        return set()
    quarantine = mongodb.collection_for(QuarantinedDocument)
    found = mongodb.find_in(quarantine, "source_id", source_ids, projection={"source_id": 1})
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
