"""Two speed fixes for the embedded store (mongomock 4.3), applied once when an alias uses it.

Measured on this machine with 130,000 documents:
- iterating any cursor was quadratic (every `next()` copies the whole result list): a full read
  took 80 s; linear, it takes about 1 s;
- every update or delete by `_id` scanned the whole collection (20 ms each, so 100,000
  `UpdateOne`s by `_id` took half an hour); looked up by key, it is constant time;
- every update re-checked each unique index with another full scan (16 ms), even when it did
  not touch an indexed field; such updates now skip the check (it cannot fail for them).
Neither changes what a query returns; a real MongoDB server is not affected.
"""

import datetime
import uuid

from bson import ObjectId

_KEY_TYPES = (ObjectId, str, int, uuid.UUID, datetime.datetime)
_applied = False


def _keys_of(id_filter):
    """The `_id`s an `_id` condition can match, or None when it is not a plain equality/$in."""
    if isinstance(id_filter, _KEY_TYPES) and not isinstance(id_filter, bool):
        return [id_filter]
    if isinstance(id_filter, dict) and set(id_filter) == {"$in"}:
        values = id_filter["$in"]
        if isinstance(values, list | tuple) and all(
            isinstance(value, _KEY_TYPES) and not isinstance(value, bool) for value in values
        ):
            return list(dict.fromkeys(values))
    return None


def _touches_no_unique_field(collection, document):
    """Whether an operator update leaves every field of every unique index alone."""
    if not isinstance(document, dict) or not all(key.startswith("$") for key in document):
        return False
    unique = [
        field
        for index in collection._store.indexes.values()
        if index.get("unique")
        for field, _direction in index.get("key", ())
    ]
    paths = [path for fields in document.values() if isinstance(fields, dict) for path in fields]
    return not any(
        path == field or path.startswith(field + ".") or field.startswith(path + ".")
        for path in paths
        for field in unique
    )


def apply():
    """Patch mongomock's cursor iteration and `_id` lookups (idempotent)."""
    global _applied
    if _applied:
        return
    from mongomock import collection as mongomock_collection
    from mongomock.filtering import filter_applies

    original_iter_documents = mongomock_collection.Collection._iter_documents

    def _iter_documents(self, filter):  # noqa: A002 - mongomock's signature
        keys = _keys_of(filter.get("_id")) if isinstance(filter, dict) else None
        if keys is None:
            return original_iter_documents(self, filter)
        found = []
        for key in keys:
            try:
                document = self._store[key]
            except KeyError:
                continue
            if filter_applies(filter, document):
                found.append(document)
        return iter(found)

    def __next__(self):
        window = self.__dict__.get("_window")
        if (
            window is None
            or window[0] != (self._skip, self._limit)
            or window[1] is not self._results
            or window[2] is not self._factory
        ):
            rows = self._compute_results(with_limit_and_skip=True)
            window = self._window = ((self._skip, self._limit), self._results, self._factory, rows)
        rows = window[3]
        if self._emitted >= len(rows):
            raise StopIteration
        document = rows[self._emitted]
        self._emitted += 1
        return document

    original_update = mongomock_collection.Collection._update
    original_ensure_uniques = mongomock_collection.Collection._ensure_uniques

    def _update(self, spec, document, upsert=False, *args, **kwargs):
        if upsert or not _touches_no_unique_field(self, document):
            return original_update(self, spec, document, upsert, *args, **kwargs)
        self._skip_unique_check = True
        try:
            return original_update(self, spec, document, upsert, *args, **kwargs)
        finally:
            self._skip_unique_check = False

    def _ensure_uniques(self, new_data):
        if getattr(self, "_skip_unique_check", False):
            return None
        return original_ensure_uniques(self, new_data)

    mongomock_collection.Collection._iter_documents = _iter_documents
    mongomock_collection.Collection._update = _update
    mongomock_collection.Collection._ensure_uniques = _ensure_uniques
    mongomock_collection.Cursor.__next__ = __next__
    mongomock_collection.Cursor.next = __next__
    _applied = True
