"""`manage.py county_index`: show, rebuild or drop the county index snapshot."""

import time

from django.core.management.base import BaseCommand

from empowersave import mongodb
from matching import county_index, county_snapshot


class Command(BaseCommand):
    help = (
        "The county index snapshot (matching.county_index): every command that matches reuses it "
        "while both county collections hold exactly what it was built from, and builds it again "
        "otherwise. Without options: show the stored snapshot. --rebuild: read the county data, "
        "build the index and store it now. --drop: delete it (the next command that matches "
        "builds it)."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--rebuild", action="store_true", help="build and store it now")
        action.add_argument("--drop", action="store_true", help="delete the stored snapshot")

    def handle(self, *args, rebuild, drop, **options):
        mongodb.connect()
        if drop:
            dropped = county_snapshot.drop()
            self.stdout.write(f"Dropped {dropped} county index snapshot(s).")
            return
        if rebuild:
            started = time.perf_counter()
            loaded = county_index.load(rebuild=True)
            self.stdout.write(
                f"Built the county index ({len(loaded.index.parcels):,} parcels, "
                f"{len(loaded.index.demographics):,} household records) and stored it in "
                f"{time.perf_counter() - started:.1f} s."
            )
        self._show()

    def _show(self):
        files = county_snapshot.stored()
        if not files:
            self.stdout.write("No county index snapshot is stored.")
        current = county_snapshot.build_version()
        for built_at, stored_bytes, meta in files:
            fits = "this code" if meta.get("build_version") == current else "other code (unused)"
            self.stdout.write(
                f"Snapshot built {built_at:%Y-%m-%d %H:%M:%S} UTC by {fits}: "
                f"{meta.get('parcels', 0):,} parcels, {meta.get('households', 0):,} household "
                f"records, {stored_bytes / 2**20:,.1f} MB"
            )
