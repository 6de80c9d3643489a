"""The dashboard in real headless Chromium: charts drawn, filters used, a participant opened."""

import re
from pathlib import Path

import pytest

from dashboard.models import ANALYSTS_GROUP
from dashboard.rollups import refresh_rollups
from tests.dashboard.dashboard_fixture import fixture_participants
from tests.factories import NOW, insert_participants
from tests.users import make_user, sign_in

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHARTS = (
    "campaign-chart",
    "zip-chart",
    "coverage-chart",
    "energy-cost-chart",
    "energy-burden-chart",
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_in_a_browser(browser_page, live_server):
    insert_participants(*fixture_participants())
    refresh_rollups(now=NOW)
    make_user("analyst", groups=[ANALYSTS_GROUP])
    page = browser_page

    sign_in(page, url=f"{live_server.url}/", username="analyst")
    page.wait_for_url(f"{live_server.url}/")

    for chart in CHARTS:
        page.wait_for_selector(f"#{chart} svg.main-svg", timeout=15_000)
    assert page.locator("#zip-chart .bars .point").count() >= 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    page.click("nav.site-nav >> text=Participants")
    page.select_option("#id_county", "Suffolk")
    page.select_option("#id_match_quality", "fuzzy")
    page.click("text=Apply filters")
    page.wait_for_url(re.compile(r"/participants/\?.*county=Suffolk.*quality=fuzzy"))
    names = page.locator("table.data-table tbody tr td:first-child").all_inner_texts()
    assert names == ["Bob Ray"]

    page.select_option("#id_match_quality", "exact")
    page.click("text=Apply filters")
    page.wait_for_url(re.compile(r"quality=exact"))
    page.click("table.data-table >> text=Ann Lee")
    page.wait_for_selector("#residence-panel")
    assert "1 MAIN ST" in page.inner_text("#residence-panel")
    assert "S-001" in page.inner_text("#residence-panel")
    assert "$1,200" in page.inner_text("#demographic-panel")
    assert "4.0%" in page.inner_text("#demographic-panel")

    assert page.console_errors == []
