"""Units of a building in an address line ("Apt 3", "# 3B", "2nd Floor", "Rear"): where a line
carries one (first, after a designator, or after the street's suffix without one) and the
identifier units are compared by (`unit_key`: "APT # 3" and "UNIT 3" are 3).
"""

import re
from functools import lru_cache

from scourgify.address_constants import OCCUPANCY_TYPE_ABBREVIATIONS

from matching.street_forms import DIRECTIONALS, NUMERIC_ORDINAL, SUFFIXES

# Unit designators that never start a street name (Pub 28 C2 minus words like FRONT, KEY, PIER).
UNIT_DESIGNATORS = {
    word: abbreviation
    for word, abbreviation in OCCUPANCY_TYPE_ABBREVIATIONS.items()
    if abbreviation in {"APT", "BLDG", "FL", "LOT", "RM", "SPC", "STE", "TRLR", "UNIT", "#"}
}
UNIT_DESIGNATORS.update({v: v for v in UNIT_DESIGNATORS.values()})
UNIT_DESIGNATORS.update({"NO": "#", "NUMBER": "#"})


def split_unit(words):
    """Street words and the unit ("APT 3") split off at the first designator after the name."""
    if UNIT_DESIGNATORS.keys().isdisjoint(words) and "#" not in "".join(words):
        return words, None  # most lines: no designator at all
    for index, word in enumerate(words):
        if index == 0:
            continue
        if word.startswith("#"):
            rest = [word[1:], *words[index + 1 :]] if len(word) > 1 else words[index + 1 :]
            return words[:index], " ".join(["#", *rest]).strip() or None
        if word in UNIT_DESIGNATORS and index + 1 < len(words):
            return words[:index], " ".join([UNIT_DESIGNATORS[word], *words[index + 1 :]])
    return words, None


def leading_unit(line):
    """(line, unit) of a line that starts with its unit ("APT 3 40 ELM ST", "# 3B 60 RIVER
    RD"): the designator and the word after it, when a house number follows, or when a street
    does ("LOT 14 OAK HOLLOW DR": a lot of a park, not the house 14 of that street, which
    usaddress read; but "# 12 MAIN ST" may be the house)."""
    words = line.split(" ", 3)
    if len(words) < 3 or words[0] not in UNIT_DESIGNATORS:
        return line, None
    designator = UNIT_DESIGNATORS[words[0]]
    if words[2][:1].isdigit() or (designator != "#" and words[1][:1].isdigit()):
        return " ".join(words[2:]), f"{designator} {words[1]}"
    return line, None


# Pub 28 unit designators that take no number ("40 Elm St Rear", "Bsmt", "Upper"), which a
# line may end with after its street's suffix (`trailing_unit`); KEY, PIER, SLIP and STOP name
# streets too.
BARE_UNITS = {
    word: abbreviation
    for word, abbreviation in OCCUPANCY_TYPE_ABBREVIATIONS.items()
    if abbreviation in {"BSMT", "FRNT", "LBBY", "LOWR", "OFC", "PH", "REAR", "SIDE", "UPPER"}
}
BARE_UNITS.update({v: v for v in BARE_UNITS.values()})
BARE_UNITS.update({"UPPR": "UPPER"})
# Street types a number or a number and letter follow as the road's own name (US HIGHWAY 9W,
# STATE ROUTE 17), never a unit.
_NUMBERED_TYPES = {"HWY", "RTE", "FWY", "EXPY", "TPKE"}


# A designator of letters glued to its number ("APT3", "STE200", "UNIT2B"; `trailing_unit`).
_GLUED_DESIGNATORS = sorted((word for word in UNIT_DESIGNATORS if word.isalpha()), key=len)
_DIGITS = frozenset("0123456789")
_GLUED_UNIT = re.compile(f"({'|'.join(reversed(_GLUED_DESIGNATORS))})" + r"(\d+[A-Z]?)")


def trailing_unit(words):
    """(street words, unit) of street words that end with a unit written without its
    designator after the street's suffix (and directional): "ELM ST 3B", "RIVER RD 3 B",
    "ELM ST 2ND FLOOR", "ELM ST REAR", "MAIN ST REAR HOUSE", or with its designator glued to
    its number ("ELM ST APT3" → APT 3). Only after a name and its suffix, so AVENUE C and
    COUNTY RD 5 keep their letter and number; a number alone ("ELM ST 3") is left to the
    street, as in COUNTY ROAD 5."""
    size = len(words)
    last = words[-1]
    if (
        size > 1
        and (last[-1:] in _DIGITS or last[-2:-1] in _DIGITS)  # no call for most words
        and (glued := _GLUED_UNIT.fullmatch(last))
    ):
        return words[:-1], f"{UNIT_DESIGNATORS[glued[1]]} {glued[2]}"
    for start in (size - 1, size - 2):
        if start < 2 or not _unit_like(words[start:]):
            continue
        suffix = start - 1 if words[start - 1] not in DIRECTIONALS else start - 2
        if (
            suffix >= 1
            and words[suffix] in SUFFIXES
            and SUFFIXES[words[suffix]] not in _NUMBERED_TYPES
        ):
            return words[:start], " ".join(words[start:])
    return words, None


def _unit_like(tail):
    """Whether one or two words are a unit without its designator: a bare unit word ("REAR",
    "REAR HOUSE"), a floor ("2ND FLOOR"), or an identifier that mixes digits and a letter
    ("3B", "3 B"; not a directional: 9W is a route)."""
    first = tail[0]
    if first in BARE_UNITS:
        return True
    if len(tail) == 2:
        second = tail[1]
        if second in UNIT_DESIGNATORS and UNIT_DESIGNATORS[second] == "FL":
            return first[:1].isdigit()
        return (
            first.isdigit()
            and len(second) == 1
            and second.isalpha()
            and (second not in DIRECTIONALS)
        )
    return (
        first[:1].isdigit()
        and not first.isdigit()
        and first[-1] not in DIRECTIONALS
        and not NUMERIC_ORDINAL.match(first)
    )


@lru_cache(maxsize=4096)
def unit_key(unit):
    """A unit's identifier, however it is written: the designators dropped, an ordinal read as
    its number, a letter joined to the number before it ("APT # 3", "UNIT 3", "STE 3" → "3";
    "UNIT 3 B", "3B" → "3B"; "2ND FLOOR", "FL 2" → "2"), or None."""
    words = []
    for word in unit.replace("-", " ").split():
        if word in UNIT_DESIGNATORS:
            continue
        if match := NUMERIC_ORDINAL.match(word):
            word = match.group(1)
        if len(word) == 1 and word.isalpha() and words and words[-1][-1:].isdigit():
            words[-1] += word
        else:
            words.append(word)
    return " ".join(words) or None
