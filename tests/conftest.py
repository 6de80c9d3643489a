"""Shared fixtures.

The suite runs on the embedded store (mongomock) by default. When MONGODB_URI points at a real
server, the same tests run there, against databases whose names carry a `test_` prefix so that no
real data is touched.
"""

import os

import pytest

from empowersave import mongodb


def _use_test_database_names():
    from django.conf import settings

    if mongodb.is_embedded(settings.MONGODB_URI):
        return
    for name in ("EMPOWERSAVE_DB_NAME", "EMAILOCTOPUS_DB_NAME", "COUNTY_DB_NAME"):
        value = getattr(settings, name)
        if not value.startswith("test_"):
            setattr(settings, name, f"test_{value}")


def pytest_configure(config):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "empowersave.settings")


@pytest.fixture(scope="session", autouse=True)
def _mongo_test_databases():
    import mongoengine

    _use_test_database_names()
    for alias, _uri, _name in mongodb.alias_databases():
        mongoengine.disconnect(alias)
    mongodb.connect()
    yield


@pytest.fixture(autouse=True)
def clean_mongo(_mongo_test_databases):
    """Every test starts with empty source, target and county databases."""
    from mongoengine.connection import get_db

    def wipe():
        for alias in (mongodb.DEFAULT_ALIAS, mongodb.EMAILOCTOPUS_ALIAS, mongodb.COUNTY_ALIAS):
            db = get_db(alias)
            for name in db.list_collection_names():
                db.drop_collection(name)

    wipe()
    yield
    wipe()
