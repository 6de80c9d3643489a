import copy

import pytest
from mongoengine.connection import get_db

from dashboard.rollups import (
    MAX_INC_PATHS,
    record_participant_changes,
    refresh_rollups,
    value_bucket,
)
from dashboard.selectors import rollup_snapshot
from tests.dashboard.dashboard_fixture import fixture_participants
from tests.factories import (
    NOW,
    engagement,
    insert_participants,
    participant_doc,
    participant_fields,
)


def _approx(node):
    """Float sums drift by rounding under `$inc`; compare them approximately, at every depth."""
    return {
        key: _approx(value) if isinstance(value, dict) else pytest.approx(value)
        for key, value in node.items()
    }


def test_full_rebuild_counts_the_fixture():
    insert_participants(*fixture_participants())
    stats = refresh_rollups(now=NOW)
    snapshot = rollup_snapshot()

    assert stats["participants"] == 5
    totals = snapshot["totals"]
    assert totals["participants"] == 5
    assert totals["engagements"] == 6
    assert totals["residence"] == 3
    assert totals["demographic"] == 2
    assert totals["no_zip"] == 1
    assert totals["quality"] == {"exact": 1, "fuzzy": 1, "manual": 1, "no_match": 1, "unmatched": 1}

    c1 = snapshot["campaign:C1"]
    assert (c1["sent"], c1["opened"], c1["clicked"], c1["bounced"]) == (3, 2, 1, 1)
    assert (c1["complained"], c1["unsubscribed"]) == (1, 1)
    c2 = snapshot["campaign:C2"]
    assert (c2["sent"], c2["opened"], c2["clicked"]) == (3, 2, 1)
    assert "bounced" not in c2

    # Ann and Bob: parcel ZIP 2134 → 02134; Cy's parcel 1002 and Dee's own ZIP → 01002.
    assert snapshot["zip:02134"] == {
        "_id": "zip:02134",
        "kind": "zip",
        "zip": "02134",
        "participants": 2,
        "sent": 3,
        "opened": 3,
        "clicked": 1,
        "residence": 2,  # both matched to a parcel (the map's match coverage)
    }
    assert snapshot["zip:01002"]["opened"] == 1
    assert snapshot["zip:01002"]["residence"] == 1  # Cy matched, Dee not
    assert snapshot["zip:01002"]["clicked"] == 1

    assert snapshot["county:Suffolk"]["quality"] == {"exact": 1, "fuzzy": 1}
    assert snapshot["county:Suffolk"]["demographic"] == 1
    assert snapshot["county:(no county)"]["participants"] == 2

    energy = snapshot["energy:Hampshire"]
    assert energy["kwh_cost"] == {"count": 1, "sum": 2400, "hist": {"240e1": 1}}
    assert energy["burden"]["hist"] == {"125e-1": 1}


def test_value_bucket_keeps_three_significant_digits():
    assert value_bucket(1234.5) == "123e1"
    assert float(value_bucket(0.0345)) == pytest.approx(0.0345)
    assert value_bucket(999.6) == "100e1"
    assert value_bucket(0) == "0"


def test_incremental_updates_equal_a_full_rebuild():
    docs = fixture_participants()
    collection = get_db("default")["participants"]

    # Created one by one, as a migration batch would report them.
    record_participant_changes(before=[None] * len(docs), after=docs)
    collection.insert_many(copy.deepcopy(docs))

    # A rematch: Eve gets matched with a demographic record; Dee is reviewed by hand.
    eve_before, dee_before = docs[4], docs[3]
    eve_after = copy.deepcopy(eve_before)
    eve_after["match"] = {"quality": "fuzzy", "score": 81.0, "version": 1}
    eve_after["residence_ref"] = {"county": "Hampshire", "parcel_id": "H-9", "parcel_zip": 1002}
    eve_after["demographic_ref"] = {
        "county": "Hampshire",
        "parcel_id": "H-9",
        "annual_kwh_cost": 1999.99,
        "total_energy_burden": 7.31,
    }
    dee_after = copy.deepcopy(dee_before)
    dee_after["match"] = {"quality": "manual", "version": 2}
    dee_after["residence_ref"] = {"county": "Suffolk", "parcel_id": "S-7", "parcel_zip": 2134}
    dee_after["engagements"].append(engagement("C3", opened=True))
    record_participant_changes(before=[eve_before, dee_before], after=[eve_after, dee_after])
    collection.replace_one({"_id": eve_after["_id"]}, eve_after)
    collection.replace_one({"_id": dee_after["_id"]}, dee_after)

    # A sync adds Fay, and Bob is deleted.
    fay = participant_doc(
        "fay@example.org",
        fields=participant_fields(zip_raw="99501"),
        engagements=[engagement("C3")],
    )
    record_participant_changes(before=[None, docs[1]], after=[fay, None])
    collection.insert_one(copy.deepcopy(fay))
    collection.delete_one({"_id": docs[1]["_id"]})

    incremental = rollup_snapshot()
    refresh_rollups(now=NOW)
    rebuilt = rollup_snapshot()

    assert incremental.keys() == rebuilt.keys()
    assert incremental == _approx(rebuilt)
    assert rebuilt["totals"]["participants"] == 5
    assert rebuilt["campaign:C3"]["sent"] == 2


def test_a_batch_with_more_histogram_buckets_than_one_update_takes_equals_a_full_rebuild():
    people = [
        participant_doc(
            f"p{number}@example.org",
            engagements=[engagement("C1")],
            demographic_ref={
                "county": "Essex",
                "parcel_id": f"E-{number}",
                "annual_kwh_cost": 1000.0 + 10 * number,  # a bucket of its own each
                "total_energy_burden": 2.0 + number / 100,
            },
        )
        for number in range(MAX_INC_PATHS + 30)
    ]
    record_participant_changes(before=[None] * len(people), after=people)
    incremental = rollup_snapshot()
    get_db("default")["participants"].insert_many(copy.deepcopy(people))
    refresh_rollups(now=NOW)

    energy = incremental["energy:Essex"]
    assert energy["kwh_cost"]["count"] == len(people)
    assert len(energy["kwh_cost"]["hist"]) == len(people)
    assert incremental == _approx(rollup_snapshot())


def test_parallel_lists_must_match():
    with pytest.raises(ValueError):
        record_participant_changes(before=[None], after=[])


def test_full_rebuild_drops_rollups_that_no_longer_exist():
    docs = insert_participants(*fixture_participants())
    refresh_rollups(now=NOW)
    get_db("default")["participants"].delete_one({"_id": docs[2]["_id"]})  # Cy, in Hampshire
    refresh_rollups(now=NOW)
    rollups = get_db("default")["dashboard_rollups"]
    assert rollups.find_one({"_id": "county:Hampshire"}) is None
    assert rollups.find_one({"_id": "energy:Hampshire"}) is None
    assert rollups.find_one({"_id": "totals"})["participants"] == 4
