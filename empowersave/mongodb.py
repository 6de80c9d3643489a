"""Registers the three MongoEngine aliases of DESIGN.md once per process.

`mongomock://…` selects the embedded in-memory store. MongoEngine reuses one client for aliases
whose connection settings are equal, so all three aliases share one in-memory server and data
written through one alias is visible through another.
"""

import mongoengine
from django.conf import settings
from mongoengine.connection import get_db

DEFAULT_ALIAS = "default"
EMAILOCTOPUS_ALIAS = "emailoctopus"
COUNTY_ALIAS = "county"

MOCK_SCHEME = "mongomock://"


def is_embedded(uri):
    return uri.startswith(MOCK_SCHEME)


def _connection_kwargs(uri):
    if is_embedded(uri):
        import mongomock

        return {
            "host": "mongodb://" + uri[len(MOCK_SCHEME) :],
            "mongo_client_class": mongomock.MongoClient,
            "uuidRepresentation": "standard",
        }
    # Naive UTC datetimes, as the embedded store returns them, so both stores behave alike.
    return {"host": uri, "tz_aware": False, "uuidRepresentation": "standard"}


def alias_databases():
    """The (alias, uri, database name) triples the project connects to."""
    return [
        (DEFAULT_ALIAS, settings.MONGODB_URI, settings.EMPOWERSAVE_DB_NAME),
        (EMAILOCTOPUS_ALIAS, settings.SOURCE_MONGODB_URI, settings.EMAILOCTOPUS_DB_NAME),
        (COUNTY_ALIAS, settings.MONGODB_URI, settings.COUNTY_DB_NAME),
    ]


def connect():
    """Register every alias; safe to call more than once."""
    registered = mongoengine.connection._connection_settings
    for alias, uri, name in alias_databases():
        if alias in registered:
            continue
        if is_embedded(uri):
            from empowersave import embedded_store

            embedded_store.apply()
        mongoengine.register_connection(alias=alias, db=name, **_connection_kwargs(uri))


def source_collection():
    """The read-only EmailOctopus source collection."""
    return get_db(EMAILOCTOPUS_ALIAS)["participants"]


def source_campaigns_collection():
    """The source DB's campaigns, {_id: campaign id, name, sent_at, …}: names for the dashboard."""
    return get_db(EMAILOCTOPUS_ALIAS)["campaigns"]


def county_residential_collection():
    return get_db(COUNTY_ALIAS)[settings.COUNTY_RESIDENTIAL_COLLECTION]


def county_demographic_collection():
    return get_db(COUNTY_ALIAS)[settings.COUNTY_DEMOGRAPHIC_COLLECTION]
