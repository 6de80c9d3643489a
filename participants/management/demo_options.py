"""Options and the embedded-store guard shared by the `seed_demo_data` and `demo` commands."""

from django.core.management.base import CommandError

from participants import demo_data


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
        help="run against a real MONGODB_URI anyway: the demo's collections there (source, "
        "county, ground truth; for `demo` also the participants) are dropped and rewritten",
    )


def refuse_real_mongodb(*, allowed, what_it_drops):
    """Stop unless MONGODB_URI is the embedded store or --allow-real-mongodb was given.

    `what_it_drops` is the command's own sentence, e.g. "Seeding drops and rewrites …".
    """
    if demo_data.on_embedded_store() or allowed:
        return
    raise CommandError(
        f"MONGODB_URI is not the embedded store (mongomock://). {what_it_drops}; pass "
        "--allow-real-mongodb if that is really what you want."
    )
