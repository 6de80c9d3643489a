"""`manage.py seed_demo_data`: replace the demo source, county and ground-truth collections."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo import generator as demo_data
from demo.management.demo_options import add_seed_arguments, refuse_real_mongodb


class Command(BaseCommand):
    help = (
        "Write a realistic, noisy demo: EmailOctopus source rows, three counties of parcel and "
        "household data, and the matching ground truth. Replaces those collections when they are "
        "empty or hold an earlier seed; never drops data it did not write."
    )

    def add_arguments(self, parser):
        add_seed_arguments(parser)

    def handle(self, *args, participants, seed, parcels, allow_real_mongodb, **options):
        refuse_real_mongodb(
            allowed=allow_real_mongodb,
            safe=settings.ON_LOCAL_STORE,
            what_it_drops="Seeding drops and rewrites the source, county and ground-truth "
            "collections",
        )
        try:
            summary = demo_data.seed(
                participants=participants, seed=seed, parcels=parcels, now=timezone.now()
            )
        except ValueError as error:  # NotDemoData too: nothing was written
            raise CommandError(str(error)) from error
        for key, value in summary.items():
            shown = json.dumps(value) if isinstance(value, dict) else f"{value:,}"
            self.stdout.write(f"  {key}: {shown}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {summary['source_documents']:,} source documents for "
                f"{summary['people']:,} people in {summary['seconds']} s."
            )
        )
        return None
