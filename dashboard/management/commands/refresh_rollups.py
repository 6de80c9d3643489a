"""`manage.py refresh_rollups`: rebuild the dashboard figures from the participants collection."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from dashboard.rollups import refresh_rollups


class Command(BaseCommand):
    help = "Rebuild every dashboard rollup from the participants collection (one streamed pass)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        stats = refresh_rollups(now=timezone.now())
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt {stats['rollups']:,} rollups from {stats['participants']:,} participants "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )
