"""Sync EmailOctopus campaign results into `empowersave_development.participants`.

For each sent campaign, every report status is read from its saved cursor on. The rows become
one legacy-shaped document per (campaign, contact) (rows.py), validated and merged into
participants by the migration's identity rule (merge.py), in batches of about `batch_size` rows
(batch.py). New participants, and those whose address changed, are written at the campaign's
end, each once with the match decided for them; the county index loads meanwhile, in a thread,
beside the batches. The cursors move only after the campaign's writes have landed, so a killed
run re-reads at most one campaign's new rows, and re-applying them changes nothing.
"""

import logging
import time
from collections import defaultdict
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from pymongo.errors import ConnectionFailure

from emailoctopus import state
from emailoctopus.batch import apply_batch, unwritten, write_waiting
from emailoctopus.client import CAMPAIGN_STATUS_SENT, REPORT_STATUSES, EmailOctopusError
from emailoctopus.rows import parse_timestamp, report_contact_id
from emailoctopus.tally import RunTally
from empowersave import mongodb
from matching.county_index import CountyIndexPreload
from matching.services import Decider, MatchScope, match_participants, needs_matching
from participants import services
from participants.documents import MatchQuality, ensure_indexes
from participants.transform import stored_time

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000  # report rows per write batch (ten API pages)
# New people, and people whose address changed, are (re)matched unless a reviewer chose by hand.
REMATCH_QUALITIES = (None, *(q for q in MatchQuality.CHOICES if q != MatchQuality.MANUAL))


@dataclass(frozen=True)
class SyncOptions:
    """The options of `sync_emailoctopus` (see its --help)."""

    campaign_ids: tuple = ()  # only these campaigns; all when empty
    since: datetime | None = None  # only campaigns sent on or after this moment
    dry_run: bool = False  # read the API and report, write nothing
    batch_size: int = BATCH_SIZE  # report rows per write batch


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


class SyncRun:
    """One run: the client, the clock, the options, the list contacts read so far, the tally,
    the county index being loaded (`county`, None on a dry run), the people of the campaign
    waiting for their match (`waiting`: contact_id → (stored document or None, merged
    SOURCE_FIELDS)), the Decider, made when the first of them is written, and the writer thread
    (`writer`, a one-thread pool) that writes each batch while the next is read and merged."""

    def __init__(self, *, client, now, options, county=None, writer=None):
        self.client = client
        self.now = now
        self.options = options
        self.directory = ContactDirectory(client)
        self.tally = RunTally()
        self.county = county
        self.waiting = {}
        self._decider = None
        self._writer = writer  # a one-thread pool: the batches' writes
        self._write = None  # the batch being written (a future)
        self._in_flight = []  # its people's contact ids

    def waits_for_match(self, contact_id, *, before, changes):
        """Whether a changed person is written at the campaign's end with a match decided for
        them: new (`before` None), re-addressed unless a reviewer decided their match, or
        waiting already."""
        if contact_id in self.waiting or before is None:
            return True
        return changes.address_changed and needs_matching(before.get("match"), REMATCH_QUALITIES)

    def wait_for_match(self, contact_id, *, before, merged):
        """Keep the person for the campaign's end (batch.write_waiting); later batches see them
        as merged (the tally's `unwritten`). The county index starts loading."""
        stored = self.waiting[contact_id][0] if contact_id in self.waiting else before
        self.waiting[contact_id] = (stored, merged)
        self.tally.unwritten[contact_id] = unwritten(stored, merged)
        self.county.start()

    def write_in_turn(self, people, write):
        """Run a batch's `write` in the writer thread once the previous batch's writes have
        landed (one batch at a time, in order), while this thread reads and merges the next:
        until it lands, later batches see its `people` (PersonWrites) as merged (the tally's
        `unwritten`). A failed write raises here, at the next batch, or in `finish_writes`."""
        self.finish_writes()
        for person in people:
            contact_id = person.source["contact_id"]
            self.tally.unwritten[contact_id] = unwritten(person.before, person.source)
            self._in_flight.append(contact_id)
        self._write = self._writer.submit(write)

    def finish_writes(self):
        """Wait for the batch being written; it counts its new quarantine entries."""
        write, self._write = self._write, None
        if write is None:
            return
        try:
            self.tally.quarantined_new += write.result()
        finally:
            self._landed()

    def forget_unwritten(self):
        """The waiting people were written, or their campaign failed (then the batch being
        written is waited for, its error left to the campaign's): later batches read them."""
        if self._write is not None:
            futures.wait([self._write])
            self._write = None
        self._landed()
        for contact_id in self.waiting:
            self.tally.unwritten.pop(contact_id, None)
        self.waiting.clear()

    def _landed(self):
        """The batch in flight landed (or failed): later batches read its people as stored,
        unless they wait for their match."""
        for contact_id in self._in_flight:
            if contact_id not in self.waiting:
                self.tally.unwritten.pop(contact_id, None)
        self._in_flight = []

    def decider(self):
        """The Decider of this run, with the county index (waiting for it to load)."""
        if self._decider is None:
            self.county.start()
            self._decider = Decider(index=self.county.index(), now=self.now)
        return self._decider

    def matching_report(self):
        """What the run decided (matching.services' report), None when no one was matched."""
        if self._decider is None:
            return None
        seconds = {"match": round(self.tally.phase_seconds["match"], 3), **self.county.seconds}
        report = self._decider.report(seconds)
        report["county_index"] = self.county.how  # REUSED: the snapshot fitted the county data
        return report


