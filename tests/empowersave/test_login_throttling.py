"""Sign-in throttling (django-axes): repeated failed sign-ins lock the user name out."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from dashboard.models import ANALYSTS_GROUP
from tests.users import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/"


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def signed_in(response):
    return response.status_code == 302 and response["Location"] == "/"


@pytest.fixture
def alice():
    return make_user("alice", groups=[ANALYSTS_GROUP])


def fail(client, times, username="alice"):
    for _ in range(times):
        response = sign_in(client, username, "wrong-password")
        assert response.status_code == 200  # the form again, with its error
        assert "Please enter the correct username and password" in response.content.decode()


def lock_out(client, username="alice"):
    """Fail as often as allowed: the last failure already answers 429."""
    fail(client, settings.AXES_FAILURE_LIMIT - 1, username)
    assert sign_in(client, username, "wrong-password").status_code == 429


def test_failed_sign_ins_lock_the_user_name_even_for_the_right_password(client, alice):
    lock_out(client)
    again = sign_in(client, "alice", PASSWORD)
    assert again.status_code == 429
    assert "too many login attempts" in again.content.decode().lower()
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still signed out


def test_a_lock_leaves_other_users_alone(client, alice):
    make_user("bob", groups=[ANALYSTS_GROUP])
    lock_out(client)
    assert signed_in(sign_in(Client(), "bob", PASSWORD))


def test_a_successful_sign_in_resets_the_count(client, alice):
    fail(client, settings.AXES_FAILURE_LIMIT - 1)
    assert signed_in(sign_in(client, "alice", PASSWORD))
    fresh = Client()
    fail(fresh, settings.AXES_FAILURE_LIMIT - 1)
    assert signed_in(sign_in(fresh, "alice", PASSWORD))


def test_an_administrator_unlocks_a_user_name(client, alice):
    lock_out(client)
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    call_command("axes_reset_username", "alice")
    assert signed_in(sign_in(client, "alice", PASSWORD))


def test_the_lock_ends_after_the_cool_off(client, alice):
    lock_out(client)
    cool_off = settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=1)
    for attempt in AccessAttempt.objects.all():  # as if the failures were that long ago
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - cool_off
        )
    assert signed_in(sign_in(client, "alice", PASSWORD))


def test_failures_are_recorded_for_the_admin(client, alice):
    fail(client, 2)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.failures_since_start) == ("alice", 2)
    assert "wrong-password" not in attempt.post_data  # the password is never kept
