"""A reviewer works through the queue in real headless Chromium with the keyboard alone."""

import pytest
from django.urls import reverse

from participants.documents import MatchQuality
from review.models import ReviewDecision
from tests.review.review_data import make_user, raw
from tests.users import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_three_items_with_keyboard_shortcuts_only(live_server, browser_page, queue):
    make_user("keyboard", reviewer=True)
    page = browser_page

    page.goto(live_server.url + reverse("review:queue"))
    page.fill("#id_username", "keyboard")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(reverse("review:queue"))
    assert page.locator("#count-to-review").inner_text() == "4"

    def press(key, then_on):
        with page.expect_navigation():
            page.keyboard.press(key)
        page.wait_for_load_state()
        assert page.url.endswith(reverse("review:change", args=[queue[then_on].id])), page.url

    page.locator("body").focus()
    press("j", "jane")  # open the first queue item
    press("a", "rita")  # accept Jane's first candidate
    page.keyboard.press("/")  # focus the hand search: letters typed there are not shortcuts
    page.keyboard.type("a s n")
    assert page.locator("#id_hs_address").input_value() == "a s n"
    page.wait_for_timeout(300)  # time for a wrongly fired shortcut to post
    assert raw(queue["rita"])["match"]["quality"] == MatchQuality.PENDING
    assert page.url.endswith(reverse("review:change", args=[queue["rita"].id]))
    page.keyboard.press("Escape")
    press("n", "olive")  # Rita: no match, with the reason shown on the page
    press("s", "nomad")  # Olive: can't tell

    jane, rita, olive = raw(queue["jane"]), raw(queue["rita"]), raw(queue["olive"])
    assert jane["match"]["quality"] == MatchQuality.MANUAL
    assert jane["residence_ref"]["parcel_id"] == "E-100"
    assert jane["match"]["reviewed_by"] == "keyboard"
    assert rita["match"]["quality"] == MatchQuality.NO_MATCH
    assert rita["match"]["reason"] == "No parcel at this address"
    assert olive["match"]["quality"] == MatchQuality.PENDING
    actions = list(
        ReviewDecision.objects.order_by("pk").values_list("action", "reviewer__username")
    )
    assert actions == [
        (ReviewDecision.Action.ACCEPT, "keyboard"),
        (ReviewDecision.Action.NO_MATCH, "keyboard"),
        (ReviewDecision.Action.SKIP, "keyboard"),
    ]
    assert "Skipped" in page.locator("ul.messagelist").inner_text()
    assert page.console_errors == []
