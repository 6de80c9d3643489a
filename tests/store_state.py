"""The test store's state: emptied before every test (tests/conftest.py `clean_mongo`), or seeded
once and shared by a module whose tests only read it (`shared_read_only`).
"""

import contextlib
import hashlib

import bson
from django.core.cache import cache
from mongoengine.connection import get_db

from empowersave import mongodb
from participants import listing

# Written by reads: the lists' remembered orders (participants.listing.remembered_order), derived
# from the listing and outdated by its next write, so never a change a reading test made.
DERIVED_BY_READS = {(mongodb.DEFAULT_ALIAS, listing.ORDERS_COLLECTION)}

ALIASES = (mongodb.DEFAULT_ALIAS, mongodb.EMAILOCTOPUS_ALIAS, mongodb.COUNTY_ALIAS)


def wipe():
    """Drop every collection of the source, target and county databases; empty the Django cache
    (it holds choices read from them)."""
    cache.clear()
    for alias in ALIASES:
        db = get_db(alias)
        for name in db.list_collection_names():
            db.drop_collection(name)


def digest():
    """A hash of every document of the three databases and of their collections' indexes
    (beside DERIVED_BY_READS)."""
    found = hashlib.sha256()
    for alias in ALIASES:
        db = get_db(alias)
        for name in sorted(db.list_collection_names()):
            if (alias, name) in DERIVED_BY_READS:
                continue
            collection = db[name]
            found.update(f"{alias}.{name}".encode())
            found.update(bson.encode({"indexes": sorted(collection.index_information().items())}))
            for doc in collection.find({}, sort=[("_id", 1)]):
                found.update(bson.encode(doc))
    return found.hexdigest()


@contextlib.contextmanager
def shared_read_only(seed):
    """Seed an empty store once for a module's tests (a module-scoped fixture yields from this);
    afterwards assert that no test changed it, and empty it again.

    The module then overrides `clean_mongo` so its tests do not wipe the shared data.
    """
    wipe()
    seed()
    seeded = digest()
    yield
    changed = digest() != seeded
    wipe()
    assert not changed, "a test changed the store this module's tests share: it must only read"
