"""The store: registers the three MongoEngine aliases of DESIGN.md once per process, and owns raw
collection access and the one place where the local server's gaps are worked around.

By default MONGODB_URI is the local SecantusDB server that `./run` starts
(empowersave/localstore.py); in production it is a real MongoDB. The code is standard MongoDB
either way. MongoEngine reuses one client for aliases whose connection settings are equal.

Every client gives up on an unreachable server after `MONGODB_TIMEOUT_MS` (5 s by default)
with pymongo's ServerSelectionTimeoutError, so a dead server is an error, never a hang.

The driver's heartbeat waits longer, `MONGODB_CONNECT_TIMEOUT_MS` (60 s): pymongo's monitor
uses connectTimeoutMS as its socket timeout, and a heartbeat that times out clears the
connection pool, cancelling the operations in flight. The local store answers no heartbeat while
it runs a long query: with 5 s, a full-scale migration died in its read back (one `find` over
32,655 participants; `_OperationCancelled`, load 6). A dead server refuses connections at once,
so it is still reported within MONGODB_TIMEOUT_MS.
"""

from collections.abc import Hashable
from urllib.parse import urlsplit

import mongoengine
from django.conf import settings
from mongoengine.connection import get_db
from pymongo import WriteConcern

DEFAULT_ALIAS = "default"
EMAILOCTOPUS_ALIAS = "emailoctopus"
COUNTY_ALIAS = "county"
GROUND_TRUTH_COLLECTION = "demo_ground_truth"  # in the county DB: written by `seed_demo_data`


def _connection_kwargs(uri):
    timeout = settings.MONGODB_TIMEOUT_MS
    return {
        "host": uri,
        "tz_aware": False,  # naive UTC datetimes, as the documents store them
        "uuidRepresentation": "standard",
        "serverSelectionTimeoutMS": timeout,
        "connectTimeoutMS": max(timeout, settings.MONGODB_CONNECT_TIMEOUT_MS),
    }


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
        if alias not in registered:
            mongoengine.register_connection(alias=alias, db=name, **_connection_kwargs(uri))


def store_address(uri):
    """The host:port list of a MongoDB URI, without its credentials or options."""
    return urlsplit(uri).netloc.rpartition("@")[2] or uri


def unreachable_message(error):
    """One readable line for pymongo's ConnectionFailure (a server that died or never answered):
    which store, what the driver saw (without its topology dump), and what to check."""
    seen = str(error).split(", Timeout:")[0].split(" (configured timeouts")[0]
    addresses = sorted(
        {store_address(settings.MONGODB_URI), store_address(settings.SOURCE_MONGODB_URI)}
    )
    return (
        f"the MongoDB store at {' / '.join(addresses)} cannot be reached ({seen}). "
        "Is it running? `./run db status` shows the local store; for a real MongoDB check "
        "MONGODB_URI."
    )


def collection_for(document):
    """The pymongo collection of a MongoEngine Document class: its `db_alias` and `collection`.

    The one place that reads a document's MongoEngine metadata; raw access goes through here
    rather than MongoEngine's private `Document._get_collection()`.
    """
    meta = document._meta
    return get_db(meta.get("db_alias") or DEFAULT_ALIAS)[meta["collection"]]


def target_collection(name):
    """A collection of the target database that has no Document (rollups, sync state)."""
    return get_db(DEFAULT_ALIAS)[name]


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


def ground_truth_collection():
    """The demo's ground truth, one document per person (see demo/generator.py)."""
    return get_db(COUNTY_ALIAS)[GROUND_TRUTH_COLLECTION]


# Documents per batch of a read that streams a whole collection (or most of it). The local store
# answers each getMore with a round trip whose fixed cost is paid per batch: 300,000 parcels read
# in 13.1 s with batches of 1,000 against 9.1 s with batches of 10,000 (load 6).
READ_BATCH_SIZE = 5000


def batched(items, size, *, weight=None):
    """Lists of consecutive `items` (a cursor, a generator…), each handed on as soon as it holds
    `size` or more: the unit of every bulk write and batched read. `weight(item)` counts an
    item (1 by default), so a group (one person's rows) is never split; the last list may be
    shorter. Only one list is in memory at a time."""
    batch, held = [], 0
    for item in items:
        batch.append(item)
        held += 1 if weight is None else weight(item)
        if held >= size:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


# --- Where the local server differs from MongoDB ---------------------------------------------
# Each workaround below is standard MongoDB that gives the documented answer on a real server
# too; tests/empowersave/test_store_contract.py states the documented behaviour for each.


