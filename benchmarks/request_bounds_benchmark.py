"""What the page-size probes of issue 10 cost now: every paged view with odd `per_page` values.

Seeds the demo source (20,000 rows by default, the size the issue's probe used), migrates it with
matching, then sends each request through Django's test client as a staff user in the analysts
and reviewers groups, and prints its status, rows shown, response size and server time (the
median of 3, after one untimed request). Before issue 10, `per_page=100000` on the participants
page rendered every participant (5 MB, 16.7 s at 20,000 source rows) and `per_page=-5` answered
500.

    .venv/bin/python benchmarks/request_bounds_benchmark.py [--participants 20000]

Runs on a throw-away store server of its own (benchmarks/bench.py); the Django SQL database is an
in-memory SQLite, so no file is touched.
"""

import argparse
import io
import os
import statistics
import time

os.environ["DATABASE_URL"] = "sqlite://:memory:"

import bench  # noqa: E402, I001 - starts the store and Django first

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from dashboard.models import ANALYSTS_GROUP  # noqa: E402
from dashboard.selectors import campaign_choices  # noqa: E402
from empowersave import mongodb  # noqa: E402
from participants.documents import Participant  # noqa: E402
from review.models import REVIEWERS_GROUP  # noqa: E402

SIZES = ("100000", "-5", "abc", "", "200")
TIMED = 3


def measure(client, url):
    """(status, rows on the page, bytes, median seconds) of GET url."""
    client.get(url)
    seconds, response = [], None
    for _ in range(TIMED):
        started = time.perf_counter()
        response = client.get(url)
        seconds.append(time.perf_counter() - started)
    table = response.context["table"] if response.context else None
    rows = len(table.page.object_list) if table is not None and table.page else None
    return response.status_code, rows, len(response.content), statistics.median(seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=20_000)
    args = parser.parse_args()

    call_command(  # the throw-away store of bench.py: nothing of anyone's is rewritten
        "seed_demo_data",
        participants=args.participants,
        allow_real_mongodb=True,
        stdout=io.StringIO(),
    )
    call_command("migrate_participants", verbosity=0, stdout=io.StringIO())
    people = mongodb.collection_for(Participant).count_documents({})
    print(f"{args.participants:,} source documents, {people:,} participants")

    call_command("migrate", verbosity=0, interactive=False)
    setup_test_environment()  # responses carry their template context (the table's page)
    user = get_user_model().objects.create_user("bench", is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=[ANALYSTS_GROUP, REVIEWERS_GROUP]))
    client = Client()
    client.force_login(user)

    campaign_id = campaign_choices()[0][0]
    for view in ("/participants/", f"/campaigns/{campaign_id}/", "/review/"):
        for size in SIZES:
            url = f"{view}?per_page={size}"
            status, rows, size_bytes, seconds = measure(client, url)
            print(
                f"{url:<52} {status}  {rows!s:>4} rows  {size_bytes / 1024:8.1f} KB  "
                f"{seconds * 1000:8.1f} ms"
            )
    print(bench.store_figures())


if __name__ == "__main__":
    main()
