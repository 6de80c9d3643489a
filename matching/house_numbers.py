"""House numbers as the county writes them: a range (20-22) and the numbers it stands for, a
fraction (12 1/2), a letter glued on (16A) or standing apart ("16 A Elm St"), and letters of the
street run into the number split off ("123N Main St", "8Old Mill Ln").
"""

import re
from functools import lru_cache

from matching.street_forms import DIRECTIONALS, NUMERIC_ORDINAL, SUFFIXES, normalize_street

# A house number (`split_house_number`): digits, then a range's end (20-22), a fraction (12 1/2,
# 12-1/2) or letters glued on (16A, 123N, 8OLD), then the rest of the line.
HOUSE_NUMBER = re.compile(r"^(\d+)(-\d+(?!/)|[ -]\d/\d|[A-Z]+)? (.+)$")
# Wisconsin's grid numbers: a direction and the distance from the county's base line, twice in
# some towns (N1234 County Road K, W156N8480 Pilgrim Rd), written apart too ("N 1234", "W156
# N8480", "W156-N8480"). Three digits at least, so "W 7 Mile Rd" stays a street.
GRID_NUMBER = re.compile(r"^(?:([NSEW]) ?(\d+)[ -]?)?([NSEW]) ?(\d{3,}) (.+)$")


def split_house_number(match):
    """(house number, rest of the line) of a `HOUSE_NUMBER` match, (None, None) for an ordinal
    street ("8TH AVE", no house number). The number's range (20-22), fraction (12 1/2) and
    letter (16A) are part of it, as the county writes them (a letter standing apart, "16 A Elm
    St", starts the street: `house_letter`). Letters glued on are split off when a street
    follows them: a directional ("123N Main St") or a word ("8Old Mill Ln")."""
    number, marks, rest = match.groups()
    if marks is None:
        return number, rest
    if marks[0] == "-":
        return (number + marks, rest) if "/" not in marks else (f"{number} {marks[1:]}", rest)
    if marks[0] == " ":
        return number + marks, rest  # "12 1/2"
    if NUMERIC_ORDINAL.match(number + marks):
        return None, None
    if (len(marks) > 1 or marks in DIRECTIONALS) and _names_a_street(rest):
        return number, f"{marks} {rest}"  # "8OLD MILL LN", "123N MAIN ST"
    return number + marks, rest


def split_grid_number(match):
    """(house number, rest of the line) of a `GRID_NUMBER` match: "W 156 N 8480" → W156N8480."""
    first, first_distance, direction, distance, rest = match.groups()
    return f"{first or ''}{first_distance or ''}{direction}{distance}", rest


@lru_cache(maxsize=4096)
def house_letter(house_number, street):
    """(house number, Street) read with the street's first word as the house number's letter
    ("16", "A ELM ST" → "16A", ELM ST; written "16 A Elm St" or "16-A Elm St"), or None when
    that word is no lone letter, a directional, or leaves no street ("1600 K St NW" is K ST NW).
    Whether the letter is the number's or the street's (12 O BRIEN CT, 1200 U S HWY 1) only the
    county's parcels tell (matching.scoring.read_house_letter)."""
    if not house_number or not house_number.isdigit() or street[1:2] != " ":
        return None
    letter, rest = street[0], street[2:]
    if not letter.isalpha() or letter in DIRECTIONALS or not _names_a_street(rest):
        return None
    return house_number + letter, normalize_street(rest)


# House numbers written in words ("One Gateway Center"): those a building is named by.
SPELLED_NUMBERS = {
    "ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5, "SIX": 6, "SEVEN": 7, "EIGHT": 8,
    "NINE": 9, "TEN": 10, "ELEVEN": 11, "TWELVE": 12,
}  # fmt: skip


@lru_cache(maxsize=4096)
def spelled_number(street):
    """(house number, Street) of a street whose first word is a house number written in words
    ("ONE GATEWAY CTR" → "1", GATEWAY CTR), or None when that word is no number or leaves no
    street. Whether the word is the number or the street's ("Seven Oaks Dr") only the county's
    parcels tell (matching.scoring.read_spelled_number)."""
    word, _, rest = street.partition(" ")
    if word not in SPELLED_NUMBERS or not rest or not _names_a_street(rest):
        return None
    return str(SPELLED_NUMBERS[word]), normalize_street(rest)


@lru_cache(maxsize=4096)
def hyphen_number(house_number, street):
    """(house number, its number before the hyphen, Street or None for the street as written)
    read as a Queens hyphenated number (the cross street's number, then the house's two
    digits: 108-25), or None: "108 25 QUEENS BLVD" ("108", "25 QUEENS
    BLVD") and "10825 QUEENS BLVD" are 108-25 QUEENS BLVD. Whether the number is the county's
    108-25 or the street's own only the county's parcels tell
    (matching.scoring.read_hyphen_number)."""
    if not house_number.isdigit():
        return None
    if street[2:3] == " " and street[:2].isdigit():
        if len(house_number) > 3 or not _names_a_street(street[3:]):
            return None
        return f"{house_number}-{street[:2]}", int(house_number), normalize_street(street[3:])
    if not 3 <= len(house_number) <= 5:
        return None
    return f"{house_number[:-2]}-{house_number[-2:]}", int(house_number[:-2]), None


def _names_a_street(text):
    """Whether `text` is a street: a name is left beside its suffix and directionals ("ST NW"
    is not; "ELM ST", "BROADWAY" are)."""
    street = normalize_street(text)
    return street is not None and (street.suffix is not None or street.key not in SUFFIXES)


MAX_RANGE_NUMBERS = 10  # a range parcel (20-22) is found under at most this many numbers


@lru_cache(maxsize=4096)
def range_numbers(house_number):
    """The house numbers of a range ("20-22" → (20, 22), "20-24" → (20, 22, 24): a double or a
    row of houses held as one parcel, its numbers of one side of the street), () when it is no
    range or holds more than MAX_RANGE_NUMBERS."""
    first, dash, last = house_number.partition("-")
    if not dash or not first.isdigit() or not last.isdigit():
        return ()
    first, last = int(first), int(last)
    step = 2 if (last - first) % 2 == 0 else 1
    numbers = tuple(range(first, last + 1, step))
    return numbers if 1 < len(numbers) <= MAX_RANGE_NUMBERS else ()
