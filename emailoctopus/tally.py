"""What one sync run changed, for its report."""

import time
from collections import Counter, defaultdict
from contextlib import contextmanager


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
        # contact_id → merged document not written (yet): the dry run's, the people waiting for
        # their match until the campaign's end (sync.SyncRun.waiting)
        self.unwritten = {}
        self.phase_seconds = Counter()  # phase → wall seconds spent in it (`timed`)

    @contextmanager
    def timed(self, phase):
        """Add the wall time of the block to `phase` (the report's `phase_seconds`)."""
        started = time.monotonic()
        try:
            yield
        finally:
            self.phase_seconds[phase] += time.monotonic() - started

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
            "quarantine_rows": sorted(map(str, self.quarantined)),  # found unusable this run
            "per_campaign": dict(per_campaign),
            "phase_seconds": {
                phase: round(seconds, 3) for phase, seconds in self.phase_seconds.items()
            },
        }
