"""The county index snapshot: the last county index built (matching.county_index), kept so that
a command whose county data has not changed since loads it instead of building it again.

Derived data, written only by this module: one GridFS file in the target database (bucket
`county_index_snapshot`), so every process and host on the store shares it, and it goes where
the data goes (a copy of the store, a move to another server). A file under var/ would belong to
one host and could outlive the store it was built from. The newest file is the snapshot; saving
one deletes the older ones.

Whether the snapshot fits the county data is decided by matching.county_index, from the digests
of the county data it was built from, kept in the file's metadata. A snapshot built by other code
is never offered: `latest` asks for the running code's `build_version` (the source of the modules
that build the index, and the versions of the libraries they parse addresses with).

The bytes: the CountyIndex pickled, compressed with zlib (level 1), and signed with an HMAC keyed
by SECRET_KEY. Unpickling runs code: only a snapshot written by a process that holds SECRET_KEY is
ever unpickled, so write access to the database alone cannot run code in our commands. Measured at
300,000 parcels and 227,865 household records (load 3.4): pickle 70 MB, 23 MB stored; saving it
3.3 s (CPU 2.1 s: pickling 1.7 s, compressing 0.6 s), loading it 2.4 s (CPU 1.3 s: unpickling
1.0 s with the collector paused, 3.1 s without; read 0.13 s, decompressing 0.2 s).
Unpickled, the postings share one int per row again (matching.index.CountyIndex.__setstate__):
the loaded index traces 306.5 MB instead of 441.8 MB, for 0.9 s more CPU (1.96 s against 1.07 s
unpickling, compiled, 2026-12-03, load 2.8-3.6).
"""

import hashlib
import logging
import pickle
import sys
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata

import gridfs
from django.utils.crypto import constant_time_compare, salted_hmac
from pymongo.errors import OperationFailure

from empowersave import mongodb
from empowersave.compiled import source_of
from matching.index import collector_paused

logger = logging.getLogger(__name__)

BUCKET = "county_index_snapshot"
FORMAT = 1  # the layout of the bytes below; a new one makes older snapshots invisible
# What the index's content depends on besides the county data: the project modules that build it
# (the modules they import from the project included; tests/matching/test_county_snapshot.py
# checks the list is closed) and the libraries that parse and compare addresses and decode BSON.
BUILD_MODULES = (
    "matching.index",
    "matching.address_parser",
    "matching.address_text",
    "matching.house_numbers",
    "matching.localities",
    "matching.street_forms",
    "matching.units",
    "matching.streets",
    "matching.weights",
    "participants.fields",
    "empowersave.storekeys",
)
BUILD_DISTRIBUTIONS = ("usaddress", "usaddress-scourgify", "rapidfuzz", "pymongo")
_SIGNATURE_SALT = "matching.county_snapshot"
_SIGNATURE_BYTES = 32  # HMAC-SHA256
_COMPRESSION_LEVEL = 1  # 70 MB → 23 MB in 0.54 s of CPU; level 3 21.9 MB 0.84 s; 6 20.6 MB 2.6 s


@lru_cache(maxsize=1)
def build_version():
    """A digest of what the index's content depends on besides the county data."""
    version = hashlib.blake2b(digest_size=16)
    version.update(f"format {FORMAT}; python {sys.version}".encode())
    for name in BUILD_MODULES:
        version.update(source_of(name).read_bytes())
    for distribution in BUILD_DISTRIBUTIONS:
        version.update(f"{distribution}=={metadata.version(distribution)}".encode())
    return version.hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """A stored snapshot: its file, the digests of the county data it was built from
    (matching.county_index), and what the `county_index` command shows of it."""

    file_id: object
    digests: dict
    built_at: object
    stored_bytes: int
    parcels: int
    households: int


def _bucket():
    return gridfs.GridFSBucket(mongodb.target_collection(BUCKET).database, bucket_name=BUCKET)


def latest():
    """The newest snapshot built by the running code, or None."""
    query = {"metadata.build_version": build_version()}  # FORMAT is part of it
    for found in _bucket().find(query).sort("uploadDate", -1).limit(1):
        meta = found.metadata
        return Snapshot(
            file_id=found._id,
            digests=meta["digests"],
            built_at=found.upload_date,
            stored_bytes=found.length,
            parcels=meta["parcels"],
            households=meta["households"],
        )
    return None


def load(snapshot):
    """The CountyIndex stored as `snapshot`, or None (with a warning) when its file is gone or
    its signature, compression or pickle does not check out: the caller then builds the index."""
    try:
        stored = _bucket().open_download_stream(snapshot.file_id).read()
    except gridfs.errors.NoFile:
        logger.warning("the county index snapshot %s is gone; building the index", snapshot.file_id)
        return None
    signature, body = stored[:_SIGNATURE_BYTES], stored[_SIGNATURE_BYTES:]
    if not constant_time_compare(signature, _sign(body)):
        logger.warning(
            "the county index snapshot %s is not signed with this SECRET_KEY; building the index",
            snapshot.file_id,
        )
        return None
    try:
        pickled = zlib.decompress(body)
        with collector_paused():
            return pickle.loads(pickled)  # noqa: S301 - signed by us (above)
    except (zlib.error, pickle.UnpicklingError, AttributeError, ImportError, EOFError) as error:
        logger.warning(
            "the county index snapshot %s cannot be read (%s); building the index",
            snapshot.file_id,
            error,
        )
        return None


def save(index, *, digests):
    """Store `index` (just built: its caches still empty) as the snapshot of the county data
    whose batches had `digests`, and delete the older snapshots. A store that refuses the write
    (OperationFailure) costs the next command a build, nothing else: it is logged."""
    body = zlib.compress(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL), _COMPRESSION_LEVEL)
    bucket = _bucket()
    meta = {
        "format": FORMAT,
        "build_version": build_version(),
        "digests": digests,
        "parcels": len(index.parcels),
        "households": len(index.demographics),
    }
    try:
        file_id = bucket.upload_from_stream(BUCKET, _sign(body) + body, metadata=meta)
        written = next(bucket.find({"_id": file_id})).upload_date
        for older in bucket.find({"_id": {"$ne": file_id}, "uploadDate": {"$lte": written}}):
            bucket.delete(older._id)
    except OperationFailure as error:
        logger.warning("could not store the county index snapshot: %s", error)


def stored():
    """Every stored snapshot file, newest first, as (upload date, bytes, metadata) (the
    `county_index` command shows them)."""
    return [
        (found.upload_date, found.length, found.metadata)
        for found in _bucket().find().sort("uploadDate", -1)
    ]


def drop():
    """Delete every snapshot; returns how many there were. The next load builds the index."""
    bucket = _bucket()
    files = list(bucket.find())
    for found in files:
        bucket.delete(found._id)
    return len(files)


def _sign(body):
    return salted_hmac(_SIGNATURE_SALT, body, algorithm="sha256").digest()
