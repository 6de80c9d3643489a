"""A free-text address line read into its parts, the same way for the migration, the matcher and
the review pages: the county's clean "123 N MAIN ST" and a participant's "123 north main street,
apt 3" both become house number "123", street "N MAIN ST", street key "MAIN", unit "APT 3".

Parsing takes a fast path for the common shapes ("number street [unit]", optionally followed by
", city, ST zip"); usaddress (a CRF, about 85 µs a call, too slow to run on every participant at
20,000/s) is the fallback for lines the fast path cannot read.
"""

import re
from typing import NamedTuple

import cython
import usaddress

from matching.address_text import clean_text, half_width
from matching.house_numbers import (
    GRID_NUMBER,
    HOUSE_NUMBER,
    split_grid_number,
    split_house_number,
)
from matching.localities import STATE_CODES, normalize_city, split_locality
from matching.street_forms import DIRECTIONALS, SUFFIXES, normalize_street
from matching.units import BARE_UNITS, UNIT_DESIGNATORS, leading_unit, split_unit, trailing_unit
from participants.fields import normalize_zip

# State codes that end an address line only as a state (not CT, MT, NE, FL: a suffix, a
# directional or a unit designator too).
_STATE_ONLY_CODES = STATE_CODES.difference(SUFFIXES, DIRECTIONALS, UNIT_DESIGNATORS)

_LOCALITY_WITHOUT_COMMA = re.compile(r"\s(?:[A-Z]{2}\s+)?\d{5}(?:\s*-\s*\d{4})?\s*$")
_HASH_GLUED = re.compile(r"#(?=\w)")
_DIGIT = re.compile(r"\d")
_NUMBER_ONLY = re.compile(r"^\d+[A-Za-z]?$")
# A plain line whose words after the number may hold digits too: an ordinal street ("5 10th
# Ave"), a unit ("128 Ellis Ave Apt 30", "4256 Roero Rd Apt 23B").
_PLAIN_LINE_WITH_DIGITS = re.compile(r"\d+ [A-Za-z0-9]+(?: [A-Za-z0-9]+)*", re.ASCII)
# A plain street line (its words may hold digits), then after a comma either a
# town, its state and ZIP ("593 Vasquez Rd, Newark, NJ 07104") or a unit ("7707 Stonerun Road,
# Apt 20"): `_comma_line`.
_STREET_PIECE = r"(\d+[A-Za-z]? [A-Za-z0-9]+(?: [A-Za-z0-9]+)*), "
_WITH_LOCALITY = re.compile(
    _STREET_PIECE + r"([A-Za-z]+(?: [A-Za-z]+)*), ([A-Za-z]{2}) (\d{5})", re.ASCII
)
_WITH_UNIT = re.compile(_STREET_PIECE + r"([A-Za-z]+ [A-Za-z0-9]+)", re.ASCII)


class ParsedAddress(NamedTuple):
    house_number: str | None  # "123", "123A"
    street: str | None  # "N MAIN ST": directionals, name and suffix in Pub 28 form
    street_key: str | None  # "MAIN": the name alone, for blocking across suffix/direction noise
    unit: str | None  # "APT 3"
    city: str | None  # "SPRINGFIELD" (from the line when the City field is empty)
    zip5: str | None  # from the line when the ZIP field is empty


def _street_line(line):
    """(house_number, street, street_key, unit) of "123 N Main St Apt 3" (or of "Main St"
    when the line holds no digit at all), or None. A unit may come first ("Apt 3 40 Elm St")
    or last without a designator (`trailing_unit`)."""
    line, unit = leading_unit(line)
    match = HOUSE_NUMBER.match(line)
    if match is None:
        if grid := GRID_NUMBER.match(line):
            house_number, rest = split_grid_number(grid)
        elif any(char.isdigit() for char in line):
            return None
        else:
            house_number, rest = None, line  # a street without its house number
    else:
        house_number, rest = split_house_number(match)
        if house_number is None:
            return None
    return _after_number(house_number, rest, unit)


