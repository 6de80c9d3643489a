"""The participants' listing: one slim document per participant, what the lists filter, sort and
show (the participants page, a campaign's participants, the CSV export, the selection of whom
matching takes). The review queue is not here: it walks its sort keys on the participants
(participants.review_order).

`participant_listing` is derived from `participants` and written only by participants.services,
in step with every write they make (one bulk write per batch, after the participants' own). A
listing document has the participant's `_id` and the same field paths, so a filter, a sort or
a table column names a listed field as it names the participant's; it holds only:

- who: `contact_id`, `email_address`, `phone_number`, `fields` (names, address, city, `zip5`),
  `search_text`;
- `engagements` (campaign, the five flags, `engaged_at`) and `totals`;
- the links as lists show them: `residence_ref` (county, parcel id, address, ZIP),
  `demographic_ref` (county, parcel id, energy cost and burden), `match` (quality, score,
  method, `reviewed_by`);
- `zips`: the ZIPs the ZIP filter finds them under (the one they gave, their parcel's);
- `originals` of the listed `fields` (participants.person: a value stored shortened, whole),
  only for the rare participant that has any, so that the CSV export gives every value whole.

Why: SecantusDB, the local store, decodes every candidate document of a query before it filters,
sorts or limits, so a list costs its candidates times their size. A listing document is about
1.3 KB against 2.6 KB and more for a participant (match candidates with their weights, field
history, source ids), and its indexes serve each list's filter exactly. Figures in the README
(benchmarks/dashboard_benchmark.py).

`participant_listing_keys` (ListingKeys) is smaller still, about 300 bytes, written here from
each listing row in the same step: the names and ZIP the lists sort by and one
`filter_key(county, quality, campaign)` for each campaign of a participant with a county, under
one single-field index. The participants page asks it for the `_id`s, count and order of
everyone, or of a county + quality + campaign filter (one indexed equality on one field, where
three fields on the listing cost the store a three-field test of each fetched row as well);
any other filter asks the listing. Probe at full scale, over the wire, load 6-7 (the same
3,710 rows): 281-627 ms against 647-1,352 ms for the listing query as the page sent it
(/work/notes/probe_page2_slim.py); the page's figures are in the README.

`participant_listing_orders` (`remembered_order`) keeps the `_id`s of a list, in its
order, in one document until the listing is next written (or a participant's match or review
queue keys: the review queue's orders are remembered there too, review.selectors), so only the
first request after a write pays that pass.
"""

from collections.abc import Sequence
from urllib.parse import quote

from bson import ObjectId
from pymongo import InsertOne, ReplaceOne

from empowersave import mongodb
from participants import announcements, review_order
from participants.documents import EngagementFlag, ListingKeys, ParticipantListing
from participants.fields import normalize_zip, stored_key
from participants.person import FIELDS

# What a participant document must carry for its listing row (beside `_id`).
LISTED_PROJECTION = {
    "contact_id": 1,
    "email_address": 1,
    "phone_number": 1,
    "fields": 1,
    "search_text": 1,
    "engagements": 1,
    "totals": 1,
    "residence_ref": 1,
    "demographic_ref": 1,
    "match": 1,
    "originals": 1,
}
# Raise VERSION when `listing_row` or `keys_row` changes: the next batch command rebuilds the
# listing, and until then the lists do not ask the keys (selectors.listing_keys).
VERSION = 3
STATE_COLLECTION = "participant_listing_state"
STATE_ID = "listing"
# {_id, n}: raised after every write of the listing (see `remembered_order`).
GENERATION_ID = "generation"
ORDERS_COLLECTION = "participant_listing_orders"
# Longest order remembered: one document of `_id`s, 12 bytes each, far below MongoDB's 16 MB
# (32,655: 392 kB).
MAX_REMEMBERED_IDS = 1_000_000
LISTED_FIELDS = ("FirstName", "LastName", "Address", "City", "zip5")
LISTED_ENGAGEMENT = ("campaign_id", *EngagementFlag.ALL, "engaged_at")
LISTED_RESIDENCE = ("county", "parcel_id", "address", "parcel_zip")
LISTED_DEMOGRAPHIC = ("county", "parcel_id", "annual_kwh_cost", "total_energy_burden")
LISTED_MATCH = ("quality", "score", "method", "reviewed_by")
KEYED_FIELDS = ("FirstName", "LastName", "zip5")


