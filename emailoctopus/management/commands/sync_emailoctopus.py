"""`manage.py sync_emailoctopus [--campaign ID ...] [--since DATE] [--dry-run]`."""

from datetime import UTC, date, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from emailoctopus.client import EmailOctopusClient, EmailOctopusError
from emailoctopus.sync import BATCH_SIZE, SyncOptions, sync_emailoctopus
from empowersave.reports import SetAsideExitStatus, write_json_report
from matching.scoring import MATCH_ERROR


def since_date(raw):
    """`--since 2025-06-01` → the start of that day, UTC."""
    try:
        day = date.fromisoformat(raw)
    except ValueError as error:
        raise CommandError(f"--since must be a date like 2025-06-01, not {raw!r}") from error
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class Command(SetAsideExitStatus, BaseCommand):
    help = (
        "Sync sent EmailOctopus campaigns (API v2) into participants: new or updated "
        "engagements, new people matched, dashboard rollups updated. Safe to re-run. Exit "
        "status: 0 done; 1 failed (API or store error); 3 done, with rows quarantined, "
        "campaigns that failed, or participants whose matching raised."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--campaign",
            action="append",
            dest="campaigns",
            metavar="ID",
            help="sync only this campaign (repeatable); default: every sent campaign",
        )
        parser.add_argument(
            "--since", metavar="DATE", help="only campaigns sent on or after DATE (YYYY-MM-DD)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="read the API and report; write nothing"
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, metavar="ROWS")
        parser.add_argument("--json", metavar="FILE", help="also write the report as JSON")

    def handle(self, *args, **options):
        since = since_date(options["since"]) if options["since"] else None
        try:
            client = EmailOctopusClient.from_settings()
            report = sync_emailoctopus(
                client=client,
                now=timezone.now(),
                options=SyncOptions(
                    campaign_ids=tuple(options["campaigns"] or ()),
                    since=since,
                    dry_run=options["dry_run"],
                    batch_size=options["batch_size"],
                ),
            )
        except EmailOctopusError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            write_json_report(options["json"], report)
        self.stdout.write(format_report(report))
        matching = report["matching"] or {}
        self.set_aside = (
            len(report["quarantine_rows"])
            + len(report["campaigns_failed"])
            + matching.get("no_match_reasons", {}).get(MATCH_ERROR, 0)
        )


def format_report(report):
    prefix = "DRY RUN (nothing written): " if report["dry_run"] else ""
    lines = [
        f"{prefix}{report['campaigns']} campaign(s), {report['report_rows']:,} report rows "
        f"in {report['seconds']}s",
        f"participants: {report['participants_created']:,} created, "
        f"{report['participants_updated']:,} updated, "
        f"{report['participants_unchanged']:,} unchanged",
        f"engagements: {report['engagements_added']:,} added, "
        f"{report['engagements_updated']:,} updated; fields changed: {report['fields_changed']:,}",
        f"quarantined: {report['quarantined']:,} new"
        + (f" {report['quarantine_reasons']}" if report["quarantine_reasons"] else ""),
    ]
    for campaign_id, why in report["campaigns_skipped"].items():
        lines.append(f"skipped {campaign_id}: {why}")
    for campaign_id, why in report["campaigns_failed"].items():
        lines.append(f"FAILED {campaign_id} (set aside; the next run retries it): {why}")
    if report["matching"]:
        lines.append(f"matching: {report['matching'].get('match_quality', report['matching'])}")
    if report["rollups_refreshed"]:
        lines.append("dashboard rollups rebuilt after an interrupted run")
    api = report["api"]
    lines.append(
        f"API: {api['requests']:,} requests, {api['retries']} retries, "
        f"{api['rate_limited']} rate-limited ({api['rate_limit_wait_seconds']}s waiting)"
    )
    return "\n".join(lines)
