"""Loading the county index from the store: the same decisions as an index built from the same
documents (its snapshot too), and a failed read fails the load instead of matching against half
the data."""

import gc

import pytest
from pymongo.collection import Collection
from pymongo.errors import AutoReconnect

from empowersave import mongodb
from matching import county_snapshot, scoring, services
from matching.county_index import REUSED, load, load_index
from matching.index import build_index
from tests.matching.test_matching import NOW, add_participant, county, stored  # noqa: F401

pytestmark = pytest.mark.django_db

# (address, city, ZIP, first, last, email): exact; a typo; a wrong ZIP; no address but their name
# on a household record; their email on one
PEOPLE = [
    ("12 North Main Street", "Newark", "7102", "John", "Smith", None),
    ("12 Mapel Ave", "Newark", "07102", "Jane", "Doe", None),
    ("500 High St", "Columbus", "43299", "Mary", "Jones", None),
    ("", "Newark", "07103", "Pat", "Lee", None),
    ("9 Nowhere Rd", "", "", "Sam", "Rowe", "john@example.org"),
]


def _decisions(index):
    thresholds = scoring.Thresholds.from_settings()
    parcel_ids = index.parcels.parcel_id
    decisions = []
    for address, city, zip_code, first, last, email in PEOPLE:
        query = scoring.make_query(
            address=address, city=city, zip_code=zip_code, first_name=first, last_name=last,
            email=email,
        )  # fmt: skip
        decision = scoring.decide(index, query, thresholds)
        parcel = parcel_ids[decision.row] if decision.row is not None else None
        candidates = [parcel_ids[candidate.row] for candidate in decision.candidates]
        decisions.append((decision.quality, decision.reason, parcel, decision.score, candidates))
    return decisions


def test_the_index_read_from_the_store_decides_as_one_built_from_its_documents(county):  # noqa: F811
    built = build_index(
        residential_docs=list(mongodb.county_residential_collection().find()),
        demographic_docs=list(mongodb.county_demographic_collection().find()),
    )
    loaded = load_index()
    assert (len(loaded.parcels), len(loaded.demographics)) == (13, 5)
    assert _decisions(loaded) == _decisions(built)
    qualities = [quality for quality, *_rest in _decisions(loaded)]
    assert qualities == ["exact", "fuzzy", "exact", "pending", "no_match"]
    assert gc.isenabled()  # the collector paused for the build only
    reused = load()
    assert reused.how == REUSED
    assert _decisions(reused.index) == _decisions(built)
    assert gc.isenabled()


def test_a_store_failure_while_reading_household_records_fails_the_run(county, monkeypatch):  # noqa: F811
    add_participant("jane@example.org", "12 North Main Street", "Newark", "7102")

    def connection_lost(collection, *args, **kwargs):
        raise AutoReconnect("connection closed")

    monkeypatch.setattr(Collection, "find_raw_batches", connection_lost)
    with pytest.raises(AutoReconnect):
        services.match_participants(now=NOW)
    assert stored("jane@example.org").match is None  # not matched against the parcels alone
    assert county_snapshot.stored() == []
    assert gc.isenabled()