def _after_number(house_number, rest, unit):
    """`_street_line` once the house number is read: the street and unit of `rest`."""
    words = rest.split(" ")
    if "#" in rest or _has_designator(words):
        words, unit = split_unit(words)
    if unit is None:
        words, unit = trailing_unit(words)
        if unit is None and _other_designator(words):
            return None
    street = normalize_street(" ".join(words))
    if street is None:
        return None
    return house_number, street.name, street.key, unit


def _other_designator(words):
    """Whether the street words end with a number after a word that is no street type or
    directional, after a suffix ("OAK HOLLOW DR SITE 3"): a unit whose designator Pub 28 does not
    list, which usaddress's parser reads (SITE, SLIP, PIER, SPACE as OccupancyType)."""
    return (
        len(words) > 2
        and words[-3] in SUFFIXES
        and words[-2] not in SUFFIXES
        and words[-2] not in DIRECTIONALS
        and words[-1].isdigit()
        and words[-2].isalpha()
    )


def _is_unit(piece):
    return piece.split(" ")[0] in UNIT_DESIGNATORS


@cython.locals(word=str, designators=dict)
def _has_designator(words):
    """Whether a word is a unit designator: UNIT_DESIGNATORS.keys().isdisjoint's answer without a
    view made and a method looked up, and by a loop, which compiled runs in the C function where
    any() ran a generator, over a C dict."""
    designators = UNIT_DESIGNATORS
    for word in words:  # noqa: SIM110 - a loop, not any(): no generator when compiled
        if word in designators:
            return True
    return False


@cython.locals(char=cython.Py_UCS4, previous=cython.Py_UCS4)
def _letter_words(text):
    """Whether `text` is words of letters between single spaces ("CASTRO ST"): what
    text.split(" ") gives is words of letters, none empty. Compiled, a loop over its characters
    in C, not a method called for each word: the 5,043 calls of a pass over the 20k demo took
    5.3 → 2.0 M instructions (callgrind, 2026-12-03)."""
    previous = " "
    for char in text:
        if char == " ":
            if previous == " ":
                return False
        elif not char.isalpha():
            return False
        previous = char
    return previous != " "


def _from_street_line(pieces):
    """The pieces from the one that starts with a house number: what comes before it is who
    or where in the building ("c/o Jane Doe", "Attn: Accounts", "Park Towers"), except a unit
    ("Apt 3, 5 Park Ave"), kept after it."""
    pieces = [piece for piece in pieces if piece]
    first = next((i for i, piece in enumerate(pieces) if _DIGIT.match(piece)), 0)
    if first == 0:
        return pieces
    return [pieces[first], *filter(_is_unit, pieces[:first]), *pieces[first + 1 :]]


def _fast_parse(raw):
    """ParsedAddress's fields for the common shapes, or None to let usaddress try."""
    upper = str(raw).upper()
    if "#" in upper:
        upper = _HASH_GLUED.sub("# ", upper)
    if "\n" in upper:
        upper = upper.replace("\n", ",")  # each line of an address is a piece
    if "," in upper:
        pieces = [piece.strip() for piece in upper.split(",") if piece.strip()]
    else:
        pieces = [upper] if upper.strip() else []
    if not pieces:
        return None
    city = zip5 = None
    if len(pieces) > 1:
        rest, zip5 = split_locality(pieces[-1])
        pieces = pieces[:-1]
        if rest:
            pieces.append(rest)
        parts = _from_street_line([clean_text(piece) for piece in pieces])
        if len(parts) > 1 and not _DIGIT.match(parts[-1]) and not _is_unit(parts[-1]):
            city = normalize_city(parts.pop())
        units = [part for part in parts[1:] if _is_unit(part)]
        if not parts or len(parts) - 1 != len(units):
            return None
        line = " ".join([parts[0], *units])
    elif _LOCALITY_WITHOUT_COMMA.search(upper) or upper.rpartition(" ")[2] in _STATE_ONLY_CODES:
        return None  # "123 Main St Springfield MA 01103": where the city starts needs a parser
    else:
        line = clean_text(upper)
    street = _street_line(line) if line else None
    if street is None:
        return None
    return (*street, city, zip5)