def _subset(doc, keys):
    if not isinstance(doc, dict):
        return None
    subset = {key: doc[key] for key in keys if doc.get(key) is not None}
    return subset or None


def _listed_originals(originals):
    """The entries of `originals` that give a listed field whole."""
    if not isinstance(originals, list):
        return []
    return [
        original
        for original in originals
        if isinstance(original, dict)
        and original.get("part") == FIELDS
        and stored_key(original.get("field")) in LISTED_FIELDS
    ]


def listing_row(doc):
    """The listing document of a raw participant (carrying LISTED_PROJECTION)."""
    fields = doc.get("fields") if isinstance(doc.get("fields"), dict) else {}
    residence = _subset(doc.get("residence_ref"), LISTED_RESIDENCE)
    zips = {fields.get("zip5"), normalize_zip((residence or {}).get("parcel_zip"))} - {None}
    row = {
        "_id": doc["_id"],
        "contact_id": doc.get("contact_id"),
        "email_address": doc.get("email_address"),
        "phone_number": doc.get("phone_number"),
        "fields": _subset(fields, LISTED_FIELDS) or {},
        "search_text": doc.get("search_text"),
        "engagements": [_subset(e, LISTED_ENGAGEMENT) or {} for e in doc.get("engagements") or ()],
        "totals": doc.get("totals") or {},
        "residence_ref": residence,
        "demographic_ref": _subset(doc.get("demographic_ref"), LISTED_DEMOGRAPHIC),
        "match": _subset(doc.get("match"), LISTED_MATCH),
        "zips": sorted(zips),
        "originals": _listed_originals(doc.get("originals")) or None,
    }
    return {key: value for key, value in row.items() if value is not None}


def filter_key(*, county, quality, campaign_id):
    """The key of the participants matched in `county` with match quality `quality` (None: not
    matched yet) and an engagement in `campaign_id`; each part URL-quoted, so a `|` inside a
    value cannot make two combinations share a key."""
    return "|".join(quote(str(part or ""), safe="") for part in (county, quality, campaign_id))


def keys_row(row):
    """The ListingKeys document of a listing row (`listing_row`)."""
    fields = row.get("fields") or {}
    county = (row.get("residence_ref") or {}).get("county")
    quality = (row.get("match") or {}).get("quality")
    campaigns = {engagement.get("campaign_id") for engagement in row.get("engagements") or ()}
    keys = (
        sorted(
            filter_key(county=county, quality=quality, campaign_id=campaign_id)
            for campaign_id in campaigns - {None}
        )
        if county
        else []
    )
    return {
        "_id": row["_id"],
        "fields": {key: fields[key] for key in KEYED_FIELDS if key in fields},
        "keys": keys,
    }


def listing_collection():
    return mongodb.collection_for(ParticipantListing)


def keys_collection():
    return mongodb.collection_for(ListingKeys)


def _state():
    return mongodb.target_collection(STATE_COLLECTION)


def write(before, after):
    """Keep the listing and its keys in step with participants `before` → `after` (parallel
    lists of raw documents; None before a created one): one bulk write each, of an insert for
    each created participant and a replacement for each whose listed (keyed) fields changed.
    Called by participants.services alone, after each of their writes. Raises the generation
    after a write of the listing, or of a match or the queue's keys (what the review queue's
    remembered orders are of: review.selectors)."""
    rows, keys = [], []
    queue_changed = False
    for old, new in zip(before, after, strict=True):
        if new is None:
            continue
        queue_changed = queue_changed or _queue_fields(old) != _queue_fields(new)
        row = listing_row(new)
        if old is None:
            rows.append(InsertOne(row))
            keys.append(InsertOne(keys_row(row)))
            continue
        old_row = listing_row(old)
        if old_row != row:
            rows.append(ReplaceOne({"_id": row["_id"]}, row, upsert=True))
            new_keys = keys_row(row)
            if keys_row(old_row) != new_keys:
                keys.append(ReplaceOne({"_id": row["_id"]}, new_keys, upsert=True))
    for collection, operations in ((listing_collection(), rows), (keys_collection(), keys)):
        if operations:
            collection.bulk_write(operations, ordered=False)
    if rows or keys or queue_changed:
        _next_generation()


