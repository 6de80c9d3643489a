"""Address forms people write (held-out set's misses) that link to their parcel: normalisation
reads both sides the same way. A county built in memory, as in test_match_weights."""

import pytest

from matching.address_parser import parse_address
from matching.localities import normalize_city
from matching.street_forms import normalize_street
from tests.matching.test_match_weights import county, decide, linked


@pytest.mark.parametrize(
    ("typed", "parcel"),
    [
        ("24 7Th Hwy, Unit 101", "24 7TH HWY"),  # the unit's number is not a ZIP
        ("1033 Boone, Apt 3", "1033 BOONE MOTORWAY"),  # MTWY is the suffix, BOONE the name
        ("1335 3Rd Blv", "1335 3RD BLVD"),  # a letter dropped from a suffix
        ("12 Jarvis Aev.", "12 JARVIS AVE"),  # two letters swapped
        ("2013 n mill", "2013 N MILL ST"),  # the street MILL, its suffix left out
        ("2343 South Brooks", "2343 S BROOKS ST"),
        ("75 thrid crt", "75 3RD CT"),  # a slip in an ordinal
        ("187 Thirdd Rd", "187 3RD RD"),
    ],
)
def test_written_forms_link_to_their_parcel(typed, parcel):
    index = county([("P1", parcel, "ORANGE", "07013"), ("P2", "1 OTHER RD", "ORANGE", "07013")])
    decision = decide(index, typed, "Orange", "07013")
    assert decision.quality in ("exact", "fuzzy") and linked(index, decision) == "P1"


def test_full_width_text_links_as_ascii_does():
    """An East Asian keyboard's input method types full-width forms ("１２ Ｅｌｍ Ｓｔ")."""
    index = county(
        [("P1", "12 ELM ST", "ORANGE", "07013"), ("P2", "14 ELM ST", "ORANGE", "07013")],
        households=[("P1", "LEE, MEI", None, None)],
    )
    typed = decide(index, "１２　Ｅｌｍ　Ｓｔ", "Ｏｒａｎｇｅ", "０７０１３",
                   first_name="Ｍｅｉ", last_name="Ｌｅｅ")  # fmt: skip
    ascii = decide(index, "12 Elm St", "Orange", "07013", first_name="Mei", last_name="Lee")
    assert (typed.quality, linked(index, typed)) == ("exact", "P1")
    assert typed == ascii


@pytest.mark.parametrize(
    ("typed", "parcel"),
    [("590 4Th Cort, Apt 101", "590 4TH CT"), ("12 Elm Drie", "12 ELM DR"),
     ("8 Oak Lnae", "8 OAK LN"), ("9 Pine Roa", "9 PINE RD")],
)  # fmt: skip
def test_a_slip_in_the_suffix_is_the_suffix(typed, parcel):
    index = county([("P1", parcel, "ORANGE", "07013"), ("P2", "1 OTHER RD", "ORANGE", "07013")])
    decision = decide(index, typed, "Orange", "07013")
    assert (decision.quality, linked(index, decision)) == ("exact", "P1")


@pytest.mark.parametrize("raw", ["1 Boone Motorway", "1 Spring Streets", "1 Elm Drives"])
def test_every_pub28_abbreviation_normalises_to_itself(raw):
    parsed = parse_address(raw)
    assert normalize_street(parsed.street).key == parsed.street_key


@pytest.mark.parametrize(
    ("typed", "county"),
    [("E Robert", "EAST ROBERT"), ("n. david", "NORTH DAVID"), ("Lk Mark", "LAKE MARK"),
     ("Pt Tina", "PORT TINA")],
)  # fmt: skip
def test_a_town_written_short_is_the_county_town(typed, county):
    assert normalize_city(typed) == normalize_city(county) == county


def test_a_town_written_short_without_zip_finds_the_parcel_for_review():
    index = county([("P1", "110 HILL BLVD", "NORTH DAVID", "16982")])
    decision = decide(index, "110 Hikl Blvd", "N David", "")
    assert index.parcels.parcel_id[decision.candidates[0].row] == "P1"


def _parcel_linked(parcels, typed):
    index = county([(f"P{i}", address, "ORANGE", "07050") for i, address in enumerate(parcels)])
    return linked(index, decide(index, typed, "Orange", "07050"))


