"""Shared fixtures.

The suite starts its own in-memory SecantusDB server on a free port, once per test session (each
pytest-xdist worker its own; `./run test` runs the whole suite on one worker per core), and never
touches the local store under var/. Each test starts with empty databases. Set TEST_MONGODB_URI
to run the same tests against another server (a real MongoDB): they then use databases whose
names carry a `test_` prefix (and the worker's name), so no real data is touched.
"""

import os

import pytest

from empowersave import localstore, mongodb

DATABASE_NAME_SETTINGS = ("EMPOWERSAVE_DB_NAME", "EMAILOCTOPUS_DB_NAME", "COUNTY_DB_NAME")


def pytest_configure(config):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "empowersave.settings")
    # pytest-xdist's controller runs no test: it spares the import of hypothesis (1 s of CPU,
    # 3 s at load 5) before it starts the workers, which load the profiles themselves.
    controller = getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput")
    if not controller:
        _hypothesis_profiles()


def _hypothesis_profiles():
    """Property tests (hypothesis): a fixed, modest run in CI (`CI` set, as .ci/run has it) and
    by default; `HYPOTHESIS_PROFILE=thorough` for a long search. No example database on disk."""
    from hypothesis import HealthCheck, settings

    common = {
        "deadline": None,  # a migration and a few pages per example: seconds on a busy machine
        "database": None,
        "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    }
    settings.register_profile("ci", max_examples=20, derandomize=True, **common)
    settings.register_profile("dev", max_examples=20, **common)
    settings.register_profile("thorough", max_examples=500, **common)
    default = "ci" if os.environ.get("CI") else "dev"
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", default))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook reads the marks
def pytest_collection_modifyitems(items):
    """With pytest-xdist's `--dist loadgroup` (`./run test` runs the whole suite so), tests are
    spread over the workers one by one, except that the tests of a module that share a
    module-scoped fixture (the process cluster, the seeded demo, a browser) form one group and
    run in one worker, so the fixture is set up once. xdist starts the biggest groups first."""
    for item in items:
        scopes = {
            fixture.scope
            for fixtures in item._fixtureinfo.name2fixturedefs.values()
            for fixture in fixtures
        }
        if "module" in scopes:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


def _point_settings_at(uri, *, prefix):
    """MONGODB_URI (and the database names) for this process and the processes it starts."""
    from django.conf import settings

    settings.MONGODB_URI = settings.SOURCE_MONGODB_URI = uri
    settings.ON_LOCAL_STORE = not prefix  # our own throw-away server, or someone's real one
    os.environ["MONGODB_URI"] = uri
    os.environ.pop("SOURCE_MONGODB_URI", None)
    for name in DATABASE_NAME_SETTINGS:
        value = getattr(settings, name)
        if prefix and not value.startswith(prefix):
            value = f"{prefix}{value}"
        setattr(settings, name, value)
        os.environ[name] = value


@pytest.fixture(scope="session")
def mongodb_uri():
    """The test store's URI: our own in-memory server, or TEST_MONGODB_URI when set."""
    external = os.environ.get("TEST_MONGODB_URI")
    if external:  # each pytest-xdist worker on databases of its own
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        yield external, f"test_{worker}_" if worker else "test_"
        return
    with localstore.start_ephemeral() as server:
        yield server.uri, ""


@pytest.fixture(scope="session", autouse=True)
def _mongo_test_databases(mongodb_uri):
    import mongoengine

    uri, prefix = mongodb_uri
    _point_settings_at(uri, prefix=prefix)
    for alias, _uri, _name in mongodb.alias_databases():
        mongoengine.disconnect(alias)
    mongodb.connect()
    yield


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing():
    """Passwords hashed with few iterations (tests/users.py QuickPBKDF2PasswordHasher)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["tests.users.QuickPBKDF2PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _groups_after_flush():
    """The migrations' groups made again after a transactional test's flush (tests/users.py)."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    from tests.users import restore_groups

    review = apps.get_app_config("review")
    post_migrate.connect(restore_groups, sender=review, dispatch_uid="tests.restore_groups")
    yield
    post_migrate.disconnect(sender=review, dispatch_uid="tests.restore_groups")


@pytest.fixture(autouse=True)
def clean_mongo(_mongo_test_databases):
    """Every test starts with empty source, target and county databases (and an empty Django
    cache, which holds choices read from them). A module that shares one seeded store overrides
    this fixture (tests/store_state.py `shared_read_only`)."""
    from tests import store_state

    store_state.wipe()
    yield
    store_state.wipe()


@pytest.fixture(autouse=True)
def clear_django_cache():
    """Cached choices (the review queue's counties, campaigns) never leak from test to test."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def store_faults(monkeypatch):
    """Failures injected at the store boundary (tests/store_faults.py)."""
    from tests.store_faults import StoreFaults

    return StoreFaults(monkeypatch)


@pytest.fixture
def api():
    """The local fake EmailOctopus API (tests/emailoctopus/fake_emailoctopus.py) and its fixture."""
    from tests.emailoctopus.fake_emailoctopus import FakeEmailOctopus

    fake = FakeEmailOctopus().start()
    yield fake
    fake.stop()


@pytest.fixture
def queue():
    """The review queue of tests/review/review_data.py: participants by name (jane, rita, ...)."""
    from tests.review.review_data import seed_queue

    return seed_queue()


@pytest.fixture
def reviewer():
    """Staff user "rev" in the reviewers group (the test needs the django_db mark)."""
    from tests.review.review_data import make_user

    return make_user("rev", reviewer=True)


CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium():
    """Real headless Chromium (Playwright), launched once for a module's browser tests; each test
    gets a fresh context of its own (`browser_page`): no cookies, storage or cache shared."""
    # Playwright's sync API runs an event loop in this thread; Django's ORM is safe here anyway.
    # Restored when the module ends: left set, `check --deploy` in a later test warns on it.
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    """A Playwright page in a new browser context; console errors are collected on the page."""
    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()
