"""`manage.py rematch_participants`: re-match pending / no_match participants in place."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from empowersave import mongodb
from empowersave.reports import SetAsideExitStatus
from matching.scoring import MATCH_ERROR
from matching.services import rematch_participants
from participants.documents import MatchQuality


class Command(SetAsideExitStatus, BaseCommand):
    help = (
        "Re-match participants whose quality is pending or no_match against the current county "
        "data, without re-reading the source. Staff (manual) decisions are never touched. Exit "
        "status: 0 done; 1 failed; 3 done, with participants whose matching raised (MATCH_ERROR)."
    )
    # --quality values → match.quality (None: never matched), and the default.
    QUALITIES = {quality: quality for quality in MatchQuality.NEEDS_REVIEW}
    DEFAULT = MatchQuality.NEEDS_REVIEW

    def add_arguments(self, parser):
        parser.add_argument("--county", help="only participants that concern this county")
        parser.add_argument(
            "--quality",
            action="append",
            choices=tuple(self.QUALITIES),
            help="quality to match (repeatable; default: "
            + ", ".join(name for name, quality in self.QUALITIES.items() if quality in self.DEFAULT)
            + ")",
        )
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, **options):
        mongodb.connect()
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        chosen = options["quality"]
        stats = rematch_participants(
            now=timezone.now(),
            county=options["county"],
            qualities=tuple(self.QUALITIES[q] for q in chosen) if chosen else self.DEFAULT,
            batch_size=options["batch_size"],
        )
        self.stdout.write(
            f"Matched {stats['processed']:,} participants "
            f"({stats['written']:,} changed, {stats['conflicts']:,} changed meanwhile and left "
            f"alone): {stats['match_quality']}"
        )
        if stats["no_match_reasons"]:
            self.stdout.write(f"  no_match reasons: {stats['no_match_reasons']}")
        self.set_aside = stats["no_match_reasons"].get(MATCH_ERROR, 0)
