"""`manage.py migrate_participants`: the EmailOctopus → EmpowerSave migration (issue 2)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from empowersave import mongodb
from empowersave.reports import SetAsideExitStatus, write_json_report
from matching.scoring import MATCH_ERROR
from migration.options import DEFAULT_BATCH_SIZE
from migration.run import MigrationOptions, run_migration
from migration.validation import ValidationFailed


def _positive(text):
    value = int(text)
    if value < 1:
        raise ValueError("must be at least 1")
    return value


class Command(SetAsideExitStatus, BaseCommand):
    help = (
        "Migrate emailoctopus_db.participants into one participant per person, match them to "
        "county parcels and prove that no source document was lost. Exit status: 0 every "
        "row migrated; 1 failed; 3 finished and validated, with rows quarantined or "
        "participants whose matching raised (MATCH_ERROR)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=_positive, default=DEFAULT_BATCH_SIZE)
        parser.add_argument("--limit", type=_positive, help="only the first N source documents")
        parser.add_argument(
            "--dry-run", action="store_true", help="write nothing to any database; still report"
        )
        parser.add_argument("--skip-matching", action="store_true")
        parser.add_argument(
            "--backup-dir", help="first export the source here (.jsonl.gz + manifest)"
        )
        parser.add_argument("--report", help="write the JSON report to this file")

    def handle(self, *args, **options):
        mongodb.connect()
        now = timezone.now()
        failure = None
        try:
            report = run_migration(
                now=now,
                options=MigrationOptions(
                    batch_size=options["batch_size"],
                    limit=options["limit"],
                    dry_run=options["dry_run"],
                    skip_matching=options["skip_matching"],
                    backup_dir=options["backup_dir"],
                    progress=options["verbosity"] > 0,
                ),
            )
        except ValidationFailed as error:
            report, failure = error.report, error
        if options["report"]:
            write_json_report(options["report"], report)
        self._summary(report)
        if failure is not None:
            raise CommandError(f"{failure}; see the report's validation section")
        self.set_aside = report["quarantined"] + report["no_match_reasons"].get(MATCH_ERROR, 0)

    def _summary(self, report):
        checks = report["validation"]["checks"]
        lines = [
            "DRY RUN: nothing was written." if report["dry_run"] else "",
            f"source documents: {report['source_documents']:,}",
            f"participants:     {report['participants']:,}",
            f"engagements:      {report['engagements']:,}",
            f"quarantined:      {report['quarantined']:,} {report['quarantine_reasons']}",
            f"written:          {report['written']}",
            f"residence / demographic matched: {report['residence_matched']:,} / "
            f"{report['demographic_matched']:,}",
            f"match quality:    {report['match_quality']}",
            f"seconds:          {report['seconds']} {report['phases']}",
        ]
        for name, check in checks.items():
            lines.append(f"check {name}: {'ok' if check['ok'] else 'FAILED'}")
        self.stdout.write("\n".join(line for line in lines if line))
        style = self.style.SUCCESS if report["validation"]["ok"] else self.style.ERROR
        self.stdout.write(style(f"validation: {'ok' if report['validation']['ok'] else 'FAILED'}"))
