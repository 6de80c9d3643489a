"""Options and the store guard shared by the `seed_demo_data` and `demo` commands."""

from django.conf import settings
from django.core.management.base import CommandError

from demo import generator as demo_data


def add_seed_arguments(parser):
    """--participants, --seed, --parcels (as `demo_data.seed` takes them), --allow-real-mongodb."""
    parser.add_argument(
        "--participants",
        type=int,
        default=demo_data.DEFAULT_PARTICIPANTS,
        help="number of source documents, one per (campaign, person) "
        f"(default {demo_data.DEFAULT_PARTICIPANTS:,})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=demo_data.DEFAULT_SEED,
        help="the same seed gives the same demo data",
    )
    parser.add_argument(
        "--parcels",
        type=int,
        default=None,
        help="parcels across the three counties (default: as many as source documents, "
        f"at least {demo_data.MIN_PARCELS})",
    )
    parser.add_argument(
        "--allow-real-mongodb",
        action="store_true",
        help="run against a MONGODB_URI of your own anyway: the demo's collections there "
        "(source, county, ground truth; for `demo` also the participants) are rewritten",
    )


def refuse_real_mongodb(*, allowed, safe, what_it_drops):
    """Stop unless the store is `safe` for this command or --allow-real-mongodb was given.

    `what_it_drops` is the command's own sentence, e.g. "Seeding drops and rewrites …".
    """
    if safe or allowed:
        return
    raise CommandError(
        f"{what_it_drops}, and MONGODB_URI is {settings.MONGODB_URI}; pass --allow-real-mongodb "
        "if that is really what you want."
    )
