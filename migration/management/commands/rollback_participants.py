"""`manage.py rollback_participants --yes`: undo the migration (the source is never touched)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from empowersave import mongodb
from participants.services import drop_migrated_collections


class Command(BaseCommand):
    help = (
        "Drop the target participants and migration_quarantine collections. The source "
        "emailoctopus_db.participants is not touched, so migrate_participants can run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--yes", action="store_true", help="confirm: the target collections are dropped"
        )

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError(
                "This drops the migrated participants and the quarantine. Re-run with --yes."
            )
        mongodb.connect()
        dropped = drop_migrated_collections(now=timezone.now())
        for name, count in dropped.items():
            self.stdout.write(f"dropped {name} ({count:,} documents)")
        self.stdout.write(self.style.SUCCESS("rollback done; the source was not touched"))
