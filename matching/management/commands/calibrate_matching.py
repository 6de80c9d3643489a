"""`manage.py calibrate_matching`: a new parameters version from EM plus the reviewers' labels."""

import getpass
from random import Random

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from empowersave import mongodb
from matching import learning

DEFAULT_SEED = 2024


def _os_user():
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment nor the password database
        return "unknown"


def _figure(name, figure):
    if figure["value"] is None:
        return f"{name} —  (nothing to count)"
    low, high = figure["interval"]
    return (
        f"{name} {figure['value']:.4f}  [{low:.4f}, {high:.4f}]  "
        f"({figure['successes']:,} of {figure['trials']:,})"
    )


class Command(BaseCommand):
    help = (
        "Re-estimate the matching parameters by EM over the participants' candidate pairs plus "
        "the pairs reviewers labelled (a manual link is a match, the other candidates and a "
        "reviewer's no match are non-matches), print precision and recall on the labelled "
        "participants with Wilson 95% intervals, and save the parameters as a new version that "
        "matching then uses. Staff decisions are never re-matched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--by", default=None, help="who calibrates (default: the OS user)")
        parser.add_argument(
            "--sample", type=int, default=None,
            help="EM over a uniform sample of this many participants (default: all of them)",
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random pairs, sample")
        parser.add_argument(
            "--dry-run", action="store_true", help="print the figures, save nothing"
        )

    def handle(self, *args, **options):
        if options["sample"] is not None and options["sample"] < 1:
            raise CommandError("--sample must be at least 1")
        mongodb.connect()
        by = options["by"] or _os_user()
        result = learning.calibrate(
            now=timezone.now(),
            by=by,
            rng=Random(options["seed"]),
            sample=options["sample"],
            save=not options["dry_run"],
        )
        write = self.stdout.write
        write(
            f"Labelled by reviewers: {result.labelled:,} participants, {result.labels:,} pairs "
            f"({result.missing_parcels:,} pairs left out: parcel no longer in the county data); "
            f"EM over {result.parameters.training['candidate_pairs']:,} candidate pairs of "
            f"{result.parameters.training['participants']:,} of {result.participants:,} "
            "participants."
        )
        write("On the labelled participants (Wilson 95% intervals; in sample: fitted on them):")
        for title, figures in (
            (f"  version {result.active_version} (active)", result.before),
            ("  new parameters", result.after),
        ):
            write(
                f"{title}: {_figure('precision', figures['precision'])}; "
                f"{_figure('recall', figures['recall'])}"
            )
        parameters = result.parameters
        if result.saved:
            write(
                f"Saved as version {parameters.version} by {parameters.created_by} at "
                f"{parameters.created_at:%Y-%m-%d %H:%M:%S %Z}; matching uses it from now on "
                "(./run manage rematch_participants re-matches the queue with it)."
            )
        elif options["dry_run"]:
            write("Dry run: nothing saved.")
        else:
            write(f"The parameters equal version {result.active_version}: nothing saved.")
