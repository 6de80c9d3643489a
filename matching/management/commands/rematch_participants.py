"""`manage.py rematch_participants`: re-match pending / no_match participants in place."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from empowersave import mongodb
from matching.services import rematch_participants
from participants.documents import MatchQuality

REMATCHABLE = MatchQuality.NEEDS_REVIEW


class Command(BaseCommand):
    help = (
        "Re-match participants whose quality is pending or no_match against the current county "
        "data, without re-reading the source. Staff (manual) decisions are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", help="only participants that concern this county")
        parser.add_argument(
            "--quality",
            action="append",
            choices=REMATCHABLE,
            help="quality to re-match (repeatable; default: pending and no_match)",
        )
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, **options):
        mongodb.connect()
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        stats = rematch_participants(
            now=timezone.now(),
            county=options["county"],
            qualities=options["quality"],
            batch_size=options["batch_size"],
        )
        self.stdout.write(
            f"Re-matched {stats['processed']:,} participants "
            f"({stats['written']:,} changed, {stats['conflicts']:,} changed meanwhile and left "
            f"alone): {stats['match_quality']}"
        )
        if stats["no_match_reasons"]:
            self.stdout.write(f"  no_match reasons: {stats['no_match_reasons']}")
