"""The store contract: what the project relies on of the MongoDB server it is given.

Each test states MongoDB's documented behaviour, so the same code stays right on a real MongoDB
and on the local SecantusDB server. Where SecantusDB differs, the workaround lives in
empowersave/mongodb.py and its test is here.
"""

from datetime import UTC, datetime

import pytest
from mongoengine.connection import get_db
from pymongo import InsertOne, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from empowersave import mongodb


@pytest.fixture
def collection():
    return get_db(mongodb.DEFAULT_ALIAS)["store_contract"]


def winning_stages(cursor_or_explain):
    """The winning plan's stages, outermost first (e.g. ['FETCH', 'IXSCAN'])."""
    explain = cursor_or_explain
    if not isinstance(explain, dict):
        explain = cursor_or_explain.explain()
    stage = explain["queryPlanner"]["winningPlan"]
    stages = []
    while stage:
        stages.append(stage["stage"])
        stage = stage.get("inputStage")
    return stages


def test_distinct_counts_each_array_element_as_a_value(collection):
    # MongoDB: "If the value of the specified field is an array, db.collection.distinct()
    # considers each element of the array as a separate value." SecantusDB 0.7 returns [] here,
    # so the project asks mongodb.distinct_values, which gives the documented answer.
    collection.insert_many(
        [
            {"q": "PENDING", "c": [{"county": "Morris"}, {"county": "Essex"}]},
            {"q": "PENDING", "c": [{"county": "Essex"}, {"county": None}]},
            {"q": "PENDING", "c": []},
            {"q": "EXACT", "c": [{"county": "Bergen"}]},
        ]
    )

    found = mongodb.distinct_values(collection, ["c.county", "q"], query={"q": "PENDING"})

    assert sorted(found["c.county"]) == ["Essex", "Morris"]
    assert found["q"] == ["PENDING"]


def test_distinct_of_a_plain_field(collection):
    collection.insert_many([{"z": "07102"}, {"z": "07102"}, {"z": "10001"}, {"other": 1}])

    assert sorted(collection.distinct("z")) == ["07102", "10001"]


def test_count_all_counts_every_document_exactly(collection):
    # MongoDB: count_documents({}) is exact; the `count` command without a filter reads metadata
    # ("may be inaccurate after an unclean shutdown"). mongodb.count_all asks SecantusDB, where
    # count_documents decodes every document, with that command, which is exact there.
    collection.insert_many([{"n": number} for number in range(7)])
    collection.delete_many({"n": {"$in": [2, 5]}})

    assert mongodb.count_all(collection) == 5 == collection.count_documents({})


def test_an_equality_query_on_an_indexed_field_uses_the_index(collection):
    collection.create_index("contact_id", unique=True)
    collection.insert_many([{"contact_id": f"c{i}"} for i in range(50)])

    assert "IXSCAN" in winning_stages(collection.find({"contact_id": "c7"}))
    assert "COLLSCAN" in winning_stages(collection.find({"unindexed": "c7"}))


def test_a_sparse_index_serves_a_range_on_its_field_and_holds_only_documents_with_it(collection):
    # MongoDB: "Sparse indexes only contain entries for documents that have the indexed field",
    # and a query whose filter cannot match a missing field may use one. The review queue's keys
    # are indexed so (participants.documents): its range `$gte ""` finds every queued one.
    collection.insert_many([{"q": {"p": "0.5"}}, {"q": {"p": "0.9"}}, {"q": {}}, {"other": 1}])
    collection.create_index("q.p", sparse=True)
    found = collection.find({"q.p": {"$gte": ""}}).sort("q.p", 1)
    assert [doc["q"]["p"] for doc in found] == ["0.5", "0.9"]
    assert "IXSCAN" in winning_stages(collection.find({"q.p": {"$gte": ""}}).sort("q.p", 1))


def test_a_unique_index_refuses_a_duplicate(collection):
    collection.create_index("contact_id", unique=True)
    collection.insert_one({"contact_id": "a"})

    with pytest.raises(DuplicateKeyError):
        collection.insert_one({"contact_id": "a"})


def test_an_unordered_bulk_write_applies_every_other_operation(collection):
    collection.create_index("contact_id", unique=True)
    collection.insert_one({"contact_id": "a", "n": 0})

    with pytest.raises(BulkWriteError) as raised:
        collection.bulk_write(
            [
                InsertOne({"contact_id": "a"}),  # duplicate: fails alone
                InsertOne({"contact_id": "b", "n": 1}),
                UpdateOne({"contact_id": "a"}, {"$set": {"n": 2}}),
            ],
            ordered=False,
        )

    assert len(raised.value.details["writeErrors"]) == 1
    assert {d["contact_id"]: d["n"] for d in collection.find()} == {"a": 2, "b": 1}


def test_a_version_guarded_update_changes_nothing_when_the_version_moved(collection):
    collection.insert_one({"_id": 1, "match": {"version": 3, "quality": "PENDING"}})

    stale = collection.update_one(
        {"_id": 1, "match.version": 2}, {"$set": {"match.quality": "MANUAL"}}
    )
    fresh = collection.update_one(
        {"_id": 1, "match.version": 3},
        {"$set": {"match.quality": "MANUAL"}, "$inc": {"match.version": 1}},
    )

    assert (stale.matched_count, fresh.modified_count) == (0, 1)
    assert collection.find_one({"_id": 1})["match"] == {"version": 4, "quality": "MANUAL"}


