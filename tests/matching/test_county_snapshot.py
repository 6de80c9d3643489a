"""The county index snapshot (matching.county_index, matching.county_snapshot): reused while the
county collections hold exactly what it was built from, built again after any insert, update
(of the same size too) or delete, whichever route the write took."""

import ast
import logging
import pickle

import bson
import pytest
from django.core.management import call_command
from django.test import override_settings
from pymongo import UpdateOne

from empowersave import mongodb
from empowersave.compiled import source_of
from matching import county_index, county_snapshot
from matching.county_index import BUILT, REUSED
from matching.index import DemographicIndex, ParcelIndex, build_index
from matching.services import Decider
from tests.factories import (
    NOW,
    household,
    insert_county,
    parcel,
    participant_doc,
    participant_fields,
)

pytestmark = pytest.mark.django_db

PARCELS = [parcel(parcel_id=f"E-{n}", address=f"{n} N MAIN ST") for n in (100, 102, 104)]
HOUSEHOLDS = [
    household(parcel_id="E-100"),
    household(parcel_id="E-102", customer_name="DOE, JOHN", email="john@example.org"),
]


@pytest.fixture
def county_data():
    insert_county(parcels=PARCELS, households=HOUSEHOLDS)


@pytest.fixture
def indexed(monkeypatch):
    """How many county documents the loads indexed (built from), by kind (a household record
    has a customer_name). The indexes' own `add` cannot be replaced: compiled, they are
    extension types."""
    counts = {"parcels": 0, "households": 0}
    add_each = county_index._add_each

    def counted(add, batches):
        def add_counted(doc):
            counts["households" if "customer_name" in doc else "parcels"] += 1
            return add(doc)

        add_each(add_counted, batches)

    monkeypatch.setattr(county_index, "_add_each", counted)
    return counts


def parcels():
    return mongodb.county_residential_collection()


def households():
    return mongodb.county_demographic_collection()


def test_an_unchanged_store_reuses_the_snapshot_without_indexing_a_document(county_data, indexed):
    first = county_index.load()
    stored = county_snapshot.stored()
    second = county_index.load()

    assert (first.how, second.how) == (BUILT, REUSED)
    assert indexed == {"parcels": 3, "households": 2}  # all of them by the first load only
    assert county_snapshot.stored() == stored  # nothing written by the second
    assert second.index.parcels.address == first.index.parcels.address
    assert second.index.demographics.records == first.index.demographics.records


def test_a_snapshot_stored_after_matching_holds_the_index_as_it_was_built(county_data):
    # The migration stores the snapshot after its matching (CountyIndexPreload(save_later=True)),
    # which memoises street weights and typo corrections on the index: those stay out of it.
    loaded = county_index.load(save=False)
    as_built = pickle.dumps(loaded.index, protocol=pickle.HIGHEST_PROTOCOL)
    assert county_snapshot.stored() == []
    decider = Decider(index=loaded.index, now=NOW)
    for address in ("102 N Main St", "104 North Mian Street", "7 Elm St"):
        fields = participant_fields(address=address, zip_raw=PARCELS[0]["parcel_zip"])
        decider.references(participant_doc(fields=fields))
    assert loaded.index.parcels.street_frequency_cache  # matching memoised on the index

    loaded.save()
    stored = county_index.load()

    assert stored.how == REUSED
    assert pickle.dumps(stored.index, protocol=pickle.HIGHEST_PROTOCOL) == as_built
    assert pickle.dumps(loaded.index, protocol=pickle.HIGHEST_PROTOCOL) == as_built


