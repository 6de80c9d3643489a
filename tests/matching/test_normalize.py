"""Address normalisation: each rule the matcher relies on."""

import pytest

from matching.address_parser import parse_address
from matching.index import phone_key
from matching.localities import normalize_city
from matching.street_forms import normalize_street
from participants.fields import normalize_zip


def street_of(raw):
    parsed = parse_address(raw)
    return parsed.house_number, parsed.street


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07102", "07102"),
        ("07102-1234", "07102"),  # ZIP+4 cut to five
        ("071021234", "07102"),
        ("7102", "07102"),  # lost leading zero restored
        (7102, "07102"),  # county parcel_zip ints
        ("70501234", "07050"),  # ZIP+4 stored as a number: its leading zero lost
        (70501234, "07050"),
        (43215, "43215"),
        (" 43215 ", "43215"),
        ("", None),
        (None, None),
        ("n/a", None),
        ("00000", None),
        ("0000", None),
        ("00000-1234", None),  # no ZIP is all zeros, with its +4 or without
        ("00000 1234", None),
        ("\uff10\uff17\uff10\uff15\uff10", "07050"),  # full-width digits (an IME's)
        ("\uff10\uff17\uff10\uff15\uff10-\uff11\uff12\uff13\uff14", "07050"),
        ("\u0664\u0663\u0662\u0661\u0665", "43215"),  # Arabic-Indic digits
        ("\u00b9\u00b2\u00b3\u2074\u2075", None),  # superscripts are not decimal digits
    ],
)
def test_zip_is_five_digits(raw, expected):
    assert normalize_zip(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(973) 555-0142", "9735550142"),
        ("+1 973.555.0142", "9735550142"),  # the last ten digits: the country code dropped
        (19735550142, "9735550142"),
        ("\uff08\uff19\uff17\uff13\uff09\uff15\uff15\uff15\uff10\uff11\uff14\uff12",
         "9735550142"),  # full-width, as an IME types it
        ("555-0142", None),  # fewer than ten digits
        ("", None),
        (None, None),
    ],
)  # fmt: skip
def test_phone_is_its_last_ten_digits(raw, expected):
    assert phone_key(raw) == expected


def test_case_punctuation_and_whitespace():
    assert street_of("  12   n.  main   st. ") == ("12", "N MAIN ST")
    assert street_of("12 N MAIN ST") == ("12", "N MAIN ST")


@pytest.mark.parametrize(
    "raw",
    ["12 North Main Street", "12 N Main St", "12 n. main st.", "12 NORTH MAIN STREET"],
)
def test_directionals_and_suffixes_in_both_spellings(raw):
    assert street_of(raw) == ("12", "N MAIN ST")


def test_suffix_spelled_out_or_abbreviated():
    assert street_of("5 Maple Avenue")[1] == street_of("5 MAPLE AVE")[1] == "MAPLE AVE"
    assert street_of("5 Country Club Boulevard")[1] == "COUNTRY CLUB BLVD"


def test_two_word_directionals():
    assert street_of("8 North East Main Street")[1] == "NE MAIN ST"
    assert street_of("306 North West Dr")[1] == "N WEST DR"


@pytest.mark.parametrize(
    ("raw", "street"),
    [("510 N.E. 8th Ave", "NE 8TH AVE"), ("510 N E 8th Ave", "NE 8TH AVE"),
     ("510 s w Main St", "SW MAIN ST"), ("5 N E St", "N E ST"), ("5 N E St NW", "N E ST NW"),
     ("5 N. E. St. Ext.", "N E ST EXT")],
)  # fmt: skip
def test_two_directional_letters_are_one_directional_only_before_a_name(raw, street):
    assert street_of(raw)[1] == street


@pytest.mark.parametrize(
    "raw", ["1385 E 500 S", "1385 E 500 South St", "1385 E 500 S St", "1385 E. 500 So."]
)
def test_a_grid_street_written_with_a_suffix_or_informally_is_the_grid_street(raw):
    assert street_of(raw) == ("1385", "E 500 S")


