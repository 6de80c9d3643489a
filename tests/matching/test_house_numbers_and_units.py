"""House numbers with a letter, a fraction or a range, and units however written: read the same
on both sides, so that the county's 16A, 12 1/2, 20-22 and condo units are found and told apart
from the plain number beside them. A county built in memory, as in test_match_weights."""

import pytest

from matching.address_parser import parse_address
from matching.units import unit_key
from tests.matching.test_match_weights import county, decide, linked

ELM = [
    ("P12", "12 ELM ST", "ORANGE", "07050"),
    ("P12H", "12 1/2 ELM ST", "ORANGE", "07050"),
    ("P16", "16 ELM ST", "ORANGE", "07050"),
    ("P16A", "16A ELM ST", "ORANGE", "07050"),
    ("P16B", "16B ELM ST", "ORANGE", "07050"),
    ("P2022", "20-22 ELM ST", "ORANGE", "07050"),
    ("P24", "24 ELM ST", "ORANGE", "07050"),
]


@pytest.mark.parametrize("typed", ["16A Elm St", "16 A Elm St", "16-A Elm St", "16a elm st"])
def test_a_letter_of_the_house_number_finds_the_lettered_parcel(typed):
    index = county(ELM)
    assert linked(index, decide(index, typed, "Orange", "07050")) == "P16A"


def test_a_lone_letter_stays_the_streets_when_no_parcel_has_it():
    parcels = [("P1", "12 OBRIEN CT", "ORANGE", "07050"), ("P2", "12 BRIEN AVE", "ORANGE", "07050")]
    index = county(parcels)
    assert linked(index, decide(index, "12 O Brien Ct", "Orange", "07050")) == "P1"


def test_a_letter_written_as_the_unit_may_be_the_house_numbers():
    index = county(ELM)
    decision = decide(index, "16 Elm St Apt A", "Orange", "07050")
    assert decision.row is None
    assert {index.parcels.parcel_id[c.row] for c in decision.candidates[:2]} == {"P16", "P16A"}


@pytest.mark.parametrize(
    "typed", ["12 1/2 Elm St", "12-1/2 Elm St", "12\u00bd Elm St", "12.5 Elm St"]
)
def test_a_half_house_number_finds_its_parcel_and_not_the_whole_one(typed):
    index = county(ELM)
    assert parse_address(typed).house_number == "12 1/2"
    assert linked(index, decide(index, typed, "Orange", "07050")) == "P12H"
    assert linked(index, decide(index, "12 Elm St", "Orange", "07050")) == "P12"


@pytest.mark.parametrize("typed", ["20-22 Elm St", "20 - 22 Elm St", "20 Elm St", "22 Elm St"])
def test_either_number_of_a_range_parcel_finds_it(typed):
    index = county(ELM)
    decision = decide(index, typed, "Orange", "07050")
    assert index.parcels.parcel_id[decision.candidates[0].row] == "P2022"
    assert decision.row in (None, decision.candidates[0].row)


@pytest.mark.parametrize(
    ("typed", "read"),
    [("123N Main St", ("123", "N MAIN ST")), ("123N. Main St", ("123", "N MAIN ST")),
     ("8Old Mill Ln", ("8", "OLD MILL LN")), ("16A Elm St", ("16A", "ELM ST")),
     ("8th Ave", (None, "8TH AVE"))],
)  # fmt: skip
def test_letters_glued_to_the_house_number_that_start_the_street_are_split_off(typed, read):
    parsed = parse_address(typed)
    assert (parsed.house_number, parsed.street) == read


QUEENS = [
    ("P25", "108-25 QUEENS BLVD", "FOREST HILLS", "11375"),
    ("P27", "108-27 QUEENS BLVD", "FOREST HILLS", "11375"),
    ("P7110", "71-10 AUSTIN ST", "FOREST HILLS", "11375"),
]


@pytest.mark.parametrize(
    ("typed", "parcel"),
    [("10825 Queens Blvd", "P25"), ("108 25 Queens Blvd", "P25"), ("7110 Austin St", "P7110"),
     ("71 10 Austin Street", "P7110"), ("10829 Queens Blvd", None), ("108 29 Queens Blvd", None)],
)  # fmt: skip
def test_a_queens_number_without_its_hyphen_finds_the_hyphenated_parcel_that_exists(typed, parcel):
    index = county(QUEENS)
    assert linked(index, decide(index, typed, "Forest Hills", "11375")) == parcel


def test_a_number_of_its_own_is_not_read_as_a_queens_number():
    index = county([*QUEENS, ("P10825", "10825 QUEENS BLVD", "FOREST HILLS", "11375")])
    assert linked(index, decide(index, "10825 Queens Blvd", "Forest Hills", "11375")) == "P10825"


@pytest.mark.parametrize(
    ("typed", "unit"),
    [("40 Elm St 3B", "3B"), ("60 River Rd 3-B", "3 B"), ("40 Elm St 2nd Floor", "2ND FLOOR"),
     ("40 Elm St - 2nd floor", "2ND FLOOR"), ("40 Elm St Bsmt", "BSMT"),
     ("40 Elm St Upper", "UPPER"), ("40 Elm St Rear", "REAR"),
     ("40 Elm St (rear house)", "REAR HOUSE"), ("Apt 3 40 Elm St", "APT 3"),
     ("#3 40 Elm St", "# 3"), ("#3, 40 Elm St", "# 3"), ("40 Elm St Apt3", "APT 3"),
     ("40 Elm St Ste200", "STE 200"), ("40 Elm St Site 3", "SITE 3")],
)  # fmt: skip
def test_a_unit_without_its_designator_or_before_the_street_is_the_unit(typed, unit):
    parsed = parse_address(typed)
    assert (parsed.house_number, parsed.street, parsed.unit) == ("40", "ELM ST", unit) or (
        typed.startswith("60") and (parsed.street, parsed.unit) == ("RIVER RD", unit)
    )


