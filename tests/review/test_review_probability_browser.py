"""In real headless Chromium on the seeded demo: the queue by probability and by uncertainty, a
candidate's weight waterfall (also without JavaScript), and the bulk accept's confirmation with
its count. Screenshots at 1366×768 land in test-artifacts/ (review-queue-uncertain-1366.png,
review-waterfall-1366.png, review-bulk-confirm-1366.png) for a person to look at."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from review.models import REVIEWERS_GROUP, ReviewDecision
from tests.users import make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREEN = {"width": 1366, "height": 768}
MINUS = "\N{MINUS SIGN}"
# 1,500 source rows (383 people; under strict matching 65 in the queue, 17 of them linked at 0.999),
# seeded and matched in 9 s where the 3,000 of `./run demo` took 18 s.
DEMO_ROWS = 1500


@pytest.fixture
def strict_matching(settings):
    """Matching accepts only at 0.99999, so that probable links wait for review (before `site`)."""
    settings.MATCH_ACCEPT_PROBABILITY = 0.99999


@pytest.fixture
def site(live_server, browser_page):
    """The demo (DEMO_ROWS source rows) matched, and a reviewer signed in at 1366×768."""
    call_command("seed_demo_data", participants=DEMO_ROWS, verbosity=0, stdout=io.StringIO())
    call_command("migrate_participants", verbosity=0, stdout=io.StringIO())
    make_user("rev", groups=[REVIEWERS_GROUP])
    page = browser_page
    page.set_viewport_size(SCREEN)
    sign_in(page, url=f"{live_server.url}/admin/login/?next=/review/", username="rev")
    ARTIFACTS.mkdir(exist_ok=True)
    page.base = live_server.url
    return page


def probabilities(page):
    """The queue page's best probabilities, as numbers (the ends as 0.9995 and 0.0005)."""
    cells = page.locator("#result_list tbody td.probability").all_inner_texts()
    values = []
    for text in cells:
        text = text.strip()
        values.append(
            None if text == "—" else 0.9995 if text.startswith(">") else
            0.0005 if text.startswith("<") else float(text)
        )  # fmt: skip
    return values


def bits(text):
    return float(text.strip().replace(MINUS, "-"))


def test_waterfall_and_queue_orders(site):
    page = site
    page.goto(f"{page.base}/review/")
    ordered = [p for p in probabilities(page) if p is not None]
    assert len(ordered) > 5 and ordered == sorted(ordered, reverse=True)
    page.click("#queue-order a:has-text('Most uncertain first')")
    uncertain = [abs(p - 0.5) for p in probabilities(page) if p is not None]
    assert uncertain == sorted(uncertain)
    page.screenshot(path=str(ARTIFACTS / "review-queue-uncertain-1366.png"))

    page.goto(f"{page.base}/review/")
    page.locator("body").focus()
    with page.expect_navigation():
        page.keyboard.press("j")  # the most probable item
    figure = page.locator("#explanations figure.waterfall").first
    rows = figure.locator("tbody tr")
    assert rows.count() >= 5
    steps = [
        bits(t) for t in figure.locator("tbody tr:not(.waterfall-total) td.bits").all_inner_texts()
    ]
    total = bits(figure.locator("tr.waterfall-total td.bits").inner_text())
    assert abs(sum(steps) - total) < 0.02 * len(steps)
    # Each bar is drawn, and agreeing fields are green, differing ones red.
    for row in figure.locator("tbody tr.waterfall-for, tbody tr.waterfall-against").all():
        width = row.locator(".waterfall-bar").evaluate("e => e.getBoundingClientRect().width")
        assert width > 0
    colour = figure.locator("tr.waterfall-for .waterfall-bar").first.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert colour == "rgb(26, 127, 55)"
    page.locator("#explanations").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "review-waterfall-1366.png"))
    assert page.eval_on_selector("body", "e => e.scrollWidth") <= SCREEN["width"]

    # Without JavaScript the same table reads the same.
    url = page.url
    context = page.context.browser.new_context(
        java_script_enabled=False, storage_state=page.context.storage_state()
    )
    plain = context.new_page()
    plain.goto(url)
    assert plain.locator("#explanations figure.waterfall").first.inner_text() == figure.inner_text()
    context.close()
    assert page.console_errors == []


def test_bulk_accept_shows_its_count_and_links_only_on_confirmation(strict_matching, site):
    page = site
    page.goto(f"{page.base}/review/?per_page=100")
    before = int(page.inner_text("#count-to-review").replace(",", ""))
    for box in page.locator("input.action-select").all():
        box.check()
    selected = page.locator("input.action-select:checked").count()
    page.select_option("select[name=action]", "accept_top")
    page.fill("input[name=probability]", "0.999")
    with page.expect_navigation():
        page.click("button:has-text('Go')")
    count = int(page.inner_text("#bulk-link-count").replace(",", ""))
    listed = page.locator("#bulk-to-link tbody tr").count()
    assert 0 < count == listed < selected, (count, listed, selected)
    assert f"Of the {selected} selected participants" in page.inner_text("#bulk-summary")
    assert "stay in the queue" in page.inner_text("#bulk-left")
    assert ReviewDecision.objects.count() == 0  # nothing written before confirming
    page.screenshot(path=str(ARTIFACTS / "review-bulk-confirm-1366.png"))

    with page.expect_navigation():
        page.click("#bulk-confirm")
    message = page.locator("ul.messagelist li").first.inner_text()
    assert re.match(rf"Linked {count} participant\(s\) to their top candidate", message), message
    assert int(page.inner_text("#count-to-review").replace(",", "")) == before - count
    assert ReviewDecision.objects.filter(action=ReviewDecision.Action.ACCEPT).count() == count
    assert page.console_errors == []
