"""parse_address's shortcuts read a line exactly as its general path does (`_fast_parse`, then
usaddress): they only make the common shapes cheaper."""

import pytest

from matching import address_parser
from matching.address_parser import parse_address


def general_parse(line):
    return address_parser._fast_parse(line) or address_parser._parser_parse(line)


def assert_read_as_on_the_general_path(line):
    for written in (line, line.upper(), line.lower(), f" {line}\n"):
        assert parse_address(written) == general_parse(written)


@pytest.mark.parametrize(
    "line",
    [
        # ordinal streets, in digits and spelled out
        "362 10TH St",
        "5 10th Ave",
        "5464 1ST Dr",
        "12 21ST ST NW",
        "7 101st Street",
        "9 2nd Ave Apt 3",
        "785 Fifth Ave Apt 5",
        "106 Forth Ave 2nd Floor",
        # units after the street, with and without a designator
        "128 ellis avenue APT 30",
        "4256 Roero Rd Apt. 23B",
        "4254 ROMERO ROAD Ste 21",
        "540 Hill Ln Ste 2",
        "1637 Martin Luther King Jr St Apt. 4A",
        "40 Elm St 3B",
        "60 River Rd 3 B",
        "40 Elm St APT3",
        "12 Oak Hollow Dr Site 3",
        "12 Main St Apt 3 Rear",
        "12 Main St Bldg 2 Apt 4",
        "12 Main St Apt",
        # unit-like words that name the street or stand alone
        "14 Lot Rd",
        "7 Apartment Ct 2",
        "15 Suite St",
        "3 Number 9 Rd",
        "20 Park Ave Fl 2",
        "4 Floor St 5",
        # numbers that are the street's own
        "11 County Road 5",
        "200 Hwy 9W",
        "5 Route 17",
        "12 Elm St 3",
        # a ZIP, a state or a unit number like a ZIP at the end: the general path decides
        "123 Main St Springfield MA 01103",
        "123 Main St 07050",
        "123 Main St Apt 12345",
        "123 Main St Unit 101",
        "123 Main St NJ",
        "123 Main St Apt 3 NJ",
        # full stops ending words
        "10 N. 5th St. Apt 2",
        "10 5th St Apt 3.",
    ],
)
def test_a_line_with_digits_after_its_number_reads_as_on_the_general_path(line):
    assert_read_as_on_the_general_path(line)


@pytest.mark.parametrize(
    "line",
    [
        # a town, its state and ZIP after the street line
        "593 Vasquez Rd, Newark, NJ 07104",
        "3816 South College Rd, Chandler, AZ 85225",
        "789 South Foxglen Avene Apt 2, Montclair, NJ 07042",
        "785 Ninth Ln Ste 5, Delaware, OH 43015",
        "601 9TH COURT, Bloomfield, NJ 07003",
        "5 21st St, West Orange NJ, NJ 07052",
        "16A Main St, Newark, NJ 07104",
        "12 Main St NJ, Newark, NJ 07104",
        "40 Elm St Rear, Newark, NJ 07104",
        "5 Main St, Ohio, OH 43215",
        "5 Main St, Newark, NJ 00000",
        # a state that is a unit designator too, a town that starts like a unit, no state
        "5 Main St, Miami, FL 33101",
        "5 Main St, Lot Town, NJ 07104",
        "5 Main St, Apt City, NJ 07104",
        "5 Main St, Newark, ZZ 07104",
        # a unit after the street line
        "7707 Stonerun Road, Apt 20",
        "3779 romero ave, Apt 21",
        "1036 pinewood court, Apt 8C",
        "9139 Sixteenth Aveneu, Apt 4",
        "3 Main St, Unit C",
        "3 Main St, Fl 2",
        "3 Main St, Apt 101",
        "3 Main St, Apt 12345",
        "3 Main St, Apt A12345",
        "3 Main St, Apt NO12345",
        "3 Main St, Unit NJ",
        "3 Main St, Newark NJ",
        "3 Main St, Rear House",
        # full stops and other separators: the general path
        "5 Main St., Newark, NJ 07104",
        "5 Main St, Newark, NJ 07104.",
        "5 Main St,Newark, NJ 07104",
        "5 Main St, Newark, NJ 07104-1234",
        "5 Main St, Apt 2, Newark, NJ 07104",
    ],
)
def test_a_street_line_with_its_town_or_unit_after_a_comma_reads_as_on_the_general_path(line):
    assert_read_as_on_the_general_path(line)
