"""`manage.py seed_demo_data`: replace the demo source, county and ground-truth collections."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from participants import demo_data


class Command(BaseCommand):
    help = (
        "Write a realistic, noisy demo: EmailOctopus source rows, three counties of parcel and "
        "household data, and the matching ground truth. Drops those collections first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--participants",
            type=int,
            default=demo_data.DEFAULT_PARTICIPANTS,
            help="number of source documents, one per (campaign, person) "
            f"(default {demo_data.DEFAULT_PARTICIPANTS:,})",
        )
        parser.add_argument("--seed", type=int, default=demo_data.DEFAULT_SEED)
        parser.add_argument(
            "--allow-real-mongodb",
            action="store_true",
            help="seed a real MONGODB_URI anyway: the source, county and ground-truth "
            "collections there are dropped and rewritten",
        )
        parser.add_argument(
            "--parcels",
            type=int,
            default=None,
            help="parcels across the three counties (default: as many as source documents, "
            f"at least {demo_data.MIN_PARCELS})",
        )

    def handle(self, *args, participants, seed, parcels, allow_real_mongodb, **options):
        if not demo_data.on_embedded_store() and not allow_real_mongodb:
            raise CommandError(
                "MONGODB_URI is not the embedded store (mongomock://). Seeding drops and rewrites "
                "the source, county and ground-truth collections; pass --allow-real-mongodb if "
                "that is really what you want."
            )
        try:
            summary = demo_data.seed(
                participants=participants, seed=seed, parcels=parcels, now=timezone.now()
            )
        except ValueError as error:
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
