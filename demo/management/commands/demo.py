"""`manage.py demo`: seed, migrate with matching and serve the site, in one command.

It replaces the participants it finds, so it runs on the demo's own store: `./run demo` starts a
server of its own under var/demo/ (with its own SQL file) and sets EMPOWERSAVE_DEMO_STORE, so the
demo never touches the data of `./run manage …` (var/store/) nor a real MONGODB_URI. Elsewhere it
needs --allow-real-mongodb.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.urls import reverse

from dashboard.models import ANALYSTS_GROUP, EXPORTERS_GROUP
from demo.management.demo_options import add_seed_arguments, refuse_real_mongodb
from empowersave import mongodb
from review.models import REVIEWERS_GROUP

DEMO_USERNAME = "demo"
# What the demo shows: the dashboard and participants, the CSV export, the review workspace and
# (reviewers read it in the admin) the review audit trail.
DEMO_GROUPS = (ANALYSTS_GROUP, EXPORTERS_GROUP, REVIEWERS_GROUP)


def ensure_demo_user(*, username, password):
    """Create or update a staff user in the demo's groups (those that exist)."""
    user, _created = get_user_model().objects.get_or_create(username=username)
    user.is_staff = True
    user.is_active = True
    user.set_password(password)
    user.save()
    user.groups.add(*Group.objects.filter(name__in=DEMO_GROUPS))
    return user


class Command(BaseCommand):
    help = (
        "On the demo's own store: create the SQL tables, seed the demo, migrate the "
        "participants with matching, print the match quality report, create a demo reviewer "
        "and serve the site."
    )

    def add_arguments(self, parser):
        add_seed_arguments(parser)
        parser.add_argument("--host", default="127.0.0.1", help="address to serve on")
        parser.add_argument("--port", type=int, default=8000, help="port to serve on")
        parser.add_argument(
            "--no-serve", action="store_true", help="stop after setting up (tests, scripting)"
        )
        parser.add_argument(
            "--skip-matching",
            action="store_true",
            help="migrate without parcel and household matching (and without its report)",
        )
        parser.add_argument("--username", default=DEMO_USERNAME, help="the demo reviewer")
        parser.add_argument(
            "--password", default=None, help="the demo user's password (default: a new random one)"
        )

    def handle(self, *args, **options):
        refuse_real_mongodb(
            allowed=options["allow_real_mongodb"],
            safe=settings.DEMO_STORE,
            what_it_drops="The demo drops and rewrites the source, county and participant "
            "collections (`./run demo` gives it a store of its own)",
        )
        mongodb.connect()
        verbosity = options["verbosity"]

        self._step("Django SQL database (users, sessions, review audit)")
        call_command("migrate", interactive=False, verbosity=0)

        self._step(f"Seeding {options['participants']:,} source documents")
        call_command(
            "seed_demo_data",
            participants=options["participants"],
            seed=options["seed"],
            parcels=options["parcels"],
            allow_real_mongodb=options["allow_real_mongodb"],
            stdout=self.stdout,
            verbosity=verbosity,
        )

        self._step(
            "Migrating participants" + ("" if options["skip_matching"] else " with matching")
        )
        call_command("rollback_participants", yes=True, stdout=self.stdout, verbosity=verbosity)
        call_command(
            "migrate_participants",
            skip_matching=options["skip_matching"],
            stdout=self.stdout,
            verbosity=verbosity,
        )

        if not options["skip_matching"]:
            self._step("Match quality against the demo ground truth")
            call_command("match_quality_report", stdout=self.stdout, verbosity=verbosity)

        password = options["password"] or secrets.token_urlsafe(12)
        user = ensure_demo_user(username=options["username"], password=password)
        base = f"http://{options['host']}:{options['port']}"
        self._step("Ready")
        lines = [
            f"  Site:        {base}{reverse('dashboard:home')}",
            f"  Review:      {base}{reverse('review:queue')}",
            f"  Decisions:   {base}{reverse('review:decisions')}  (the review audit trail)",
            f"  Username:    {user.username}",
            f"  Password:    {password}",
        ]
        if settings.DEMO_STORE:
            lines.append(
                f"  The demo's data lives in {settings.LOCAL_STORE.directory} (its own server); "
                "the next `./run demo` replaces it."
            )
        self.stdout.write("\n".join(lines))
        if options["no_serve"]:
            return
        call_command(
            "runserver",
            f"{options['host']}:{options['port']}",
            use_reloader=False,  # ./run demo stops the demo's store when this command returns
        )

    def _step(self, title):
        self.stdout.write(self.style.MIGRATE_HEADING(f"\n== {title}"))