@pytest.mark.parametrize("typed", ["40 Elm St Apt3", "40 Elm St Site 3"])
def test_a_unit_glued_or_of_another_designator_still_links_the_house(typed):
    index = county(
        [("P40", "40 ELM ST", "ORANGE", "07050"), ("P42", "42 ELM ST", "ORANGE", "07050")]
    )
    assert linked(index, decide(index, typed, "Orange", "07050")) == "P40"


@pytest.mark.parametrize(
    ("typed", "last"),
    [("77 County Road 5", "5"), ("14 Avenue C", "C"), ("300 US Highway 9W", "9W"),
     ("45 Broad St W", "W")],
)  # fmt: skip
def test_a_roads_own_number_or_letter_is_no_unit(typed, last):
    parsed = parse_address(typed)
    assert (parsed.street.split(" ")[-1], parsed.unit) == (last, None)


def test_a_unit_is_its_identifier_however_written():
    assert {unit_key(u) for u in ("APT 3", "# 3", "UNIT 3", "STE 3", "APT # 3")} == {"3"}
    assert {unit_key(u) for u in ("UNIT 3B", "3B", "APT 3 B", "3 B", "# 3B")} == {"3B"}
    assert unit_key("2ND FLOOR") == unit_key("FL 2") == "2"


CONDOS = [
    *((f"A{unit}", f"5 PARK AVE APT {unit}", "ORANGE", "07050") for unit in range(1, 5)),
    *((f"U{unit}", f"60 RIVER RD UNIT {unit}", "ORANGE", "07050")
      for unit in ("1A", "1B", "2A", "2B", "3A", "3B")),
    ("HOUSE", "40 ELM ST", "ORANGE", "07050"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "parcel"),
    [("5 Park Ave Apt 3", "A3"), ("5 Park Ave #3", "A3"), ("Apt 3, 5 Park Ave", "A3"),
     ("5 Park Ave Ste 3", "A3"), ("60 River Rd Unit 3B", "U3B"), ("60 River Rd 3-B", "U3B"),
     ("60 River Rd #3b", "U3B"), ("Unit 3B, 60 River Rd", "U3B"), ("40 Elm St Apt 3", "HOUSE"),
     ("40 Elm St 3B", "HOUSE"), ("40 Elm St 2nd Floor", "HOUSE")],
)  # fmt: skip
def test_the_unit_picks_its_condo_parcel_and_a_house_keeps_its_link(typed, parcel):
    index = county(CONDOS)
    assert linked(index, decide(index, typed, "Orange", "07050")) == parcel


@pytest.mark.parametrize(
    ("typed", "first"),
    [("5 Park Ave", 4), ("5 Park Ave Apt 7", 4), ("60 River Rd Unit 3", 2)],
)
def test_no_unit_or_another_unit_leaves_the_condo_for_review(typed, first):
    """A unit written in part (3 of 3A and 3B) counts neither way: those two come first."""
    index = county(CONDOS)
    decision = decide(index, typed, "Orange", "07050")
    weights = [c.weight for c in decision.candidates]
    assert decision.row is None and len(set(weights[:first])) == 1
    if first == 2:
        ids = {index.parcels.parcel_id[c.row] for c in decision.candidates[:2]}
        assert ids == {"U3A", "U3B"} and weights[2] < weights[0]


def test_a_suffix_run_into_the_name_is_read_apart_only_when_the_county_has_that_street():
    index = county([("P1", "123 N MAIN ST", "ORANGE", "07050"), ("P2", "9 FOREST AVE", "ORANGE",
                    "07050"), ("P3", "9 FORE ST", "ORANGE", "07050")])  # fmt: skip
    assert linked(index, decide(index, "123 N MainSt", "Orange", "07050")) == "P1"
    decision = decide(index, "9 Forest", "Orange", "07050")  # FOREST is a street: not FORE ST
    assert index.parcels.parcel_id[decision.candidates[0].row] == "P2"


@pytest.mark.parametrize(
    ("raw", "house_number", "unit"),
    [("Lot 14 Oak Hollow Dr", None, "LOT 14"), ("Space 12 Oak Hollow Dr", None, "SPC 12"),
     ("Apt 3 40 Elm St", "40", "APT 3"), ("# 12 Main St", "12", None)],
)  # fmt: skip
def test_a_unit_before_the_street_is_not_its_house_number(raw, house_number, unit):
    parsed = parse_address(raw)
    assert (parsed.house_number, parsed.unit) == (house_number, unit)


def test_a_lot_of_a_park_never_links_the_house_of_that_number():
    index = county([("P14", "14 OAK HOLLOW DR", "ORANGE", "07050")])
    assert linked(index, decide(index, "Lot 14 Oak Hollow Dr", "Orange", "07050")) is None