@pytest.mark.parametrize("how", ["built", "unpickled"])
def test_the_postings_of_a_row_share_one_row_number(how):
    """Built by the compiled matcher, a row number typed as a C integer was boxed into an int of
    its own at each posting (317.0 MB for the full demo's index against 238.1 MB in pure
    Python); unpickled, pickle writes ints by value (441.8 MB). Rows above 256 only: Python
    shares the smaller numbers anyway."""
    ids = [f"E-{row}" for row in range(300)]
    index = build_index(
        residential_docs=[parcel(parcel_id=i, address=f"{i[2:]} N MAIN ST") for i in ids],
        demographic_docs=[household(parcel_id=i, customer_name=f"SMITH, {i}") for i in ids],
    )
    if how == "unpickled":
        index = pickle.loads(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301
    parcels, households = index.parcels, index.demographics
    row, record = parcels.by_parcel["Essex"]["E-299"], households.by_parcel["Essex"]["E-299"]
    number = parcels.number[row]

    assert row == record == number == 299
    assert parcels.by_zip_house["01104"][number] is row
    assert parcels.by_street_house["MAIN"][number] is row
    assert parcels.by_city_street[("SPRINGFIELD", "MAIN")][-1] is row
    assert next(n for n in parcels.by_zip_house["01104"] if n == 299) is number
    assert households.parcel_row[record] is row
    assert households.by_parcel_row[row] is record
    assert households.by_name[households.people[record][0]] is record


def _same_size_update():
    before = parcels().find_one({"parcel_id": "E-102"})
    parcels().update_one({"_id": before["_id"]}, {"$set": {"address": "102 N MAIN AV"}})
    after = parcels().find_one({"_id": before["_id"]})
    assert len(bson.encode(after)) == len(bson.encode(before))


def _merge_update():
    # A write that SecantusDB 0.7's `top` does not count (probed): the digests still see it.
    parcels().aggregate(
        [
            {"$match": {"parcel_id": "E-104"}},
            {"$set": {"parcel_city": "SHELBYVILLE"}},  # as long as SPRINGFIELD
            {"$merge": {"into": parcels().name, "whenMatched": "replace"}},
        ]
    )


def _client_bulk_write():
    # MongoDB 8's bulkWrite command (pymongo's MongoClient.bulk_write), not counted by `top`
    # either on SecantusDB 0.7.
    client = households().database.client
    if client.server_info()["versionArray"][0] < 8:
        pytest.skip("the bulkWrite command needs MongoDB 8")
    namespace = households().full_name
    client.bulk_write(
        [UpdateOne({"parcel_id": "E-100"}, {"$set": {"email": "j@x.org"}}, namespace=namespace)]
    )


CHANGES = {
    "a parcel inserted": (lambda: parcels().insert_one(parcel(parcel_id="E-106")), 4, 2),
    "a parcel updated in place, same size": (_same_size_update, 3, 2),
    "a household record deleted": (lambda: households().delete_one({"parcel_id": "E-102"}), 3, 1),
    "a parcel updated by $merge": (_merge_update, 3, 2),
    "a household record updated by bulkWrite": (_client_bulk_write, 3, 2),
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_write_to_a_county_collection_makes_the_next_load_build(county_data, change):
    write, parcel_count, household_count = CHANGES[change]
    county_index.load()
    write()

    after = county_index.load()
    again = county_index.load()

    assert (after.how, again.how) == (BUILT, REUSED)
    index = after.index
    assert (len(index.parcels), len(index.demographics)) == (parcel_count, household_count)
    docs = [(d["address"], d["parcel_city"]) for d in parcels().find()]
    assert list(zip(index.parcels.address, index.parcels.parcel_city, strict=True)) == docs
    emails = [d["email"] for d in households().find()]
    assert [record[3] for record in index.demographics.records] == emails
    assert len(county_snapshot.stored()) == 1  # the older snapshot deleted


def test_a_snapshot_signed_with_another_secret_key_is_never_unpickled(county_data, caplog):
    with override_settings(SECRET_KEY="someone-else's-key"):
        county_index.load()
    with caplog.at_level(logging.WARNING, logger="matching.county_snapshot"):
        loaded = county_index.load()

    assert loaded.how == BUILT
    assert "not signed with this SECRET_KEY" in caplog.text
    assert county_index.load().how == REUSED  # the one just stored is ours


def test_a_snapshot_built_by_other_code_is_not_offered(county_data, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(county_snapshot, "build_version", lambda: "older code")
        county_index.load()

    assert county_snapshot.latest() is None
    assert county_index.load().how == BUILT


def _declared(class_name):
    """The attributes matching/index.pxd declares for `class_name`: the compiled extension
    type's fields, which have no __dict__ to fall back on."""
    text = source_of("matching.index").with_suffix(".pxd").read_text()
    block = text.split(f"cdef class {class_name}:")[1].split("\ncdef ")[0]
    lines = [line.split(None, 3) for line in block.splitlines()]
    return {
        name.strip()
        for words in lines
        if words[:2] == ["cdef", "public"]
        for name in words[3].split(",")
    }


@pytest.mark.parametrize("make", [ParcelIndex, DemographicIndex], ids=lambda make: make.__name__)
def test_a_snapshot_holds_every_attribute_an_index_has(make):
    """Each attribute is named three times (set in __init__, declared in index.pxd, listed in the
    state a pickle holds): one left out of the state would be missing from every index loaded
    from its snapshot."""
    index = make()
    declared = _declared(make.__name__)

    assert set(index.__getstate__()) == declared
    if hasattr(index, "__dict__"):  # pure Python: what __init__ sets
        assert set(vars(index)) == declared


def test_the_build_version_covers_every_project_module_the_build_imports():
    roots = {"empowersave", "participants", "matching"}
    imported = set()
    for name in county_snapshot.BUILD_MODULES:
        tree = ast.parse(source_of(name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module.split(".")[0] in roots:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(a.name for a in node.names if a.name.split(".")[0] in roots)
    assert imported <= set(county_snapshot.BUILD_MODULES)


def test_the_command_rebuilds_shows_and_drops_the_snapshot(county_data, capsys):
    call_command("county_index")
    assert "No county index snapshot is stored." in capsys.readouterr().out

    call_command("county_index", "--rebuild")
    out = capsys.readouterr().out
    assert "Built the county index (3 parcels, 2 household records)" in out
    assert "by this code: 3 parcels, 2 household records" in out
    assert county_index.load().how == REUSED

    call_command("county_index", "--drop")
    assert "Dropped 1 county index snapshot(s)." in capsys.readouterr().out
    assert county_snapshot.stored() == []
    assert county_index.load().how == BUILT
