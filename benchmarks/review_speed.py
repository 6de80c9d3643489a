"""Server time a reviewer waits per queue item, with the demo data.

Seeds the demo (`seed_demo_data`), migrates and matches it (`migrate_participants`), then drives
the review pages with Django's test client and prints the median server time of the queue page,
a change page, and each action (POST + the redirect target computed, i.e. what a reviewer waits
for after pressing a key, before the next change page loads).

    .venv/bin/python benchmarks/review_speed.py [--participants 20000] [--items 5] [--browser 10]

`--browser N` then serves the site in a thread and lets headless Chromium (Playwright) work
through N queue items with one key each (`a` when there is a candidate, else `n`), timing each
key press until the next item's page has loaded: the end-to-end wait per item.

Runs on a throw-away store server of its own (benchmarks/bench.py), with a throw-away SQLite
file.
"""

import argparse
import os
import statistics
import tempfile
import threading
import time

# A file, not :memory:, so that the server thread of --browser sees the same users.
SQL_DIR = tempfile.TemporaryDirectory(prefix="review_speed-")
os.environ["DATABASE_URL"] = f"sqlite:///{SQL_DIR.name}/review_speed.sqlite3"

import bench  # noqa: E402, I001 - starts the store and Django first

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from participants.documents import Participant  # noqa: E402
from review.models import REVIEWERS_GROUP  # noqa: E402
from review.selectors import review_queue  # noqa: E402

ACTIONS = ("accept", "no match", "skip")
PASSWORD = "review-speed-only"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def timed(call):
    started = time.perf_counter()
    response = call()
    return time.perf_counter() - started, response


def action_post(action, context):
    pid = str(context["participant"].id)
    version = context["version"]
    if action == "accept" and context["candidates"]:
        top = context["candidates"][0]
        data = {"version": version, "county": top.county, "parcel_id": top.parcel_id}
        return reverse("review:accept", args=[pid]), data
    if action in ("accept", "no match"):
        data = {"version": version, "reason": "No parcel at this address"}
        return reverse("review:no_match", args=[pid]), data
    return reverse("review:skip", args=[pid]), {}


def serve():
    """The site on a free local port, in a daemon thread of this process (same store)."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def browser_items(*, username, items):
    """Seconds from each key press to the next item's page being loaded, in Chromium."""
    from playwright.sync_api import sync_playwright

    base = serve()
    seconds = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.goto(f"{base}{reverse('admin:login')}?next={reverse('review:queue')}")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        with page.expect_navigation():
            page.keyboard.press("j")
        for _ in range(items):
            key = "a" if page.locator('[data-shortcut~="a"]').count() else "n"
            started = time.perf_counter()
            with page.expect_navigation(wait_until="load"):
                page.keyboard.press(key)
            seconds.append(time.perf_counter() - started)
        browser.close()
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=20_000, help="demo source documents")
    parser.add_argument("--parcels", type=int, default=None, help="default: one per document")
    parser.add_argument("--items", type=int, default=5, help="rounds of accept, no match, skip")
    parser.add_argument("--browser", type=int, default=0, help="items to review in Chromium")
    args = parser.parse_args()
    setup_test_environment()  # responses carry their template context
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command(
        "seed_demo_data", participants=args.participants, parcels=args.parcels, verbosity=0
    )
    call_command("migrate_participants", verbosity=0)
    print(
        f"demo: {args.participants:,} source documents → {Participant.objects.count():,} "
        f"participants, {review_queue().count():,} in the review queue "
        f"(seed + migrate + match {time.perf_counter() - started:.0f} s)"
    )
    user = User.objects.create_user("bench", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
    client = Client()
    client.force_login(user)

    seconds, response = timed(lambda: client.get(reverse("review:queue")))
    print(f"queue page, first request (fills the filter choice cache): {seconds:.2f} s")
    for order in ("probability", "uncertain"):
        url = f"{reverse('review:queue')}?order={order}"
        queue_times = [timed(lambda url=url: client.get(url))[0] for _ in range(3)]
        print(f"queue page, order={order}: median {statistics.median(queue_times):.2f} s")

    url = response.context["first_url"]
    figures = {"change page": [], **{action: [] for action in ACTIONS}}
    for _ in range(args.items):
        for action in ACTIONS:
            seconds, page = timed(lambda url=url: client.get(url))
            figures["change page"].append(seconds)
            post = action_post(action, page.context)
            seconds, response = timed(lambda post=post: client.post(*post))
            assert response.status_code == 302, response.status_code
            figures[action].append(seconds)
            url = response["Location"]

    for name, values in figures.items():
        print(f"{name}: median {statistics.median(values):.2f} s, max {max(values):.2f} s")
    best = statistics.median(figures["accept"]) + statistics.median(figures["change page"])
    print(f"per item at best (one key press: action + next change page): {best:.2f} s server time")

    page = client.get(reverse("review:queue"))
    selected = [str(row.record.id) for row in page.context["table"].page.object_list]
    data = {"action": "accept_top", "probability": "0.5", "_selected_action": selected}
    seconds, response = timed(lambda: client.post(reverse("review:bulk"), data))
    plan = response.context["plan"]
    print(
        f"bulk accept of one page ({len(selected)} rows), confirmation page: {seconds:.2f} s — "
        f"{len(plan.to_link)} to link, left {plan.left}"
    )
    confirm = {
        **data,
        "confirm": "True",
        "_selected_action": [item.participant_id for item in plan.to_link],
        "seen": [item.seen for item in plan.to_link],
    }
    seconds, response = timed(lambda: client.post(reverse("review:bulk"), confirm, follow=True))
    message = next(iter(response.context["messages"]), "")
    print(f"bulk accept confirmed: {seconds:.2f} s — {message}")

    if args.browser:
        waits = browser_items(username=user.get_username(), items=args.browser)
        print(
            f"Chromium, one key per item over {len(waits)} items: key press → next item loaded "
            f"median {statistics.median(waits):.2f} s, max {max(waits):.2f} s"
        )
    print(bench.store_figures())


if __name__ == "__main__":
    main()