def test_inc_upserts_nested_counters(collection):
    collection.update_one(
        {"_id": "zip:07102"}, {"$inc": {"sent": 2, "flags.opened": 1}}, upsert=True
    )
    collection.update_one(
        {"_id": "zip:07102"}, {"$inc": {"sent": 1, "flags.opened": -1}}, upsert=True
    )

    assert collection.find_one({"_id": "zip:07102"}) == {
        "_id": "zip:07102",
        "sent": 3,
        "flags": {"opened": 0},
    }


def test_datetimes_come_back_as_naive_utc_milliseconds(collection):
    written = datetime(2026, 12, 1, 10, 30, 15, 123456, tzinfo=UTC)
    collection.insert_one({"_id": 1, "at": written})

    read = collection.find_one({"_id": 1})["at"]

    assert read == datetime(2026, 12, 1, 10, 30, 15, 123000)
    assert read.tzinfo is None


def test_unwind_and_group_count_per_array_element(collection):
    collection.insert_many(
        [
            {"engagements": [{"campaign_id": "a"}, {"campaign_id": "b"}]},
            {"engagements": [{"campaign_id": "a"}]},
        ]
    )

    counted = collection.aggregate(
        [
            {"$unwind": "$engagements"},
            {"$group": {"_id": "$engagements.campaign_id", "n": {"$sum": 1}}},
            {"$sort": {"_id": 1}},
        ]
    )

    assert [(doc["_id"], doc["n"]) for doc in counted] == [("a", 2), ("b", 1)]


def test_an_unchanged_collection_reads_back_as_the_same_bytes_and_a_write_changes_them(collection):
    # MongoDB keeps a document's fields in the order written and its values in their BSON types,
    # and a find without a sort returns the documents in natural order (a collection scan). The
    # county index snapshot is reused only while both county collections read back byte for
    # byte as they did when it was built (matching.county_index): that relies on these for
    # being reused at all, never for being right (any difference means a rebuild).
    collection.insert_many([{"z": z, "city": "NEWARK", "cost": 1.5, "x": None} for z in (1, 2, 3)])

    def read():
        return list(collection.find_raw_batches({}, batch_size=2))

    first = read()
    assert read() == first
    collection.update_one({}, {"$set": {"city": "EWARKN"}})  # the same size
    assert read() != first


def test_a_query_on_an_array_field_matches_any_element(collection):
    collection.create_index("engagements.campaign_id")
    collection.insert_many(
        [
            {"_id": 1, "engagements": [{"campaign_id": "a"}, {"campaign_id": "b"}]},
            {"_id": 2, "engagements": [{"campaign_id": "c"}]},
        ]
    )

    cursor = collection.find({"engagements.campaign_id": "b"})

    assert [doc["_id"] for doc in cursor.clone()] == [1]
    assert "IXSCAN" in winning_stages(cursor)


# --- the project's hot queries: each is served by an index covering its whole filter ----------


def _hot_queries():
    """(label, cursor) of each query a hot page or batch makes, built by the project's own code
    on its own collections with their declared indexes."""
    from django.http import QueryDict

    from dashboard.filters import ParticipantFilter
    from dashboard.rollups import refresh_rollups
    from matching.county_index import ensure_county_indexes
    from matching.index import by_parcel
    from matching.services import participant_selectors
    from participants.documents import Participant, ParticipantListing, ensure_indexes
    from participants.selectors import listing, listing_for_campaign
    from review import selectors as review_selectors
    from tests.dashboard.dashboard_fixture import fixture_participants
    from tests.factories import NOW, insert_participants

    insert_participants(*fixture_participants())  # the filter's choices come from the rollups
    refresh_rollups(now=NOW)
    ensure_indexes()
    participants = mongodb.collection_for(Participant)
    listed = mongodb.collection_for(ParticipantListing)
    page = "county=Suffolk&match_quality=exact&campaign=C1&sort=name"
    filterset = ParticipantFilter(QueryDict(page), queryset=listing())
    assert filterset.is_valid(), filterset.errors
    filtered = filterset.qs
    queries = [
        ("participants page: county + quality + campaign, by name", filtered),
        ("participants page: the same filter's ids pass, on the keys", filterset.keyed_queryset()),
        ("a campaign's participants", listing_for_campaign(campaign_id="C1")),
        *(
            (f"whom matching takes: {selector}", listed.find(selector))
            for selector in participant_selectors()
        ),
        ("the sync's people by contact_id", participants.find({"contact_id": {"$in": ["a"]}})),
        (
            "the sync's people by EmailOctopus contact",
            participants.find({"engagements.eo_contact_id": {"$in": ["a"]}}),
        ),
    ]
    ensure_county_indexes()
    parcels = mongodb.county_residential_collection()
    households = mongodb.county_demographic_collection()
    queries += [
        ("a reviewer's parcel", parcels.find(by_parcel({("Essex", "P1")}))),
        ("a bulk decision's parcels", parcels.find(by_parcel({("Essex", "P1"), ("Kent", "P2")}))),
        ("a parcel's household records", households.find(by_parcel({("Essex", "P1")}))),
        ("the change page's household records", households.find({"parcel_id": {"$in": ["P1"]}})),
    ]
    for order in review_selectors.QUEUE_ORDERS:
        queries.append((f"review queue, {order} order", review_selectors.review_queue(order)))
        queries.append(
            (
                f"review queue after an item, {order}",
                review_selectors.review_queue(order, after="5"),
            )
        )
    return queries


@pytest.mark.django_db
def test_every_hot_query_is_an_index_scan():
    """SecantusDB 0.7 uses an index only when it covers the whole filter (TEAM.md): a page whose
    filter misses one condition reads every document of the collection."""
    plans = {label: winning_stages(cursor.explain()) for label, cursor in _hot_queries()}
    assert {label: "IXSCAN" in stages for label, stages in plans.items()} == dict.fromkeys(
        plans, True
    ), plans