@pytest.mark.parametrize(
    ("typed", "route", "numbered"),
    [("1200 Hwy 1", "1200 US HIGHWAY 1", "1200 1ST ST"),
     ("1200 US-1", "1200 US HIGHWAY 1", "1200 1ST ST"),
     ("1200 U.S. Route 1", "1200 US HIGHWAY 1", "1200 1ST ST"),
     ("1200 Rte 1", "1200 US HIGHWAY 1", "1200 1ST ST"),
     ("1200 US Route 1 N", "1200 US HIGHWAY 1", "1200 1ST ST"),
     ("300 SR-17", "300 STATE ROUTE 17", "300 17TH ST"),
     ("300 Rt. 17 N", "300 STATE ROUTE 17", "300 17TH ST"),
     ("300 NJ Route 17", "300 STATE ROUTE 17", "300 17TH ST"),
     ("300 State Hwy 17", "300 STATE ROUTE 17", "300 17TH ST"),
     ("77 CR-5", "77 COUNTY ROAD 5", "77 5TH ST"),
     ("77 Co. Rd. 5", "77 COUNTY ROAD 5", "77 5TH ST"),
     ("77 Co Rte 5", "77 COUNTY ROAD 5", "77 5TH ST"),
     ("5010 Farm to Market Rd 1960", "5010 FM 1960", "5010 FM 2920"),
     ("5010 Farm-to-Market 1960", "5010 FM 1960", "5010 FM 2920"),
     ("5010 F.M. 1960", "5010 FM 1960", "5010 1960TH ST"),
     ("5010 FM 1960 Rd", "5010 FM 1960", "5010 STATE ROUTE 1960")],
)  # fmt: skip
def test_a_highway_written_short_links_to_its_route_not_the_numbered_street(typed, route, numbered):
    assert _parcel_linked([route, numbered], typed) == "P0"


@pytest.mark.parametrize(
    ("typed", "route", "numbered"),
    [("1210 Hwy 1", "1200 US HIGHWAY 1", "1210 1ST ST"),
     ("310 Route 17", "300 STATE ROUTE 17", "310 17TH ST"),
     ("79 CR 5", "77 COUNTY ROAD 5", "79 5TH ST")],
)  # fmt: skip
def test_a_route_is_never_the_numbered_street(typed, route, numbered):
    assert _parcel_linked([route, numbered], typed) is None


WISCONSIN = ["N1234 COUNTY ROAD K", "N1234 COUNTY ROAD J", "N1240 COUNTY ROAD K"]


@pytest.mark.parametrize(
    "typed",
    ["N1234 County Rd K", "N1234 Cty Rd K", "N1234 CTH K", "N1234 County Hwy K", "N1234 Co Rd K",
     "N 1234 County Road K", "n1234 county road k"],
)  # fmt: skip
def test_a_lettered_county_highway_and_a_grid_number_link_to_their_parcel(typed):
    assert _parcel_linked(WISCONSIN, typed) == "P0"
    assert _parcel_linked(WISCONSIN, typed.replace("K", "J").replace("k", "j")) == "P1"


@pytest.mark.parametrize(
    "typed",
    ["W156N8480 Pilgrim Rd", "W156 N8480 Pilgrim Rd", "W 156 N 8480 Pilgrim Rd",
     "W156-N8480 Pilgrim Rd"],
)  # fmt: skip
def test_a_grid_number_written_apart_is_read_whole(typed):
    parsed = parse_address(typed)
    assert (parsed.house_number, parsed.street) == ("W156N8480", "PILGRIM RD")
    assert _parcel_linked(["W156N8480 PILGRIM RD", "W156N8490 PILGRIM RD"], typed) == "P0"


def test_a_grid_number_no_parcel_has_and_a_street_named_by_a_number_link_nothing():
    assert _parcel_linked(WISCONSIN, "N1236 County Rd K") is None
    assert _parcel_linked(WISCONSIN, "N1234 County Rd M") is None
    assert parse_address("W 7 Mile Rd")[:2] == (None, "W 7 MILE RD")  # no grid number: 3 digits
    assert normalize_street("COUNTY RD").name == "COUNTY RD"  # a street, not a route


def test_a_route_of_no_kind_meets_either_kind_and_a_kind_given_must_agree():
    both = ["1200 US HIGHWAY 1", "1200 STATE ROUTE 1"]
    assert _parcel_linked(both, "1200 Route 1") is None  # which of the two?
    assert _parcel_linked(both, "1200 US 1") == "P0"
    assert _parcel_linked(["1200 STATE ROUTE 1", "1 OTHER RD"], "1200 US 1") is None


@pytest.mark.parametrize(
    ("typed", "parcel"),
    [("123 Main St North", "123 N MAIN ST"), ("123 Main St. N.", "123 N MAIN ST"),
     ("123 No. Main St", "123 N MAIN ST"), ("123 So Main St", "123 S MAIN ST"),
     ("123 Nrth Main St", "123 N MAIN ST"), ("123 Main St S", "123 S MAIN ST"),
     ("123 Main St. So.", "123 S MAIN ST"), ("123 Main St No", "123 N MAIN ST")],
)  # fmt: skip
def test_a_directional_written_after_or_informally_picks_its_side(typed, parcel):
    linked_parcel = _parcel_linked(["123 N MAIN ST", "123 S MAIN ST"], typed)
    assert linked_parcel == ("P0" if parcel == "123 N MAIN ST" else "P1")


@pytest.mark.parametrize(
    ("typed", "parcels"),
    [("45 W Broad St", ["45 BROAD ST W", "45 BROAD ST E"]),
     ("45 Broad St West", ["45 W BROAD ST", "45 E BROAD ST"]),
     ("14 Fourth St East", ["14 E 4TH ST", "14 W 4TH ST"])],
)  # fmt: skip
def test_a_directional_before_the_name_meets_the_same_after_it(typed, parcels):
    assert _parcel_linked(parcels, typed) == "P0"