def select_campaigns(client, *, options, skipped):
    """The sent campaigns to sync: the ones named, or all; sent on or after `since` if given."""
    if options.campaign_ids:
        candidates = [client.get_campaign(campaign_id) for campaign_id in options.campaign_ids]
    else:
        candidates = list(client.iter_campaigns())
    selected = []
    for campaign in candidates:
        if not isinstance(campaign, dict) or not isinstance(campaign.get("id"), str):
            skipped[f"(no id) {campaign!r}"[:200]] = "the API gave no campaign id"
            continue
        if str(campaign.get("status")).lower() != CAMPAIGN_STATUS_SENT:  # v1 said "SENT"
            skipped[campaign["id"]] = f"status {campaign.get('status')}"
            continue
        sent_at = parse_timestamp(campaign.get("sent_at"))
        if options.since is not None and (sent_at is None or sent_at < options.since):
            skipped[campaign["id"]] = "sent before --since"
            continue
        selected.append(campaign)
    return selected


def sync_emailoctopus(*, client, now, options=None):
    """Run one sync; returns the report of what changed (nothing is written on a dry run).

    A run that finds a write of an earlier, killed run unannounced rebuilds the rollups first
    (`rollups_refreshed` in the report).
    """
    options = options or SyncOptions()
    started = time.monotonic()
    rollups_refreshed = False
    if not options.dry_run:
        rollups_refreshed = services.catch_up(now=now)
        ensure_indexes()
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="county-index") as pool,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-writer") as writer,
    ):
        county = None if options.dry_run else CountyIndexPreload(pool)
        run = SyncRun(client=client, now=now, options=options, county=county, writer=writer)
        skipped = {}
        campaigns = select_campaigns(client, options=options, skipped=skipped)
        failed = _sync_campaigns(run, campaigns)
        matching = run.matching_report()
        with run.tally.timed("match"):
            pending = None if options.dry_run else _match_pending(now=now, county=county)
    report = run.tally.report(dry_run=options.dry_run, campaigns=len(campaigns), skipped=skipped)
    report["campaigns_failed"] = failed
    report["matching"] = matching or pending
    if matching and pending:
        matching["pending"] = pending
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


def _sync_campaigns(run, campaigns):
    """Sync each campaign; returns {campaign id: error} of those whose data raised."""
    failed = {}
    for campaign in campaigns:
        try:
            _sync_campaign(run, campaign)
        except (EmailOctopusError, ConnectionFailure):
            raise  # the API or the store said stop: the next run resumes from the cursors
        except Exception as error:  # noqa: BLE001 - one campaign's data never stops the sync
            logger.exception("campaign %r could not be synced", campaign.get("id"))
            run.forget_unwritten()  # the next run reads the campaign again
            failed[str(campaign.get("id"))] = f"{type(error).__name__}: {error}"[:500]
    return failed


def _sync_campaign(run, campaign):
    """Read every report of the campaign from its cursors, then write (the people to match
    last, with their match), then move the cursors.

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
    with run.tally.timed("fetch_reports"):
        for status in REPORT_STATUSES:
            pages = run.client.report_pages(campaign_id, status, starting_after=cursors.get(status))
            for page in pages:
                for row in page.items:
                    by_contact[report_contact_id(row) or id(row)].append((status, row))
                run.tally.report_rows[(campaign_id, status)] += len(page.items)
                resume[status] = page.next_cursor or page.cursor
    # A contact's rows are never split between batches.
    for groups in mongodb.batched(by_contact.values(), run.options.batch_size, weight=len):
        apply_batch(run, campaign=campaign, pairs=[pair for group in groups for pair in group])
    if run.options.dry_run:
        return
    run.finish_writes()
    write_waiting(run)
    moved = {status: cursor for status, cursor in resume.items() if cursor != cursors.get(status)}
    if moved:
        state.save_cursors(campaign_id=campaign_id, cursors=moved, now=run.now)
    sent_at = stored_time(parse_timestamp(campaign.get("sent_at")))
    state.mark_campaign_synced(campaign=campaign, sent_at=sent_at, now=run.now)


def _match_pending(*, now, county):
    """Match the participants recorded as pending (batch.write_waiting: written without their
    match, as an earlier run's county index did not load, or created meanwhile by someone
    else), with the county index this run loaded (`county`), if any."""
    contact_ids = state.load_pending()["match_contact_ids"]
    if not contact_ids:
        return None
    scope = MatchScope(contact_ids=tuple(contact_ids), qualities=REMATCH_QUALITIES)
    stats = match_participants(now=now, scope=scope, index=county.index())
    stats["seconds"].update(county.seconds)
    stats["county_index"] = county.how  # REUSED: the snapshot fitted the county data
    state.clear_pending_matches(contact_ids)
    return stats
