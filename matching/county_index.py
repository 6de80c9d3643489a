"""The county index of a command that matches: read from the county collections, or the snapshot
of it (matching.county_snapshot) when the collections hold exactly what it was built from.

Every load reads both county collections whole, in natural order, as raw BSON batches, and hashes
each batch (BLAKE2b). The snapshot is used only when every batch's digest equals that of the batch
it was built from: any insert, update (of any field, of the same size or not) or delete since,
by whatever route (insert/update/delete, findAndModify, a `$merge`, a `bulkWrite`, a restore),
changes the bytes the server returns, and the index is built again, from the batches just read.
A change of the code that builds it (county_snapshot.build_version) does the same. The county
data is someone else's (DESIGN.md), so nothing cheaper is taken on trust. What was tried:
SecantusDB 0.7's `top` counts no write made by `$merge` or by the `bulkWrite` command (probed
2026-12-02: the document changed, the counters did not); the local store keeps no oplog (it runs
standalone), so there are no change streams; collStats and counts read every document anyway
and miss an update of the same size.

Measured alone at 300,000 parcels and 227,865 household records (load 3.4): a load that reuses
the snapshot 13.7 s (CPU: the store 7.6 s, reading; this process 1.8 s), one that builds the index
24.8 s (the store 7.9 s; this process 9.6 s, saving the snapshot 2.1 s of it). Beside a command's
own work, see the README (issue 9's speed table).
"""

import hashlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import bson
from pymongo.errors import OperationFailure

from empowersave import mongodb
from matching import county_snapshot
from matching.index import (
    COUNTY_KEY,
    CountyIndex,
    DemographicIndex,
    ParcelIndex,
    collector_paused,
)

logger = logging.getLogger(__name__)

PARCELS, HOUSEHOLDS = "parcels", "households"
REUSED, BUILT = "REUSED", "BUILT"  # how a load got its index: the snapshot, or a build


def ensure_county_indexes():
    """Create COUNTY_KEY on both county collections when missing (idempotent; the first build
    reads each collection once). A county database the project may only read (a read-only role
    on a real MongoDB refuses createIndex) keeps matching working: the reviewer's reads then scan,
    and the log says so once per collection."""
    for collection in (
        mongodb.county_residential_collection(),
        mongodb.county_demographic_collection(),
    ):
        try:
            collection.create_index(COUNTY_KEY)
        except OperationFailure as error:
            logger.warning(
                "could not index %s.%s by (parcel_id, county): %s; a reviewer's parcel and "
                "household reads will scan the collection until an administrator creates it",
                collection.database.name,
                collection.name,
                error,
            )


@dataclass(frozen=True)
class Loaded:
    index: CountyIndex
    how: str  # REUSED or BUILT
    digests: dict | None = None  # of the county batches a BUILT index was built from

    def save(self):
        """Store a BUILT index as the snapshot of the data it was read from (a REUSED one is
        stored already). Matching may have used it since: the snapshot leaves out what matching
        memoised (ParcelIndex.__getstate__)."""
        if self.how == BUILT:
            county_snapshot.save(self.index, digests=self.digests)


def load_index(*, rebuild=False):
    """The county index (see `load`)."""
    return load(rebuild=rebuild).index


def load(*, rebuild=False, save=True):
    """Read both county collections once into a CountyIndex, or take the snapshot when they are
    what it was built from (`rebuild`: never); their COUNTY_KEY indexes are made first. A built
    index is stored as the snapshot before it is returned, unless `save` is False: then the
    caller stores it (`Loaded.save`) when it has the time.

    The household records are read in a thread while the parcels are read here (the store's work
    and ours overlap on two cores). Parcels are indexed as they arrive from the first batch that
    differs from the snapshot's (from the first one when there is no snapshot); the batches
    before it, and the household records, wait until both collections have been compared. The
    cyclic garbage collector pauses meanwhile. A failed read of either collection fails the load
    (no index of parcels alone, no snapshot taken on half a comparison)."""
    ensure_county_indexes()
    snapshot = None if rebuild else county_snapshot.latest()
    with collector_paused():
        read = _read_both(snapshot.digests if snapshot is not None else {})
        if snapshot is not None and read.parcels.same and read.households.same:
            del read  # the batches: 107 MB at 300,000 parcels, not needed beside the snapshot
            index = county_snapshot.load(snapshot)
            if index is not None:
                return Loaded(index, REUSED)
            return load(rebuild=True, save=save)
        index = CountyIndex(read.parcel_index, DemographicIndex())
        _add_each(index.parcels.add, read.parcels.release())
        _add_each(lambda doc: index.demographics.add(doc, index.parcels), read.households.release())
    digests = {PARCELS: read.parcels.digests, HOUSEHOLDS: read.households.digests}
    loaded = Loaded(index, BUILT, digests)
    if save:
        loaded.save()
    return loaded


