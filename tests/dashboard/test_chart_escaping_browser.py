"""Participant and campaign data reach the Plotly charts as text: no markup of theirs becomes an
element, in tick labels, legends, hover text or titles (real headless Chromium)."""

from pathlib import Path

import pytest

from dashboard.models import ANALYSTS_GROUP
from dashboard.rollups import refresh_rollups
from empowersave import mongodb
from tests.factories import NOW, engagement, insert_participants, participant
from tests.users import make_user, sign_in

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HOSTILE = [
    "<b>bold</b>",
    '<a href="https://example.org/x">link</a>',
    '<img src=x onerror="window.__pwned=1">',
    '<a href="javascript:window.__pwned=2">js</a>',
    "<br>line<sup>2</sup>",
    '<span style="font-size:80px">big</span>',
    "&lt;i&gt;already an entity&lt;/i&gt;",
]
CHARTS = ("campaign-chart", "zip-chart", "coverage-chart", "energy-cost-chart")


def seed():
    mongodb.source_campaigns_collection().insert_many(
        [{"_id": f"H{i}", "name": name, "sent_at": NOW} for i, name in enumerate(HOSTILE)]
    )
    docs = []
    for i, name in enumerate(HOSTILE):
        doc = participant(
            f"p{i}@example.org",
            engagements=[engagement(f"H{i}", opened=True, clicked=i % 2 == 0)],
            quality="exact",
            demographic=(name, f"P-{i}", 1000.0 + 100 * i, 3.0 + i),
        )
        # No parcel ZIP, so the ZIP rollup reads fields.zip5, here as if nothing had cleaned it.
        doc["residence_ref"] = {"county": name, "parcel_id": f"P-{i}", "address": "1 MAIN ST"}
        doc["fields"]["zip5"] = name
        docs.append(doc)
    insert_participants(*docs)
    refresh_rollups(now=NOW)


def texts(page, selector):
    return page.locator(selector).evaluate_all("nodes => nodes.map(n => n.textContent)")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_markup_in_chart_data_is_shown_as_text(browser_page, live_server):
    seed()
    make_user("analyst", groups=[ANALYSTS_GROUP])
    page = browser_page
    sign_in(page, url=f"{live_server.url}/", username="analyst")
    page.wait_for_url(f"{live_server.url}/")
    for chart in CHARTS:
        page.wait_for_selector(f"#{chart} svg.main-svg", timeout=15_000)

    # Nothing of the data became an element inside a chart's drawing.
    for selector in (
        "svg a",
        "img",
        "tspan[style*='font-weight']",
        "tspan[style*='font-size:80px']",
        "tspan[dy]",  # <br> and <sup> would start new or shifted lines
    ):
        found = page.locator(", ".join(f"#{chart} {selector}" for chart in CHARTS)).count()
        assert found == 0, selector
    assert page.evaluate("window.__pwned") is None

    # Each name is drawn as its own characters: campaign ticks, county ticks, ZIP ticks, legend.
    assert sorted(texts(page, "#campaign-chart .ytick text")) == sorted(HOSTILE)
    assert sorted(texts(page, "#coverage-chart .xtick text")) == sorted(HOSTILE)
    assert sorted(texts(page, "#zip-chart .xtick text")) == sorted(HOSTILE)
    assert sorted(texts(page, "#energy-cost-chart .xtick text")) == sorted(HOSTILE)

    # Hover text too.
    box = page.locator("#campaign-chart .bars .point path").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#campaign-chart .hoverlayer text", timeout=5_000)
    hover = " ".join(texts(page, "#campaign-chart .hoverlayer text"))
    assert any(name in hover for name in HOSTILE), hover
    assert page.locator("#campaign-chart .hoverlayer a").count() == 0

    # The tables under the charts show the same text (Django escapes it).
    table = page.inner_text("#campaign-table")
    assert all(name in table for name in HOSTILE)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chart-escaping.png"), full_page=True)
    assert page.evaluate("window.__pwned") is None
    assert page.console_errors == []
