"""Validation: the target, as the store holds it, checked against what the source said (issue 2).

Nothing is lost when every source `_id` is in exactly one engagement or in the quarantine, the
flags per campaign add up (source = target - turned on since by the API sync + quarantined),
there is one participant per person and every participant's `totals` match its engagements.
"""

from collections import Counter

import bson

from empowersave import mongodb
from migration.source import COUNTED, count_flags, lenient_flags
from participants.documents import EngagementFlag, Participant, QuarantinedDocument
from participants.fields import STORE_CODEC
from participants.transform import campaign_id_of, canonical, engagement_totals, source_key


class ValidationFailed(Exception):
    """The target does not account for the source; carries the report."""

    def __init__(self, report):
        failed = [name for name, check in report["validation"]["checks"].items() if not check["ok"]]
        super().__init__("validation failed: " + ", ".join(failed))
        self.report = report


class TargetTally:
    """What the target holds for this run's source rows, counted in Python from one pass.

    The run fills it with every participant as the store acknowledged writing it, and the ones
    it left alone as it read them before writing (migration.write.write_participants), so the
    participants are not read back: that read cost 13 s of CPU (the store's 5.5 s and this
    process's 7.8 s, full scale with matching, load 5). `known` is False when the run cannot
    tell what the store holds (it acknowledged fewer inserts than were sent): then `read_back`.
    """

    def __init__(self, plan):
        self.plan = plan
        self.known = True
        self.seen = Counter()  # source key → times found in engagements or quarantine
        self.counts = {}  # campaign → {sent, opened, ...} over migrated engagements
        self.turned_on = {}  # campaign → flags on in those engagements but off in their rows
        self.quarantined_counts = {}
        self.contact_ids = set()  # people holding at least one of this run's engagements
        self.participants = 0
        self.bad_totals = 0
        self.match_quality = Counter()
        self.residence_matched = 0
        self.demographic_matched = 0

    def add_participant(self, doc):
        self.participants += 1
        engagements = doc.get("engagements") or []
        mine = False
        for engagement in engagements:
            source_id = engagement.get("source_id")
            key = None if source_id is None else source_key(source_id)
            if key is None or key not in self.plan.source_ids:
                continue
            mine = True
            self.seen[key] += 1
            flags = [engagement.get(name) for name in EngagementFlag.ALL]
            count_flags(self.counts, engagement.get("campaign_id"), flags)
            mask = self.plan.source_flags.get(key, 0)
            later = [bool(flag) and not mask & (1 << bit) for bit, flag in enumerate(flags)]
            if any(later):
                count_flags(self.turned_on, engagement.get("campaign_id"), later, sent=False)
        if mine:
            self.contact_ids.add(doc.get("contact_id"))
        if canonical(doc.get("totals") or {}) != canonical(engagement_totals(engagements)):
            self.bad_totals += 1
        match = doc.get("match") or {}
        if match.get("quality"):
            self.match_quality[match["quality"]] += 1
        if doc.get("residence_ref"):
            self.residence_matched += 1
        if doc.get("demographic_ref"):
            self.demographic_matched += 1

    def add_quarantined(self, doc):
        key = source_key(doc.get("source_id"))
        if key not in self.plan.source_ids:
            return  # quarantined by another run (--limit) or by the API sync
        self.seen[key] += 1
        original = doc.get("original") or {}
        # Counted under the campaign the read counted it under (a dict or list id: "(missing)").
        count_flags(self.quarantined_counts, campaign_id_of(original), lenient_flags(original))


def read_back(plan, tally):
    """The tally of the target as stored: the quarantine read back into `tally`, and, unless
    `tally.known`, the participants too, into a new tally. Streamed whole: on the local store a
    projection costs more than it saves (300,000 parcels read in 9-13 s projected, 7 s whole,
    load 6)."""
    batch_size = mongodb.READ_BATCH_SIZE
    if not tally.known:
        tally = TargetTally(plan)
        for doc in mongodb.collection_for(Participant).find({}, batch_size=batch_size):
            tally.add_participant(doc)
    quarantine = mongodb.collection_for(QuarantinedDocument)
    for doc in quarantine.find({}, batch_size=batch_size):
        tally.add_quarantined(doc)
    return tally


def _read_check(plan):
    return {
        "ok": plan.documents == plan.expected_documents == len(plan.source_ids),
        "expected": plan.expected_documents,
        "read": plan.documents,
        "distinct_ids": len(plan.source_ids),
    }


def _accounted_check(plan, tally, *, examples):
    missing = [source_id for source_id in plan.source_ids if tally.seen[source_id] == 0]
    duplicated = [source_id for source_id, times in tally.seen.items() if times > 1]
    return {
        "ok": not missing and not duplicated,
        "source_ids": len(plan.source_ids),
        "missing": len(missing),
        "duplicated": len(duplicated),
        "examples": [_described(key) for key in (missing + duplicated)[:examples]],
    }


def _described(key):
    """A source key (transform.source_key) as readable text: the `_id` it stands for."""
    if isinstance(key, tuple):
        return repr(bson.decode(key[1], codec_options=STORE_CODEC)["_id"])
    return str(key)


def _campaign_counts_check(plan, tally):
    mismatches = []
    for campaign, source_row in sorted(plan.source_counts.items()):
        target_row = tally.counts.get(campaign, {})
        turned_on_row = tally.turned_on.get(campaign, {})
        quarantined_row = tally.quarantined_counts.get(campaign, {})
        for name in COUNTED:
            expected = source_row[name]
            found = (
                target_row.get(name, 0) - turned_on_row.get(name, 0) + quarantined_row.get(name, 0)
            )
            if expected != found:
                mismatches.append(
                    {"campaign_id": campaign, "count": name, "source": expected, "target": found}
                )
    extra = sorted(set(tally.counts) - set(plan.source_counts))
    return {
        "ok": not mismatches and not extra,
        "rule": (
            "source = target engagements - flags turned on since (by the API sync) + quarantined"
            " rows, per campaign and count"
        ),
        "source": plan.source_counts,
        "target": tally.counts,
        "turned_on_since": tally.turned_on,
        "quarantined": tally.quarantined_counts,
        "mismatches": mismatches,
        "unexpected_campaigns": extra,
    }


def _people_check(plan, tally):
    people = set(plan.people)
    return {
        "ok": tally.contact_ids == people,
        "distinct_people": len(people),
        "target_participants": len(tally.contact_ids),
        "missing": len(people - tally.contact_ids),
        "unexpected": len(tally.contact_ids - people),
    }


def validate(plan, tally, *, examples=5):
    """The zero-data-loss checks of issue 2; `ok` only when every check passes."""
    checks = {
        "source_fully_read": _read_check(plan),
        "source_ids_accounted": _accounted_check(plan, tally, examples=examples),
        "campaign_counts_match": _campaign_counts_check(plan, tally),
        "participants_match_people": _people_check(plan, tally),
        "totals_match_engagements": {
            "ok": tally.bad_totals == 0,
            "participants_with_wrong_totals": tally.bad_totals,
        },
    }
    return {"ok": all(check["ok"] for check in checks.values()), "checks": checks}
