"""The sync loads the county index beside its batches, only when someone is to be matched."""

import pytest
from mongoengine.connection import get_db
from pymongo.collection import Collection
from pymongo.errors import AutoReconnect

from emailoctopus import state
from tests.emailoctopus.test_emailoctopus_sync import run


@pytest.fixture
def county_read_fails(monkeypatch):
    """Reading the household records fails as a lost connection would, until cleared."""
    real = Collection.find_raw_batches
    failing = [True]

    def find_raw_batches(collection, *args, **kwargs):
        if failing[0] and collection.name == "county_demographic_data":
            raise AutoReconnect("connection closed")
        return real(collection, *args, **kwargs)

    monkeypatch.setattr(Collection, "find_raw_batches", find_raw_batches)
    return failing


def test_new_people_are_matched_with_the_index_loaded_beside_the_batches(api):
    report = run(api)

    # Each new person is matched as their campaign's people are written; Ana, whose address
    # the second campaign changes ("12 Main St" → "12 Main Street"), is matched again then, to
    # the same parcel: that match is not written again.
    assert report["participants_created"] == 5 and report["matching"]["processed"] == 6
    assert report["matching"]["written"] == 5 and report["matching"]["unchanged"] == 1
    assert report["matching"]["conflicts"] == 0
    seconds = report["matching"]["seconds"]
    assert 0 <= seconds["county_index_wait"] <= seconds["county_index_load"]
    assert all(doc.get("match") for doc in get_db("default")["participants"].find())


def test_a_sync_with_no_one_to_match_never_reads_the_county_data(api, county_read_fails):
    county_read_fails[0] = False
    run(api)
    county_read_fails[0] = True

    assert run(api)["matching"] is None  # nothing new: the failing read is never made
    assert run(api, dry_run=True)["matching"] is None


def test_a_failed_county_read_leaves_the_new_people_to_the_next_run(api, county_read_fails):
    with pytest.raises(AutoReconnect):
        run(api)
    # The first campaign's four new people are stored without their match and recorded as
    # pending; the run stopped there, before the second campaign.
    stored = list(get_db("default")["participants"].find())
    assert len(stored) == 4 and not any(doc.get("match") for doc in stored)
    assert sorted(state.load_pending()["match_contact_ids"]) == sorted(
        doc["contact_id"] for doc in stored
    )
    county_read_fails[0] = False

    report = run(api)

    assert report["participants_created"] == 1 and report["matching"]["processed"] == 2
    assert report["matching"]["pending"]["processed"] == 4
    assert state.load_pending()["match_contact_ids"] == []
    assert all(doc.get("match") for doc in get_db("default")["participants"].find())
