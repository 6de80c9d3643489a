"""The review area's decisions page: the audit trail, filterable, countable, as CSV."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from review.models import ReviewDecision
from tests.review.review_data import make_user

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC)


@pytest.fixture
def trail(reviewer):
    """Four decisions by two reviewers on three days; the accept was undone."""
    other = make_user("other", reviewer=True)
    day2, day3 = DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)
    rows = [
        ("p1", "ann@example.org", ReviewDecision.Action.ACCEPT, reviewer, DAY, "", "E-1"),
        ("p2", "bob@example.org", ReviewDecision.Action.NO_MATCH, reviewer, DAY, "=cmd()", ""),
        ("p3", "cy@example.org", ReviewDecision.Action.SKIP, other, day2, "", ""),
        ("p1", "ann@example.org", ReviewDecision.Action.UNDO, other, day3, "", ""),
    ]  # fmt: skip
    made = [
        ReviewDecision.objects.create(
            participant_id=pid.ljust(24, "0"),
            contact_id=contact,
            action=action,
            reviewer=user,
            created_at=at,
            reason=reason,
            county="Essex" if parcel else "",
            parcel_id=parcel,
        )
        for pid, contact, action, user, at, reason, parcel in rows
    ]
    made[0].undone_by = made[3]
    made[0].save()
    return made


def listed(response):
    return [row.record.contact_id for row in response.context["table"].paginated_rows]


@pytest.fixture
def rc(client, reviewer):
    client.force_login(reviewer)
    return client


def test_needs_the_review_permission(client, trail):
    url = reverse("review:decisions")
    assert client.get(url).status_code == 302
    client.force_login(make_user("analyst"))
    assert client.get(url).status_code == 403
    assert client.get(reverse("review:decisions_csv")).status_code == 403


def test_lists_every_decision_newest_first_with_a_count(rc, trail):
    response = rc.get(reverse("review:decisions"))
    assert response.status_code == 200
    assert listed(response) == [
        "ann@example.org",
        "cy@example.org",
        "bob@example.org",
        "ann@example.org",
    ]
    html = response.content.decode()
    assert '<p id="match-count"><strong>4</strong> decisions match' in html
    assert "Accepted candidate" in html and "Undid a decision" in html
    assert "by other, 04 Mar 2026 15:30" in html  # who undid the accept, and when
    assert f'href="{reverse("review:change", args=["p1".ljust(24, "0")])}"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("reviewer=other", ["ann@example.org", "cy@example.org"]),
        ("decision=NO_MATCH", ["bob@example.org"]),
        ("date_from=2026-03-03", ["ann@example.org", "cy@example.org"]),
        ("date_to=2026-03-02", ["bob@example.org", "ann@example.org"]),
        ("date_from=2026-03-03&date_to=2026-03-03", ["cy@example.org"]),
        ("reviewer=rev&decision=ACCEPT", ["ann@example.org"]),
    ],
)
def test_filters(rc, trail, query, expected):
    response = rc.get(reverse("review:decisions") + "?" + query)
    assert listed(response) == expected
    count = len(expected)
    assert f"<strong>{count}</strong> decision{'s' if count != 1 else ''} match" in (
        response.content.decode()
    )


@pytest.mark.parametrize("query", ["reviewer=nobody", "decision=DELETE", "date_from=yesterday"])
def test_bad_filter_values_show_nothing_and_say_so(rc, trail, query):
    response = rc.get(reverse("review:decisions") + "?" + query)
    assert response.status_code == 200
    assert listed(response) == []
    assert "not understood" in response.content.decode()


def test_csv_of_the_filtered_decisions(rc, trail):
    response = rc.get(reverse("review:decisions_csv") + "?reviewer=rev")
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["contact_id"], row["decision"]) for row in rows] == [
        ("bob@example.org", "Marked no match"),
        ("ann@example.org", "Accepted candidate"),
    ]
    bob, ann = rows
    assert bob["reason"] == "'=cmd()"  # a formula is not run by a spreadsheet
    assert ann["decided_at"] == "2026-03-02T15:30:00+00:00"
    assert ann["reviewer"] == "rev"
    assert (ann["county"], ann["parcel_id"]) == ("Essex", "E-1")
    assert ann["undone_by_decision"] == str(trail[3].pk)


def test_the_queue_links_to_the_decisions(rc, trail):
    html = rc.get(reverse("review:queue")).content.decode()
    assert f'href="{reverse("review:decisions")}"' in html
