"""How people write their town and ZIP (benchmarks/address_variants.py's city, ZIP and
extra-words classes): with the state, the kind of municipality, inside the Address field, in
the wrong field. The same address is in two towns, so only the town they wrote can place them."""

import pytest

from matching.localities import normalize_city
from tests.matching.test_match_weights import county, decide, linked

TWO_TOWNS = [
    ("ORANGE", "123 N MAIN ST", "ORANGE", "07050"),
    ("OLIVE", "123 N MAIN ST", "MOUNT OLIVE", "07828"),
    ("WEST", "123 N MAIN ST", "WEST ORANGE", "07052"),
]


@pytest.mark.parametrize(
    ("address", "city", "zip_code", "parcel"),
    [
        ("123 N Main St", "Orange NJ", "", "ORANGE"),
        ("123 N Main St", "Orange, NJ", "", "ORANGE"),
        ("123 N Main St", "Orange Township", "", "ORANGE"),
        ("123 N Main St", "City of Orange", "", "ORANGE"),
        ("123 N Main St", "Mount Olive Twp", "", "OLIVE"),
        ("123 N Main St", "Orange, NJ 07050", "", "ORANGE"),  # the ZIP in the City field
        ("123 N Main St", "West Orange NJ 07052", "", "WEST"),
        ("123 N Main St, Orange NJ", "", "", "ORANGE"),
        ("123 N Main St\nOrange, NJ 07050", "", "", "ORANGE"),  # a line break, not a comma
        ("123 N Main St West Orange NJ", "", "", "WEST"),  # no comma before the town
        ("123 N Main St", "", "70501234", "ORANGE"),  # ZIP+4 that lost its leading zero
        ("Orange", "123 N Main St", "07050", "ORANGE"),  # Address and City swapped
        ("123 N Main St", "07050", "Orange", "ORANGE"),  # City and ZIP swapped
        ("c/o Jane Doe, 123 N Main St", "", "07050", "ORANGE"),  # who, before the street
        ("Attn: Accounts, 123 N Main St", "Orange", "", "ORANGE"),
    ],
)
def test_the_town_they_wrote_places_them(address, city, zip_code, parcel):
    index = county(TWO_TOWNS)
    decision = decide(index, address, city, zip_code)
    assert linked(index, decision) == parcel


def test_a_zip_of_another_region_is_not_the_county_town():
    """Orange, California (92866): the county's ORANGE is shown, but not linked."""
    index = county(TWO_TOWNS)
    decision = decide(index, "123 N Main St", "Orange", "92866")
    assert linked(index, decision) is None
    assert index.parcels.parcel_id[decision.candidates[0].row] == "ORANGE"


def test_a_zip_one_digit_off_still_links():
    index = county(TWO_TOWNS)
    assert linked(index, decide(index, "123 N Main St", "Orange", "07059")) == "ORANGE"


@pytest.mark.parametrize("name", ["GROVE CITY", "JERSEY CITY", "BOROUGH PARK"])
def test_a_town_named_city_or_borough_keeps_its_name(name):
    assert normalize_city(name) == name