@dataclass(frozen=True)
class _Read:
    parcels: "_Batches"
    households: "_Batches"
    parcel_index: ParcelIndex  # the parcels from the first batch that differed, if one did


def _read_both(expected):
    """Both collections read and compared with the `expected` digests (the snapshot's)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="household-records") as pool:
        households = pool.submit(
            _read, mongodb.county_demographic_collection(), expected.get(HOUSEHOLDS)
        )
        parcel_index = ParcelIndex()
        parcels = _Batches(expected.get(PARCELS))
        for batch in _raw_batches(mongodb.county_residential_collection()):
            parcels.add(batch)
            if parcels.differs:
                _add_each(parcel_index.add, parcels.release())
        return _Read(parcels=parcels, households=households.result(), parcel_index=parcel_index)


class _Batches:
    """The raw batches of one county collection as read, each batch's digest compared with that
    of the snapshot's batch at its position (`expected`; None: no snapshot). The batches are
    held until `release` hands them on."""

    def __init__(self, expected):
        self.expected = expected
        self.digests = []
        self.differs = expected is None
        self._held = []

    def add(self, batch):
        digest = hashlib.blake2b(batch, digest_size=16).hexdigest()
        position = len(self.digests)
        self.digests.append(digest)
        self._held.append(batch)
        if not self.differs:
            self.differs = position >= len(self.expected) or self.expected[position] != digest

    @property
    def same(self):
        """Every batch read, and it is the snapshot's, batch for batch."""
        return not self.differs and len(self.digests) == len(self.expected)

    def release(self):
        held, self._held = self._held, []
        return held


def _raw_batches(collection):
    """Whole documents (any change to any field changes the digest), in natural order."""
    return collection.find_raw_batches({}, batch_size=mongodb.READ_BATCH_SIZE)


def _read(collection, expected):
    batches = _Batches(expected)
    for batch in _raw_batches(collection):
        batches.add(batch)
    return batches


def _add_each(add, batches):
    codec_options = mongodb.county_residential_collection().codec_options
    for batch in batches:
        for doc in bson.decode_all(batch, codec_options):
            add(doc)


class CountyIndexPreload:
    """The county index (`load`) loaded in a thread of `pool` once `start` is called, beside
    the caller's own reads and writes: the migration's source read, the sync's batches from the
    first one with someone to match (the first sync of the benchmark: 1,547 people to match at
    300,000 parcels); a run that never starts it never loads it. A failed load raises from
    `index`, where the caller would have loaded it.

    With `save_later`, a built index is handed over before it is stored as the snapshot, and
    `save_snapshot` stores it: the migration does so while the store builds its indexes, when
    this process has nothing else to do (pickling, compressing and sending it: 2.9 s of CPU at
    full scale, which was spent while the source rows were still being parsed)."""

    def __init__(self, pool, *, save_later=False):
        self._pool = pool
        self._future = None
        self._save_later = save_later
        self._loaded = None
        self.seconds = {}  # the load's own, and how long the matching waited for it
        self.how = None  # REUSED (the snapshot) or BUILT, once loaded

    def start(self):
        if self._future is None:
            self._future = self._pool.submit(self._load)

    def _load(self):
        started = time.perf_counter()
        loaded = self._loaded = load(save=not self._save_later)
        self.seconds["county_index_load"] = round(time.perf_counter() - started, 3)
        self.how = loaded.how
        return loaded.index

    def save_snapshot(self):
        """With `save_later`: store a built index as the snapshot (once its load is done;
        nothing when it was reused, never loaded, or stored already)."""
        if not self._save_later or self._future is None:
            return
        self._future.result()
        loaded, self._loaded = self._loaded, None
        if loaded is not None:
            started = time.perf_counter()
            loaded.save()
            self.seconds["county_snapshot_save"] = round(time.perf_counter() - started, 3)

    def index(self):
        """The loaded index (waiting for it), or None when it was never asked for."""
        if self._future is None:
            return None
        started = time.perf_counter()
        index = self._future.result()
        self.seconds["county_index_wait"] = round(time.perf_counter() - started, 3)
        return index