@pytest.mark.parametrize(
    ("typed", "parcel", "sibling"),
    [("9 Saint Charles Ave", "9 ST CHARLES AVE", "9 CHARLES ST"),
     ("7 St James Pl", "7 SAINT JAMES PL", "7 JAMES ST"),
     ("12 Mt Vernon Rd", "12 MOUNT VERNON RD", "12 VERNON AVE"),
     ("105 Mount Pleasant Ave", "105 MT PLEASANT AVE", "105 PLEASANT AVE"),
     ("5 Saint Marys Place", "5 ST MARYS PL", "5 SAINT JAMES PL"),
     ("14 Ct St", "14 COURT ST", "14 ELM ST")],
)  # fmt: skip
def test_a_name_word_abbreviated_or_spelled_out_is_the_same_name(typed, parcel, sibling):
    assert _parcel_linked([parcel, sibling], typed) == "P0"


@pytest.mark.parametrize(
    ("typed", "parcel", "sibling"),
    [("12 Mt Vernnon Rd", "12 MOUNT VERNON RD", "12 VERNON AVE"),
     ("12 Mt Vrenon Rd", "12 MOUNT VERNON RD", "12 VERNON AVE"),
     ("105 Mount Pleasent Av", "105 MT PLEASANT AVE", "105 N MAIN ST"),
     ("45 Martin Luter King Blvd", "45 MARTIN LUTHER KING JR BLVD", "45 KING ST")],
)  # fmt: skip
def test_a_typo_in_a_name_written_short_or_long_is_that_name(typed, parcel, sibling):
    assert _parcel_linked([parcel, sibling], typed) == "P0"


@pytest.mark.parametrize(
    ("typed", "parcel", "other"),
    [("391 Silver Point Street", "391 SILVER POINT ST", "391 SILVER HILL ST"),
     ("784 W Golden Hill St", "784 W GOLDEN HILL ST", "784 GOLDEN VIEW ST")],
)  # fmt: skip
def test_two_name_words_abbreviated_alike_are_not_a_typo_of_each_other(typed, parcel, other):
    # Abbreviated, POINT and HILL are PT and HL: two edits apart, as any two such words are.
    assert _parcel_linked([parcel, other], typed) == "P0"


@pytest.mark.parametrize(
    "typed",
    ["45 MLK Blvd", "45 MLK Jr Blvd", "45 M L King Jr Blvd", "45 M.L.K. Blvd",
     "45 Dr. MLK Jr. Blvd", "45 Martin L King Jr Blvd", "45 Martin Luther King Junior Boulevard"],
)  # fmt: skip
def test_martin_luther_king_written_short(typed):
    assert _parcel_linked(["45 MARTIN LUTHER KING JR BLVD", "45 KING ST"], typed) == "P0"


def test_an_ordinal_of_two_words_written_as_one():
    assert _parcel_linked(["210 21ST AVE", "210 20TH AVE"], "210 Twentyfirst Ave") == "P0"


_PRE_TYPED = ["15 VIA VERDE", "15 VERDE CT", "15 AVENUE J", "15 J ST"]


@pytest.mark.parametrize(
    ("typed", "parcel"),
    [("15 Via Verde", "P0"), ("15 Via Verde Dr", "P0"), ("15 Verde Ct", "P1"),
     ("15 Avenue J", "P2"), ("15 Ave. J", "P2"), ("15 J St", "P3")],
)  # fmt: skip
def test_a_street_typed_before_or_after_its_name_links_its_street(typed, parcel):
    assert _parcel_linked(_PRE_TYPED, typed) == parcel


@pytest.mark.parametrize(("typed", "streets"), [("15 Verde", {"P0", "P1"}), ("15 J", {"P2", "P3"})])
def test_a_name_without_its_type_ties_the_pre_typed_and_the_post_typed_street(typed, streets):
    index = county([(f"P{i}", address, "ORANGE", "07050") for i, address in enumerate(_PRE_TYPED)])
    decision = decide(index, typed, "Orange", "07050")
    shown = {index.parcels.parcel_id[candidate.row] for candidate in decision.candidates[:2]}
    assert (linked(index, decision), decision.reason, shown) == (None, "AMBIGUOUS", streets)


@pytest.mark.parametrize(
    ("typed", "parcel"), [("One Gateway Center", "P0"), ("Two Gateway Ctr", "P1")]
)
def test_a_house_number_written_in_words_finds_its_parcel(typed, parcel):
    parcels = ["1 GATEWAY CTR", "2 GATEWAY CTR", "7 OAKS DR", "12 SEVEN OAKS DR"]
    assert _parcel_linked(parcels, typed) == parcel


def test_a_street_named_by_a_number_word_stays_itself_where_the_county_has_it():
    index = county(
        [("P0", "7 OAKS DR", "ORANGE", "07050"), ("P1", "12 SEVEN OAKS DR", "ORANGE", "07050")]
    )
    decision = decide(index, "Seven Oaks Dr", "Orange", "07050")
    assert (linked(index, decision), decision.reason) == (None, "NO_HOUSE_NUMBER")
    assert index.parcels.parcel_id[decision.candidates[0].row] == "P1"