def distinct_values(collection, paths, *, query=None):
    """{path: the distinct non-null values at it} for each of `paths` (dotted), among the
    documents matching `query`, read in one pass.

    MongoDB's `distinct` counts each element of an array on the path (`match.candidates.county`)
    as a value of its own; SecantusDB 0.7 returns [] for a path through an array, and its
    aggregation `$project` of such a path yields nothing either. A `find` projected to the
    paths gives the documented answer on both, one pass for all of them; `$unwind` of the array
    + `$group` did too, but the store copies the whole document for each element: the review
    queue's counties (4,527 participants) took 7.3 s that way (load 3.5), 0.62 s projected
    (load 1.2; probes at full scale, 2026-12-02).
    """
    projection = {"_id": 0, **{path: 1 for path in paths}}
    return values_by_path(collection.find(query or {}, projection), paths)


def values_by_path(docs, paths):
    """{path: the distinct non-null values at it among `docs`} (raw documents; see
    distinct_values), each element of an array on a path a value of its own."""
    found = {path: [] for path in paths}
    for doc in docs:
        for path in paths:
            _values_at(doc, path.split("."), found[path])
    return {path: list(dict.fromkeys(filter(_is_value, values))) for path, values in found.items()}


def _is_value(value):
    """Whether a value found at a path is one distinct value (a document or null is not)."""
    return value is not None and isinstance(value, Hashable)


def _values_at(value, parts, out):
    """Append to `out` the values at `parts` under `value`, each element of an array apart."""
    if isinstance(value, list):
        for item in value:
            _values_at(item, parts, out)
    elif not parts:
        out.append(value)
    elif isinstance(value, dict) and parts[0] in value:
        _values_at(value[parts[0]], parts[1:], out)


def hinted(queryset, keys):
    """`queryset` (MongoEngine) read through the index on `keys` ([(path, direction)…]) when
    its collection has that index, else as it is: a hint naming a missing index is an error on
    MongoDB and SecantusDB alike, and a first migration builds the indexes after its load
    (participants.services.begin_bulk_load). Asked on each call (listIndexes, about 1 ms).

    Why a hint: SecantusDB serves an index only when it covers the whole filter, or one field of
    it, and none for a filter with an `$or` (a text search), which it reads whole.
    """
    wanted = [tuple(key) for key in keys]
    indexes = queryset._collection.index_information().values()
    if any([tuple(key) for key in index["key"]] == wanted for index in indexes):
        return queryset.hint(keys)
    return queryset


def _is_secantus(client):
    """Whether `client` talks to SecantusDB (its buildInfo names its own version), asked once per
    client (clients are equal when their seeds and options are)."""
    if client not in _SECANTUS:
        _SECANTUS[client] = "secantusVersion" in client.admin.command("buildInfo")
    return _SECANTUS[client]


_SECANTUS = {}


def count_all(collection):
    """How many documents `collection` holds, exactly.

    `count_documents({})` counts them on MongoDB from the `_id` index. SecantusDB 0.7 runs it as
    an aggregation that decodes every document (129,483 source rows: 1.7-2.2 s of the server's
    CPU); its `count` command (estimated_document_count) walks the keys instead (0.6 s) and is
    exact there. On MongoDB that command reads metadata, which an unclean shutdown can leave
    wrong, so it is used on SecantusDB only.
    """
    if _is_secantus(collection.database.client):
        return collection.estimated_document_count()
    return collection.count_documents({})


JOURNALED = WriteConcern(j=True)


def journaled(collection):
    """`collection`, its writes acknowledged only once they are in the server's on-disk journal.

    For the writes a person is told are saved (a reviewer's decision and its rollup update),
    which must agree with the SQL audit row written after them. On MongoDB a replica set's
    default write concern (w: majority) already waits for the journal. SecantusDB 0.7 answers
    first and journals a few milliseconds later: a SIGKILL just after lost 6 of 8 review
    decisions the site had acknowledged, and 13-33 of 200 quick updates. With
    j: true none were lost; it costs about 1-3 ms a write there. The batch commands do not
    need it: a re-run finishes whatever a crash cut short. Checked by
    tests/empowersave/test_processes.py.
    """
    return collection.with_options(write_concern=JOURNALED)


# Values per `$in` of `find_in`: SecantusDB 0.7 tests each candidate against the `$in` list one
# value at a time, so a lookup by `_id` costs more per document the longer its list: 0.47 ms a
# document in lists of 100, 0.72 in lists of 200, 2.1 in lists of 1,000, 6.0 in lists of 2,000
# (4,000 participants by `_id`, load 6). On MongoDB an `$in` is a set of index bounds.
IN_CHUNK = 100


def find_in(collection, field, values, *, projection=None):
    """The documents whose `field` is one of `values`, as one `$in` query per IN_CHUNK values
    (each served by the field's index); duplicates among `values` are asked once."""
    values = list(dict.fromkeys(values))
    for start in range(0, len(values), IN_CHUNK):
        yield from collection.find({field: {"$in": values[start : start + IN_CHUNK]}}, projection)
