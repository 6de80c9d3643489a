"""`manage.py demo`: one process from an empty store to a site a reviewer can log in to."""

import io
import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from demo import generator as demo_data
from empowersave import mongodb
from participants.documents import Participant

pytestmark = pytest.mark.slow  # each test runs whole commands or starts a server

PASSWORD = "demo-pass-4821"
NOW = datetime(2025, 11, 1, tzinfo=UTC)
# Never serve; allowed on a real server because the suite then uses its test_ databases.
SET_UP_ONLY = {"no_serve": True, "allow_real_mongodb": True}


def signs_in(client, username, password):
    """Through the sign-in page, as a person does (and as sign-in throttling expects)."""
    response = client.post("/admin/login/", {"username": username, "password": password})
    return response.status_code == 302


@pytest.mark.django_db
def test_demo_sets_everything_up_and_the_demo_user_can_log_in(client):
    out = io.StringIO()
    call_command("demo", participants=300, password=PASSWORD, stdout=out, **SET_UP_ONLY)

    assert mongodb.source_collection().count_documents({}) == 300
    assert Participant.objects.count() > 0
    user = get_user_model().objects.get(username="demo")
    assert user.is_staff
    assert set(user.groups.values_list("name", flat=True)) == {"analysts", "exporters", "reviewers"}
    assert signs_in(client, "demo", PASSWORD)
    # Everything the demo shows, the review audit trail in the admin included.
    for url in (
        "/",
        "/participants/",
        "/participants/export.csv",
        "/review/",
        "/admin/",
        "/admin/review/reviewdecision/",
    ):
        assert client.get(url).status_code == 200, url
    assert "Review decisions" in client.get("/admin/").content.decode()
    printed = out.getvalue()
    assert "http://127.0.0.1:8000/" in printed
    assert PASSWORD in printed
    assert "Match quality against the demo ground truth" in printed
    # Every printed link opens for the demo user; the audit trail is the review area's own page.
    links = re.findall(r"http://127\.0\.0\.1:8000(/\S*)", printed)
    assert "/review/decisions/" in links
    for path in links:
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_a_second_run_replaces_the_data_and_resets_the_password(client):
    call_command(
        "demo", participants=300, password="first-pass-1", stdout=io.StringIO(), **SET_UP_ONLY
    )
    first = Participant.objects.count()
    call_command(
        "demo", participants=300, password="second-pass-2", stdout=io.StringIO(), **SET_UP_ONLY
    )

    assert Participant.objects.count() == first
    assert get_user_model().objects.filter(username="demo").count() == 1
    assert not signs_in(client, "demo", "first-pass-1")
    assert signs_in(client, "demo", "second-pass-2")


@pytest.mark.django_db
def test_demo_refuses_a_real_mongodb_unless_allowed(settings):
    demo_data.seed(participants=200, seed=1, now=NOW)
    settings.MONGODB_URI = "mongodb://db.example.org:27017"

    with pytest.raises(CommandError, match="--allow-real-mongodb"):
        call_command("demo", no_serve=True, participants=300, stdout=io.StringIO())

    assert mongodb.source_collection().count_documents({}) == 200


@pytest.mark.django_db
def test_on_its_own_store_the_demo_needs_no_flag(settings):
    settings.DEMO_STORE = True  # as `./run demo` sets it for the demo's own server

    call_command("demo", no_serve=True, participants=300, stdout=io.StringIO())

    assert mongodb.source_collection().count_documents({}) == 300