def test_postdirectional_and_directional_street_names():
    assert street_of("9 Main Street North") == ("9", "MAIN ST N")
    assert street_of("9 North Street") == ("9", "NORTH ST")  # the street is named North
    assert street_of("9 West End Avenue") == ("9", "W END AVE")


@pytest.mark.parametrize("raw", ["200 First Avenue", "200 1st Ave", "200 1ST AVE"])
def test_ordinals(raw):
    assert street_of(raw) == ("200", "1ST AVE")


def test_compound_ordinals():
    assert street_of("8 Twenty-First St")[1] == "21ST ST"
    assert street_of("8 Twelfth Street")[1] == "12TH ST"


@pytest.mark.parametrize(
    ("raw", "unit"),
    [
        ("12 Main St Apt 3", "APT 3"),
        ("12 Main St Apartment 3", "APT 3"),
        ("12 Main St #12", "# 12"),
        ("12 Main St # 12", "# 12"),
        ("12 Main St Unit B", "UNIT B"),
        ("12 Main St Ste 100", "STE 100"),
        ("12 Main St, Apt 3", "APT 3"),
        ("12 Main St, Unit 101", "UNIT 101"),  # not the ZIP 00101
        ("12 Main St, Ste 1011", "STE 1011"),
    ],
)
def test_unit_designators_are_split_off(raw, unit):
    parsed = parse_address(raw)
    assert (parsed.house_number, parsed.street, parsed.unit) == ("12", "MAIN ST", unit)


def test_whole_line_with_city_state_and_zip_plus4():
    parsed = parse_address("12 North Main Street, Newark, NJ 07102-1234")
    assert parsed.street == "N MAIN ST"
    assert (parsed.city, parsed.zip5) == ("NEWARK", "07102")


def test_whole_line_with_lost_leading_zero():
    parsed = parse_address("12 Main St, Newark NJ 7102")
    assert (parsed.street, parsed.city, parsed.zip5) == ("MAIN ST", "NEWARK", "07102")


def test_whole_line_without_commas_goes_to_the_parser():
    parsed = parse_address("12 Main St Springfield MA 01103")
    assert (parsed.house_number, parsed.street) == ("12", "MAIN ST")
    assert (parsed.city, parsed.zip5) == ("SPRINGFIELD", "01103")


def test_nothing_to_read():
    assert parse_address("").street is None
    assert parse_address(None).house_number is None
    assert parse_address("PO Box 12").house_number is None


def test_city_abbreviations():
    assert normalize_city(" st. louis ") == "SAINT LOUIS"
    assert normalize_city("Grove City") == "GROVE CITY"


@pytest.mark.parametrize(
    ("raw", "street"),
    [("1 US-1", "US HIGHWAY 1"), ("1 U.S. Hwy 1", "US HIGHWAY 1"), ("1 Rt. 17 N", "HIGHWAY 17 N"),
     ("1 NJ-17", "STATE ROUTE 17"), ("1 SR 17", "STATE ROUTE 17"), ("1 CR-5", "COUNTY ROAD 5"),
     ("1 Co. Rd. 5", "COUNTY ROAD 5"), ("1 Route 46 West", "HIGHWAY 46 W"),
     ("1 7th Hwy", "7TH HWY"), ("1 Old Route 1", "OLD ROUTE 1")],
)  # fmt: skip
def test_a_highway_takes_the_standard_name_of_its_kind(raw, street):
    assert street_of(raw)[1] == street
    assert normalize_street(street).name == street  # idempotent


@pytest.mark.parametrize("raw", ["45 MLK Blvd", "45 Dr. M.L.K. Jr. Blvd", "45 Martin L King Blvd"])
def test_martin_luther_king_has_one_name(raw):
    assert street_of(raw)[1] == "MARTIN LUTHER KING JR BLVD"


def test_informal_directionals_before_a_name():
    assert street_of("9 No. Main St")[1] == street_of("9 Nrth Main St")[1] == "N MAIN ST"
    assert street_of("9 So Main St")[1] == "S MAIN ST"


def test_an_ordinal_written_as_one_word():
    assert street_of("210 Twentyfirst Ave")[1] == "21ST AVE"