_USADDRESS_STREET = (
    "StreetNamePreModifier",
    "StreetNamePreDirectional",
    "StreetNamePreType",
    "StreetName",
    "StreetNamePostType",
    "StreetNamePostDirectional",
)


def _parser_parse(raw):
    """ParsedAddress's fields through usaddress, for lines the fast path does not read."""
    try:
        tagged, _kind = usaddress.tag(str(raw))
    except usaddress.RepeatedLabelError:
        return _NOTHING
    house_number = clean_text(tagged.get("AddressNumber"))
    street_words = [tagged[label] for label in _USADDRESS_STREET if label in tagged]
    street_text = clean_text(" ".join(street_words))
    street = normalize_street(street_text) if street_text else None
    unit_words = [tagged.get("OccupancyType"), tagged.get("OccupancyIdentifier")]
    unit = clean_text(" ".join(word for word in unit_words if word))
    if unit:
        words, unit = split_unit(["X", *unit.split(" ")])
        unit = unit or " ".join(words[1:])
    return (
        house_number.replace(" ", "") if house_number else None,
        street.name if street else None,
        street.key if street else None,
        unit or None,
        normalize_city(tagged.get("PlaceName")),
        normalize_zip(tagged.get("ZipCode")),
    )


def _without_full_stops(text):
    """The line without the full stops that end its words ("888 W Deerbrook Rd.", "5280 N.
    Hollyhill Dr": 10 % of the demo's participants), which clean_text reads as spaces, so such a
    line takes the plain line's path (72,000 instructions a line on the general path, 15,000 on
    the plain one; callgrind). A stop anywhere else ("N.Main", "12.5") is kept: the line then
    takes the general path, which reads `raw`."""
    return text.replace(". ", " ").removesuffix(".")


def _line_with_digits(line):
    """`_street_line` of a line of a house number and words of letters and digits ("362 10TH
    ST", "128 ELLIS AVE APT 30"; 8 % of the demo's participants), or None to let `_fast_parse`
    read it. Such a line is `_fast_parse`'s own street line, which it reads with `_street_line`
    (12.6 µs a line, 14.5 with a unit; compiled), unless it ends with a ZIP or a state ("123
    Main St Newark NJ 07104"); and the number, all digits, is what `_street_line`'s pattern
    finds (nothing of it is a unit, a range or a letter)."""
    house_number, _, rest = line.partition(" ")
    last = rest.rpartition(" ")[2]
    if last in _STATE_ONLY_CODES or (len(last) == 5 and last.isdigit()):
        return None
    return _after_number(house_number, rest, None)


def _comma_line(text):
    """ParsedAddress's fields of a plain street line and its town, state and ZIP, or its unit,
    after a comma (`_WITH_LOCALITY`, `_WITH_UNIT`; 6 % of the demo's participants, 20.7 µs a line on
    `_fast_parse`'s path, compiled), or None to let `_fast_parse` read it. It reads them as
    `_fast_parse` does: a state that is no unit designator (FL is a floor too) before the ZIP is
    dropped and the town is the city, unless the town's first word is a unit designator; a
    designator and its identifier are the unit, the street line's own; the street line is read
    by `_street_line`. No full stop: one before the ZIP's end keeps `_fast_parse` from the ZIP."""
    if match := _WITH_LOCALITY.fullmatch(text):
        street_piece, town, state, zip_code = match.groups()
        town, state = town.upper(), state.upper()
        if (
            state not in STATE_CODES
            or state in UNIT_DESIGNATORS
            or town.partition(" ")[0] in UNIT_DESIGNATORS
        ):
            return None
        street = _street_line(street_piece.upper())
        if street is None:
            return None
        return (*street, normalize_city(town), normalize_zip(zip_code))
    if match := _WITH_UNIT.fullmatch(text):
        street_piece, unit = match.groups()
        unit = unit.upper()
        designator, _, identifier = unit.partition(" ")
        if designator not in UNIT_DESIGNATORS or (
            len(identifier) > 4 and identifier[-5:].isdigit()
        ):
            return None  # an identifier ending with five digits: `_fast_parse` may read a ZIP
        street = _street_line(f"{street_piece.upper()} {unit}")
        if street is None:
            return None
        return (*street, None, None)
    return None


