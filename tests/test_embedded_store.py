"""The embedded-store speed fixes return exactly what mongomock returned before."""

import pytest
from mongoengine.connection import get_db
from pymongo import UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from empowersave import mongodb


@pytest.fixture
def collection():
    collection = get_db(mongodb.DEFAULT_ALIAS)["embedded_store_test"]
    collection.insert_many([{"_id": i, "n": i % 7, "key": f"k{i}"} for i in range(50)])
    collection.create_index("key", unique=True)
    return collection


def test_cursors_keep_sort_skip_and_limit(collection):
    cursor = collection.find({"n": 3}, {"_id": 1}).sort("_id", -1).skip(1).limit(3)
    assert [doc["_id"] for doc in cursor] == [38, 31, 24]
    assert len(list(collection.find())) == 50
    cursor = collection.find({"n": 0})
    first = next(cursor)
    cursor.rewind()
    assert next(cursor) == first


def test_lookups_by_id_still_apply_the_other_conditions(collection):
    assert collection.find_one({"_id": 5, "n": 5})["key"] == "k5"
    assert collection.find_one({"_id": 5, "n": 4}) is None
    assert collection.find_one({"_id": 999}) is None
    found = collection.find({"_id": {"$in": [1, 2, 3, 999]}, "n": {"$ne": 2}})
    assert sorted(doc["_id"] for doc in found) == [1, 3]
    result = collection.bulk_write([UpdateOne({"_id": 7, "n": 0}, {"$set": {"x": 1}})])
    assert (result.matched_count, result.modified_count) == (1, 1)
    assert collection.update_one({"_id": 7, "n": 1}, {"$set": {"x": 2}}).matched_count == 0


def test_unique_indexes_are_still_enforced_on_updates_that_touch_them(collection):
    with pytest.raises(DuplicateKeyError):
        collection.update_one({"_id": 1}, {"$set": {"key": "k2"}})
    with pytest.raises(BulkWriteError):
        collection.bulk_write([UpdateOne({"_id": 1}, {"$set": {"key": "k2"}})])
    collection.update_one({"_id": 1}, {"$set": {"other": "k2"}})
    assert collection.find_one({"_id": 1}) == {"_id": 1, "n": 1, "key": "k1", "other": "k2"}
