"""emailoctopus_db.participants → empowersave_development.participants, idempotently.

Phases: (backup) → read and group (migration.source), while another thread reads the county data
into the matching index → write participants, each with the match decided for them, and the
quarantine (migration.write) → indexes → validation (migration.validation: the participants as
the store acknowledged writing them, the quarantine read back). The source is only ever read.
Every write goes through participants.services, which announce each batch, so the dashboard
rollups follow the run batch by batch; a run killed between a write and its announcement is
caught up (a full rebuild) when the next run starts.

The county read overlaps the source read: the local store decodes one query's documents while
this process parses the other's rows (2 cores). Measured at full scale (129,483 rows, 300,000
parcels, 227,741 household records): see the README's migration figures.
"""

import gc
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from matching.county_index import CountyIndexPreload
from matching.services import Decider
from migration.options import MigrationOptions
from migration.source import backup_source, read_source
from migration.validation import TargetTally, ValidationFailed, read_back, validate
from migration.write import write_participants, write_quarantine
from participants import services
from participants.documents import ensure_indexes


class _Phases:
    """Runs the phases one after the other and keeps each one's seconds."""

    def __init__(self):
        self.seconds = {}

    def run(self, name, function, *args, **kwargs):
        begin = time.perf_counter()
        result = function(*args, **kwargs)
        self.seconds[name] = round(time.perf_counter() - begin, 3)
        return result


def run_migration(*, now, options=None):
    """Run every phase and return the report; raises ValidationFailed when a check fails.

    The cyclic garbage collector is off for the whole run (as it was afterwards): the run holds
    millions of long-lived objects (every person's merge, the county index), and each full
    collection walked them all again while the source was read and the county index built beside
    it. The run itself makes almost no reference cycles (30 unreachable objects at the end of a
    full-scale run). Full scale, with matching: this process's CPU 31.9 s with the collector on
    (frozen during the writes, as before), 23.4 s with it off (load 2.5-3.1); the read loop alone
    (migration.source over rows already fetched) 9.7 s against 4.1 s.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(now=now, options=options or MigrationOptions())
    finally:
        if enabled:
            gc.enable()


def _run(*, now, options):
    started = time.perf_counter()
    phases = _Phases()
    if not options.dry_run:
        services.catch_up(now=now)
    backup = None
    if options.backup_dir:
        backup = phases.run(
            "backup",
            backup_source,
            directory=options.backup_dir,
            now=now,
            batch_size=options.batch_size,
        )
    matching = not (options.dry_run or options.skip_matching)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="county") as pool:
        county = CountyIndexPreload(pool, save_later=True) if matching else None
        if county is not None:
            county.start()
        plan = phases.run(
            "read",
            read_source,
            now=now,
            limit=options.limit,
            batch_size=options.batch_size,
            progress=options.progress,
        )
        decider = None
        if county is not None:
            decider = Decider(index=county.index(), now=now)
            phases.seconds.update(county.seconds)
    written, tally, matching = _write_and_match(
        plan, phases=phases, now=now, options=options, decider=decider, county=county
    )
    if county is not None:
        phases.seconds.update(county.seconds)
    validation = phases.run("validation", validate, plan, tally)
    report = _report(
        plan,
        tally,
        options=options,
        extra={
            "started_at": now.isoformat(),
            "written": written,
            "no_match_reasons": (matching or {}).get("no_match_reasons", {}),
            "matching": matching,
            "backup": backup,
            "seconds": round(time.perf_counter() - started, 3),
            "phases": phases.seconds,
            "county_index": county.how if county is not None else None,
            "validation": validation,
        },
    )
    if not validation["ok"]:
        raise ValidationFailed(report)
    return report


def _write_and_match(plan, *, phases, now, options, decider, county):
    """The write phases (matching decided as each person is written), then indexes and the read
    back; (written, tally, matching report or None). A dry run tallies what it would write
    instead. The county index built for the matching is stored as the snapshot while the store
    builds the indexes (`county`: CountyIndexPreload, None without matching)."""
    tally = TargetTally(plan)
    begin = time.perf_counter()
    people, matches_reset = phases.run(
        "write_participants",
        write_participants,
        plan=plan,
        options=options,
        now=now,
        tally=tally,
        decider=decider,
    )
    matching = None
    if decider is not None:
        matching = decider.report({"match_and_write": round(time.perf_counter() - begin, 3)})
    quarantine = phases.run(
        "write_quarantine",
        write_quarantine,
        plan=plan,
        options=options,
        tally=tally if options.dry_run else None,
    )
    written = {"participants": people, "quarantine": quarantine, "matches_reset": matches_reset}
    if options.dry_run:
        return written, tally, None
    # After a bulk load into an empty target: one index build per index instead of index upkeep
    # on every insert (participants.services.begin_bulk_load). The store works alone on them, so
    # this process stores the county index snapshot meanwhile.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="snapshot") as pool:
        saved = pool.submit(county.save_snapshot) if county is not None else None
        phases.run("indexes", ensure_indexes)
        if saved is not None:
            saved.result()
    return written, phases.run("read_back", read_back, plan, tally), matching


def _report(plan, tally, *, options, extra):
    reasons = Counter(entry["reason"] for entry in plan.quarantine)
    return {
        "dry_run": options.dry_run,
        "limit": options.limit,
        "batch_size": options.batch_size,
        "source_documents": plan.documents,
        "participants": len(plan.people),
        "engagements": plan.documents - len(plan.quarantine),
        "quarantined": len(plan.quarantine),
        "quarantine_reasons": dict(sorted(reasons.items())),
        "target_participants": tally.participants,
        "residence_matched": tally.residence_matched,
        "demographic_matched": tally.demographic_matched,
        "match_quality": dict(sorted(tally.match_quality.items())),
        **extra,
    }