_NOTHING = (None, None, None, None, None, None)
_new_parsed = tuple.__new__  # ParsedAddress(*fields) without its Python-level __new__


def parse_address(raw):
    """ParsedAddress of a free-text address line; every part None when there is nothing to read."""
    return _new_parsed(ParsedAddress, address_parts(raw))


@cython.locals(text=str, plain=str, line=str, house_number=str, rest=str, words=list)
def address_parts(raw):
    """parse_address's fields as a tuple, which matching.scoring unpacks without iterating a named
    tuple. Compiled, its text typed str, whose methods Cython calls without a lookup: a warm pass
    over the 20k demo spent 89.2 → 82.0 M instructions here (callgrind, 2026-12-03). A plain
    tuple, not a ParsedAddress made, and the plain line's words tested by loops
    (`_letter_words`, `_has_designator`): 107.4 → 90.9 M first, 72.7 → 57.2 M warm (callgrind,
    2026-12-03, participant_query over the 20k demo)."""
    if raw is None:
        return _NOTHING
    text = str(raw).strip()
    if not text:
        return _NOTHING
    if not text.isascii():
        raw = half_width(str(raw))  # "１２ Ｅｌｍ Ｓｔ": read as 12 ELM ST is, by every path
        text = raw.strip()
    plain = _without_full_stops(text) if "." in text else text
    line = plain.upper()
    house_number, _, rest = line.partition(" ")
    words = rest.split(" ")
    if (
        plain.isascii()  # as [0-9] and [A-Za-z] read ("ı".upper() is I)
        and (
            house_number.isdigit() or (house_number[:-1].isdigit() and house_number[-1:].isalpha())
        )
        and _letter_words(rest)
    ):
        # "700 Castro St" (75% of the demo's participants, 97% of its parcels): a number, a letter
        # maybe, then words of letters between single spaces, so _fast_parse would find no comma,
        # locality or punctuation, and read the upper-cased text itself as the street line. Read
        # by str methods, not a pattern: parse_address over a warm pass of the 20k demo took
        # 82.0 → 72.9 M instructions (callgrind). Its first word is the house number (what
        # _street_line's pattern finds); without a unit designator, the rest is the street
        # (`_street_line` reads a unit, a letter of the house number and a directional glued to
        # it: "40 Elm St Rear", "16 A Elm St", "123N Main St").
        if words[-1] in _STATE_ONLY_CODES:
            return _fast_parse(raw) or _parser_parse(raw)  # "123 Main St West Orange NJ"
        if (
            not _has_designator(words)
            and words[-1] not in BARE_UNITS
            and house_number[-1] not in DIRECTIONALS
            and (len(words[0]) > 1 or words[0] in DIRECTIONALS)
        ):
            street = normalize_street(rest)  # a word at least: never None
            return (house_number, street.name, street.key, None, None, None)
        street = _street_line(line)
        if street is not None:
            return (*street, None, None)
    elif _PLAIN_LINE_WITH_DIGITS.fullmatch(plain):
        street = _line_with_digits(line)
        if street is not None:
            return (*street, None, None)
    elif "," in text and (parsed := _comma_line(text)) is not None:
        return parsed
    if _NUMBER_ONLY.match(text):  # "266": a house number whose street is missing
        return (text.upper(), None, None, None, None, None)
    return _fast_parse(raw) or _parser_parse(raw)
