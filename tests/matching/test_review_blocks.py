"""The review blocks (matching.review_blocks): for a participant the matcher did not link, their
true parcel among the candidates, and first, when they misspelt their street and city and typed
a ZIP one digit off; never a link."""

from matching import review_blocks, scoring
from matching.index import build_index
from tests import factories
from tests.matching.test_match_weights import FILLER

TRUE = factories.parcel(parcel_id="TRUE", address="214 ASPEN GROVE LN",
                        parcel_city="EAST ORANGE", parcel_zip="07018")  # fmt: skip
# The same house number on another street of the ZIP they typed (two digits swapped).
SAME_NUMBER = factories.parcel(parcel_id="SAME-NUMBER", address="214 REYES LN",
                               parcel_city="WEST ORANGE", parcel_zip="07081")  # fmt: skip
# Their name on a second record, in another town (so no record anywhere singles them out).
NAMESAKE = factories.parcel(parcel_id="NAMESAKE", address="9 ELM ST", parcel_city="NEWARK",
                            parcel_zip="07102")  # fmt: skip
# Their surname in a neighbouring ZIP of another town.
ELSEWHERE = factories.parcel(parcel_id="ELSEWHERE", address="5 OAK ST", parcel_city="WEST ORANGE",
                             parcel_zip="07082")  # fmt: skip
HOUSEHOLDS = [
    factories.household(parcel_id="TRUE", customer_name="ROBINSON, HEATHER"),
    factories.household(parcel_id="SAME-NUMBER", customer_name="DIAZ, MARIA"),
    factories.household(parcel_id="NAMESAKE", customer_name="ROBINSON, HEATHER"),
    factories.household(parcel_id="ELSEWHERE", customer_name="ROBINSON, PAUL"),
]


def _county(parcels):
    """A CountyIndex of `parcels` and their HOUSEHOLDS among FILLER parcels elsewhere (the prior
    of a real county)."""
    filler = (factories.parcel(parcel_id=f"F{i}", address=f"{100 + i % 300} FILLER{i // 300} ST",
                               parcel_city=f"TOWN{i % 7}", parcel_zip=f"{80000 + i % 40}")
              for i in range(FILLER))  # fmt: skip
    ids = {parcel["parcel_id"] for parcel in parcels}
    households = [doc for doc in HOUSEHOLDS if doc["parcel_id"] in ids]
    return build_index(residential_docs=[*parcels, *filler], demographic_docs=households)


def _decide(index, address="214 Aspen Grvoe Lane", city="East Ornage", **person):
    """Heather Robinson's decision: her street and city misspelt, two digits of her ZIP swapped."""
    query = scoring.make_query(address=address, city=city, zip_code="07081", **person)
    return scoring.decide(index, query, scoring.Thresholds.from_settings())


def _shown(index, decision):
    return [index.parcels.parcel_id[candidate.row] for candidate in decision.candidates]


def test_a_misspelt_street_and_city_with_a_zip_one_digit_off_shows_the_true_parcel_first():
    index = _county([TRUE, SAME_NUMBER, NAMESAKE])
    decision = _decide(index, first_name="Heather", last_name="Robinson")
    assert decision.row is None  # for review: only the review blocks found it
    assert _shown(index, decision)[0] == "TRUE"
    assert "SAME-NUMBER" in _shown(index, decision)  # the hard negative is shown, below it
    best = decision.candidates[0]
    assert best.method in scoring.REVIEW_ONLY
    assert (best.house_number_level, best.street_level, best.zip_level, best.city_level) == (
        "exact", "typo", "one_digit", "similar",
    )  # fmt: skip


def test_the_true_parcel_is_found_by_its_house_number_without_the_name():
    index = _county([TRUE, SAME_NUMBER])
    decision = _decide(index)  # no name: the house number and the street typo find it
    assert decision.row is None
    assert _shown(index, decision)[0] == "TRUE"
    assert decision.candidates[0].method == review_blocks.NEAR_ZIP_HOUSE


def test_their_surname_in_a_neighbouring_zip_of_their_town_is_shown_first():
    index = _county([TRUE, SAME_NUMBER, ELSEWHERE])
    # Another first name, another street and number: only the surname, the town and the ZIP.
    decision = _decide(index, address="9 Birch Court", city="East Orange",
                       first_name="Callum", last_name="Robinson")  # fmt: skip
    assert decision.row is None
    assert _shown(index, decision)[0] == "TRUE"
    assert decision.candidates[0].method == review_blocks.NEAR_ZIP_SURNAME
    assert "ELSEWHERE" not in _shown(index, decision)  # their surname in another town


def test_their_house_number_in_a_neighbouring_zip_of_their_town_is_shown_with_their_first_name():
    index = _county([TRUE, SAME_NUMBER])
    # Another street and surname, the town misspelt: the number, the town, the ZIP and the
    # first name; not the number and the town alone (another household at the same number).
    shown = {}
    for first_name in ("Heather", "Juliana"):
        decision = _decide(index, address="214 Jondol Place", first_name=first_name,
                           last_name="Clarke")  # fmt: skip
        assert decision.row is None
        shown[first_name] = {index.parcels.parcel_id[c.row]: c.method for c in decision.candidates}
    assert shown["Heather"]["TRUE"] == review_blocks.NEAR_ZIP_HOUSE
    assert "TRUE" not in shown["Juliana"]


def test_neighbouring_zips_are_one_digit_off_or_two_swapped_and_known():
    index = _county([TRUE, SAME_NUMBER, NAMESAKE])
    assert review_blocks.near_zips(index.parcels, ("07081",)) == ["07018"]
    assert review_blocks.near_zips(index.parcels, ("07018",)) == ["07081"]
    assert review_blocks.near_zips(index.parcels, ("07102", "07103")) == []
