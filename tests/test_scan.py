from bson import ObjectId
from mongoengine.connection import get_db

from participants.scan import scan


def collection_with(ids):
    collection = get_db("default")["scan_test"]
    collection.insert_many(
        [{"_id": value, "n": i, "even": i % 2 == 0} for i, value in enumerate(ids)]
    )
    return collection


def test_scan_reads_every_document_once_in_id_order():
    ids = [ObjectId() for _ in range(500)]
    collection = collection_with(reversed(ids))
    assert [doc["_id"] for doc in scan(collection)] == sorted(ids)


def test_scan_applies_query_projection_and_limit():
    ids = [ObjectId() for _ in range(300)]
    collection = collection_with(ids)
    evens = list(scan(collection, query={"even": True}, projection={"n": 1}))
    assert [doc["n"] for doc in evens] == list(range(0, 300, 2))
    assert set(evens[0]) == {"_id", "n"}
    assert [doc["n"] for doc in scan(collection, limit=7)] == list(range(7))


def test_scan_falls_back_for_ids_that_are_not_object_ids():
    collection = collection_with(["b", "a", ObjectId(), 3])
    assert len(list(scan(collection))) == 4
    assert len(list(scan(collection, limit=2))) == 2