def _queue_fields(doc):
    """What the review queue's remembered orders depend on beside the listed fields: the match
    (its candidates' counties) and the queue's sort keys (participants.review_order)."""
    return None if doc is None else (doc.get("match"), doc.get(review_order.FIELD))


def is_current():
    """Whether the listing was built by this version's `listing_row` (see `rebuild`)."""
    state = _state().find_one({"_id": STATE_ID}) or {}
    return state.get("version") == VERSION


def rebuild(participants):
    """Rewrite the whole listing and its keys from `participants` (their pymongo collection) in
    one streamed pass, their indexes built after the load; returns the number of rows. The
    version is cleared first, so a rebuild cut short is done again by the next batch command."""
    _state().delete_one({"_id": STATE_ID})
    listing, keys = listing_collection(), keys_collection()
    listing.drop()
    keys.drop()
    forget_orders()
    count = 0
    cursor = participants.find({}, batch_size=mongodb.READ_BATCH_SIZE)
    for batch in mongodb.batched(cursor, mongodb.READ_BATCH_SIZE):
        rows = [listing_row(doc) for doc in batch]
        listing.insert_many(rows, ordered=False)
        keys.insert_many([keys_row(row) for row in rows], ordered=False)
        count += len(batch)
    ParticipantListing.ensure_indexes()
    ListingKeys.ensure_indexes()
    mark_current()
    _next_generation()
    return count


def mark_current():
    """Record that the listing and its keys are this version's rows of every participant."""
    _state().replace_one({"_id": STATE_ID}, {"_id": STATE_ID, "version": VERSION}, upsert=True)


def _orders():
    return mongodb.target_collection(ORDERS_COLLECTION)


def _next_generation():
    _state().update_one({"_id": GENERATION_ID}, {"$inc": {"n": 1}}, upsert=True)


def forget_orders():
    """Drop every remembered order (the listing was dropped or is being rebuilt)."""
    _orders().drop()
    _next_generation()


class PackedIds(Sequence):
    """ObjectIds packed 12 bytes each, made into ObjectIds only when asked for (a page's 50)."""

    def __init__(self, packed):
        self._packed = packed

    def __len__(self):
        return len(self._packed) // 12

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [self[index] for index in range(*key.indices(len(self)))]
        index = key + len(self) if key < 0 else key
        if not 0 <= index < len(self):
            raise IndexError(key)
        return ObjectId(self._packed[index * 12 : index * 12 + 12])


def remembered_order(*, name, order, compute):
    """The `_id`s of a list in its order: `compute()`, remembered under `name` (the list's
    filter) and `order` ([(db path, descending)…]) until the listing is next written (or a
    participant's match or review queue keys: `write`).

    Why: the local store decodes every candidate of a query (see the module docstring), so the
    `_id`s, count and order of the 3,710 people of a county + quality + campaign cost a pass
    over their keys on every request, and everyone's 32,655 over a second; one document of
    their `_id`s, packed in one binary value (PackedIds), costs a few milliseconds. Figures in
    the README.

    What holds: a remembered order is never older than the listing. `write` (the only writer
    besides `rebuild` and a drop, which forget every order) raises the generation after each
    write; an order is remembered with the generation read before `compute()` ran, so a write
    during the computation leaves it outdated. A write a killed process left without its
    follow-up (no raised generation) leaves its marker (participants.announcements), and
    while any marker is there nothing is remembered or used; the next batch command rebuilds.
    """
    if announcements.unannounced_writes():
        return compute()
    generation = (_state().find_one({"_id": GENERATION_ID}) or {}).get("n", 0)
    key = f"{name}#" + ",".join(f"{'-' if descending else ''}{path}" for path, descending in order)
    remembered = _orders().find_one({"_id": key, "generation": generation})
    if remembered is not None:
        return PackedIds(remembered["ids"])
    ids = compute()
    if len(ids) <= MAX_REMEMBERED_IDS and all(isinstance(pk, ObjectId) for pk in ids):
        document = {"_id": key, "generation": generation, "ids": b"".join(pk.binary for pk in ids)}
        _orders().replace_one({"_id": key}, document, upsert=True)
    return ids
