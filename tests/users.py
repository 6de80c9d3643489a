"""Staff users for page tests, in the groups the migrations create (not a test module)."""

import importlib

from django.apps import apps as django_apps
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group, User

PASSWORD = "review-pass-4821"
# The data migrations that create the access groups, in order (each is idempotent).
GROUP_MIGRATIONS = (
    ("review.migrations.0002_reviewers_group", "create_group"),
    ("review.migrations.0003_reviewers_read_the_audit_trail", "grant"),
    ("dashboard.migrations.0002_access_groups", "create_groups"),
)


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's default hasher (same algorithm name and format) with few iterations, for the
    suite only (tests/conftest.py): its 1,000,000 iterations cost 0.4 s of CPU per password
    made or checked, measured here as more than half of the review tests' CPU. A hash made here
    still verifies under the production settings, which read the count from the hash."""

    iterations = 100


def restore_groups(**signal):
    """A `post_migrate` receiver for the suite (tests/conftest.py): a transactional test ends by
    flushing every table, and Django then sends post_migrate; this makes the groups of the data
    migrations again, so every test, whichever ran before it, finds the database as migrated.
    After `migrate` itself (which passes its `plan`) it does nothing: the migrations ran."""
    if "plan" in signal:
        return
    for module, function in GROUP_MIGRATIONS:
        getattr(importlib.import_module(module), function)(django_apps, None)


def group(name):
    """The group a migration created."""
    return Group.objects.get(name=name)


def make_user(username, *, staff=True, groups=(), superuser=False):
    user = User.objects.create_user(
        username, password=PASSWORD, is_staff=staff, is_superuser=superuser
    )
    user.groups.add(*(group(name) for name in groups))
    return user


def sign_in(page, *, url, username):
    """Open `url` in a Playwright page and sign in as `username` on the login page it leads to
    (the site's own form, as a person would); returns once the page after it has loaded."""
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
