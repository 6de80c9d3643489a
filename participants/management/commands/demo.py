"""`manage.py demo`: seed, migrate with matching and serve the site, all in one process.

The embedded store (mongomock) lives in this process's memory: a second `manage.py` run would
start empty. So every step runs here, and the site is served without the autoreloader, which
would restart into a new process and lose the data.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.urls import reverse

from empowersave import mongodb
from participants import demo_data
from participants.management.demo_options import add_seed_arguments, refuse_real_mongodb
from review.models import REVIEWERS_GROUP

DEMO_USERNAME = "demo"


def ensure_demo_user(*, username, password):
    """Create or update a staff user in the reviewers group (when that group exists)."""
    user, _created = get_user_model().objects.get_or_create(username=username)
    user.is_staff = True
    user.is_active = True
    user.set_password(password)
    user.save()
    group = Group.objects.filter(name=REVIEWERS_GROUP).first()
    if group is not None:
        user.groups.add(group)
    return user


class Command(BaseCommand):
    help = (
        "One process on the embedded store: create the SQL tables, seed the demo, migrate the "
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
            what_it_drops="The demo drops and rewrites the source, county and participant "
            "collections",
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
            f"  Admin:       {base}{reverse('admin:index')}",
            f"  Username:    {user.username}",
            f"  Password:    {password}",
        ]
        if demo_data.on_embedded_store():
            lines.append("  The data lives in this process only: stopping the server discards it.")
        self.stdout.write("\n".join(lines))
        if options["no_serve"]:
            return
        call_command(
            "runserver",
            f"{options['host']}:{options['port']}",
            use_reloader=False,  # a reloaded process would start with an empty embedded store
        )

    def _step(self, title):
        self.stdout.write(self.style.MIGRATE_HEADING(f"\n== {title}"))
