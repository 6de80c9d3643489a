"""US address normalisation shared by the migration, the matcher and the review pages.

Both sides of a match go through the same functions: the county's clean "123 N MAIN ST" and a
participant's "123 north main street, apt 3" both become house number "123", street "N MAIN ST",
street key "MAIN", unit "APT 3".

USPS Publication 28 tables (suffixes, directionals, unit designators, states) come from
usaddress-scourgify. Parsing takes a fast path for the common shapes ("number street [unit]",
optionally followed by ", city, ST zip"); usaddress (a CRF, about 85 µs a call, too slow to run on
every participant at 20,000/s) is the fallback for lines the fast path cannot read.
"""

import re
from functools import lru_cache
from typing import NamedTuple

import usaddress
from rapidfuzz import process
from rapidfuzz.distance import OSA
from scourgify.address_constants import (
    CITY_ABBREVIATIONS,
    DIRECTIONAL_REPLACEMENTS,
    OCCUPANCY_TYPE_ABBREVIATIONS,
    STATE_ABBREVIATIONS,
    STREET_TYPE_ABBREVIATIONS,
)

from participants.fields import normalize_zip

# Pub 28 directionals, both spellings → the abbreviation.
DIRECTIONALS = {**DIRECTIONAL_REPLACEMENTS, **{v: v for v in DIRECTIONAL_REPLACEMENTS.values()}}
_DIRECTIONAL_PAIRS = {("NORTH", "EAST"): "NE", ("NORTH", "WEST"): "NW"}
_DIRECTIONAL_PAIRS.update({("SOUTH", "EAST"): "SE", ("SOUTH", "WEST"): "SW"})

# Pub 28 suffixes, every spelling → the abbreviation, and each abbreviation → itself: scourgify's
# table lacks 34 abbreviations as spellings (MTWY, STS, DRS, ...), so "BOONE MOTORWAY" normalised
# to BOONE MTWY, and that again to a street BOONE MTWY without a suffix.
SUFFIXES = {**STREET_TYPE_ABBREVIATIONS, **{v: v for v in STREET_TYPE_ABBREVIATIONS.values()}}

# Unit designators that never start a street name (Pub 28 C2 minus words like FRONT, KEY, PIER).
UNIT_DESIGNATORS = {
    word: abbreviation
    for word, abbreviation in OCCUPANCY_TYPE_ABBREVIATIONS.items()
    if abbreviation in {"APT", "BLDG", "FL", "LOT", "RM", "SPC", "STE", "TRLR", "UNIT", "#"}
}
UNIT_DESIGNATORS.update({v: v for v in UNIT_DESIGNATORS.values()})
UNIT_DESIGNATORS.update({"NO": "#", "NUMBER": "#"})

STATES = {*STATE_ABBREVIATIONS, *STATE_ABBREVIATIONS.values()}  # names and abbreviations
STATE_CODES = frozenset(STATE_ABBREVIATIONS.values())  # "NJ"

# The kind of municipality, which a town's name may carry or not: after it ("Orange Township";
# not CITY or TOWN, part of names such as JERSEY CITY), or before it ("City of Orange").
MUNICIPALITY_WORDS = frozenset(["TWP", "TOWNSHIP", "BORO", "BOROUGH"])
MUNICIPALITY_OF = frozenset([*MUNICIPALITY_WORDS, "CITY", "TOWN", "VILLAGE"])

# State codes that end an address line only as a state (not CT, MT, NE, FL: a suffix, a
# directional or a unit designator too).
_STATE_ONLY_CODES = STATE_CODES.difference(SUFFIXES, DIRECTIONALS, UNIT_DESIGNATORS)

# A town's first word written short → spelled out: the directionals, SAINT, MOUNT, FORT and
# VIRGINIA (scourgify's CITY_ABBREVIATIONS), and LAKE and PORT ("Lk Mark", "Pt Tina"; Pt also
# stands for Point, which is left unread as before). Of the held-out set's 16,822 contacts who
# live at a parcel, 14,255 now write its town as the county does ("E Robert" for EAST ROBERT),
# 12,116 before.
CITY_WORDS = {**CITY_ABBREVIATIONS, "LK": "LAKE", "PT": "PORT"}

_ORDINAL_UNITS = {
    "FIRST": 1,
    "SECOND": 2,
    "THIRD": 3,
    "FOURTH": 4,
    "FIFTH": 5,
    "SIXTH": 6,
    "SEVENTH": 7,
    "EIGHTH": 8,
    "NINTH": 9,
}
ORDINAL_WORDS = {
    **_ORDINAL_UNITS,
    "TENTH": 10,
    "ELEVENTH": 11,
    "TWELFTH": 12,
    "THIRTEENTH": 13,
    "FOURTEENTH": 14,
    "FIFTEENTH": 15,
    "SIXTEENTH": 16,
    "SEVENTEENTH": 17,
    "EIGHTEENTH": 18,
    "NINETEENTH": 19,
    "TWENTIETH": 20,
    "THIRTIETH": 30,
    "FORTIETH": 40,
    "FIFTIETH": 50,
    "SIXTIETH": 60,
    "SEVENTIETH": 70,
    "EIGHTIETH": 80,
    "NINETIETH": 90,
}
_TENS = {"TWENTY": 20, "THIRTY": 30, "FORTY": 40, "FIFTY": 50, "SIXTY": 60}
_TENS.update({"SEVENTY": 70, "EIGHTY": 80, "NINETY": 90})
# Ordinals of two words written as one ("Twentyfirst") → their number, as "Twenty First" is.
_GLUED_ORDINALS = {
    tens + unit: _TENS[tens] + n for tens in _TENS for unit, n in _ORDINAL_UNITS.items()
}
_ORDINAL_CHOICES = tuple(ORDINAL_WORDS)
_NUMERIC_ORDINAL = re.compile(r"^(\d+)(ST|ND|RD|TH)$")
_ORDINAL_ENDINGS = ("TH", "ST", "ND", "RD")

# Suffix words a typo is corrected to ("STTEET" → ST, "CERSCENT" → CRES): the common residential
# ones, five letters or more, so that a short name word ("PARKS", "VIEWS") is never taken for one.
_TYPO_SUFFIXES = (
    "STREET", "AVENUE", "DRIVE", "COURT", "PLACE", "CIRCLE", "CRESCENT", "TERRACE", "BOULEVARD",
    "PARKWAY", "TRAIL", "HIGHWAY", "SQUARE",
)  # fmt: skip
# Their suffixes and those of ROAD and LANE: the types streets are named with, where a word like
# MILL, LAKE or BROOKS names streets as often as it types them.
COMMON_SUFFIXES = {SUFFIXES[word] for word in (*_TYPO_SUFFIXES, "ROAD", "LANE")}


def _slips(word):
    """The words one slip of a typist away from `word` that keep its first letter: a letter
    dropped, a letter doubled, two neighbours swapped (not a letter replaced: that gives real
    names, LACE for LANE, AVON for AVEN)."""
    for i in range(1, len(word) + 1):
        yield word[:i] + word[i - 1 :]
        if i < len(word):
            yield word[:i] + word[i + 1 :]
        if i + 1 < len(word):
            yield word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _suffix_slips():
    """Slip (`_slips`, three letters or more) of a Pub 28 spelling of a COMMON_SUFFIXES suffix →
    that suffix ("BLV" → BLVD, "CORT" → CT, "DRIE" → DR), unless the slip is itself a Pub 28
    spelling (RAD: RADL) or slips from two suffixes. Of the 339 suffixes the benchmarks' contacts
    (held-out, demo, FEBRL4) wrote and normalisation did not read, 154 are these, and no slip is
    read as another suffix than the parcel's; of their parcels' name words, only CRE is one."""
    found = {}
    for spelling, suffix in SUFFIXES.items():
        if suffix in COMMON_SUFFIXES and spelling.isalpha():
            for slip in _slips(spelling):
                if len(slip) >= 3 and slip not in SUFFIXES:
                    found.setdefault(slip, set()).add(suffix)
    return {slip: suffixes.pop() for slip, suffixes in found.items() if len(suffixes) == 1}


_SUFFIX_SLIPS = _suffix_slips()


def _ordinal_slips():
    """Slip (`_slips`, five letters or more) of an ordinal word → its number ("THRID" → 3,
    "TENHT" → 10), unless the slip is a Pub 28 spelling, slips from two ordinals, or cuts the
    word short (EIGHT, TENT are words of their own)."""
    found = {}
    for word, number in ORDINAL_WORDS.items():
        for slip in _slips(word):
            if len(slip) >= 5 and slip not in SUFFIXES and not word.startswith(slip):
                found.setdefault(slip, set()).add(number)
    return {
        slip: numbers.pop()
        for slip, numbers in found.items()
        if len(numbers) == 1 and slip not in ORDINAL_WORDS
    }


_ORDINAL_SLIPS = _ordinal_slips()


def _direction_forms():
    """Directional words written informally or with a slip → the directional, read only before
    a name ("No. Main St", "So Main", "Nrth Main St"): NO and SO, and the slips (`_slips`, four
    letters or more, not cut short) of NORTH, SOUTH, EAST and WEST that are no Pub 28 spelling.
    4 of benchmarks/address_variants.py's forms; none of the benchmark data sets' 114,016
    addresses reads otherwise."""
    found = {"NO": "N", "SO": "S"}
    for word in ("NORTH", "SOUTH", "EAST", "WEST"):
        for slip in _slips(word):
            if len(slip) >= 4 and not word.startswith(slip) and slip not in SUFFIXES:
                found.setdefault(slip, DIRECTIONALS[word])
    return found


_PREDIRECTIONALS = {**_direction_forms(), **DIRECTIONALS}

# Punctuation that separates words; "#" and "/" are kept because they carry meaning, and "-"
# between digits (a house number's range, 20-22; `_number_marks`).
_PUNCTUATION = re.compile(r"[^\w#/ -]+")
_ASCII_PUNCTUATION = str.maketrans(
    {char: " " for char in map(chr, range(128)) if not (char.isalnum() or char in "_#/- ")}
)
_RANGE_HYPHEN = re.compile(r"(?<=\d)\s*-\s*(?=\d)")
_LOOSE_HYPHEN = re.compile(r"(?<!\d)-|-(?!\d)")
_HALF = re.compile(r"(?<=\d)\.5(?![\d/])|\u00bd")
# A house number (`_house_number`): digits, then a range's end (20-22), a fraction (12 1/2,
# 12-1/2) or letters glued on (16A, 123N, 8OLD), then the rest of the line.
_HOUSE_NUMBER = re.compile(r"^(\d+)(-\d+(?!/)|[ -]\d/\d|[A-Z]+)? (.+)$")
_ZIP_TAIL = re.compile(r"(\d{5})(?:\s*-\s*\d{4}|\d{4})?\s*$|(?<=[A-Z]{2} )(\d{3,4})\s*$")
_LOCALITY_WITHOUT_COMMA = re.compile(r"\s(?:[A-Z]{2}\s+)?\d{5}(?:\s*-\s*\d{4})?\s*$")
_HASH_GLUED = re.compile(r"#(?=\w)")
_DIGIT = re.compile(r"\d")
_NUMBER_ONLY = re.compile(r"^\d+[A-Za-z]?$")
_PLAIN_LINE = re.compile(r"\d+[A-Za-z]? [A-Za-z]+(?: [A-Za-z]+)*", re.ASCII)


class ParsedAddress(NamedTuple):
    house_number: str | None  # "123", "123A"
    street: str | None  # "N MAIN ST": directionals, name and suffix in Pub 28 form
    street_key: str | None  # "MAIN": the name alone, for blocking across suffix/direction noise
    unit: str | None  # "APT 3"
    city: str | None  # "SPRINGFIELD" (from the line when the City field is empty)
    zip5: str | None  # from the line when the ZIP field is empty


def clean_text(raw):
    """Upper case, punctuation to spaces (except # and /, and the marks of `_number_marks`),
    single spaces; None when empty."""
    if raw is None:
        return None
    text = str(raw).upper()
    if "-" in text or "." in text or "\u00bd" in text:
        text = _number_marks(text)
    text = text.translate(_ASCII_PUNCTUATION) if text.isascii() else _PUNCTUATION.sub(" ", text)
    return " ".join(text.split()) or None


def _number_marks(text):
    """A hyphen kept between digits only (a house number's range, "20 - 22" → 20-22; a hyphen
    elsewhere separates words), and a half written "½" or ".5" as " 1/2" ("12½", "12.5": the
    county's 12 1/2)."""
    if "-" in text:
        text = _LOOSE_HYPHEN.sub(" ", _RANGE_HYPHEN.sub("-", text))
    if "." in text or "\u00bd" in text:
        text = _HALF.sub(" 1/2", text)
    return text


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
    rest, zip5 = _split_locality(raw.upper())
    return normalize_city(rest), zip5


def _ordinal(number):
    if 10 <= number % 100 <= 20:
        return f"{number}TH"
    return f"{number}{ {1: 'ST', 2: 'ND', 3: 'RD'}.get(number % 10, 'TH') }"


def _edits_allowed(word):
    """Typos tolerated in a word of this length: one, two from eight letters on."""
    return 1 if len(word) < 8 else 2


def _close_to(word, choices):
    """The choice fewest edits away (OSA: a swap is one edit), within `_edits_allowed`; None
    when there is none or two are equally close. One rapidfuzz call over the choices (a tuple):
    a word new to the caches is compared with 28 ordinals and 13 suffixes."""
    found = process.extract(
        word, choices, scorer=OSA.distance, score_cutoff=_edits_allowed(word), limit=2
    )
    if not found or (len(found) == 2 and found[0][1] == found[1][1]):
        return None
    return found[0][0]


@lru_cache(maxsize=4096)
def misspelled_ordinal(word):
    """The ordinal number a misspelled ordinal word stands for ("FORTH" → 4, "EQEVENTH" → 11,
    "THRID" → 3), or None: a slip of an ordinal word (`_ORDINAL_SLIPS`), or a word of eight
    letters or more, or of five ending like an ordinal, `_close_to` one."""
    if word in _ORDINAL_SLIPS:
        return _ORDINAL_SLIPS[word]
    if (
        len(word) < 5
        or not word.isalpha()
        or not (len(word) >= 8 or word.endswith(_ORDINAL_ENDINGS))
    ):
        return None
    close = _close_to(word, _ORDINAL_CHOICES)
    return ORDINAL_WORDS[close] if close else None


@lru_cache(maxsize=4096)
def misspelled_suffix(word):
    """The Pub 28 suffix of a misspelled suffix word ("STTEET" → "ST", "BLV" → "BLVD"), or None:
    a slip of a common suffix's spelling (`_SUFFIX_SLIPS`), or from five letters on, a word
    `_close_to` a common suffix word."""
    if word in _SUFFIX_SLIPS:
        return _SUFFIX_SLIPS[word]
    if len(word) < 5 or not word.isalpha() or word in SUFFIXES:
        return None
    close = _close_to(word, _TYPO_SUFFIXES)
    return SUFFIXES[close] if close else None


def _ordinals(words):
    """ "FIRST" → "1ST", "TWENTY FIRST" → "21ST", "21st" stays "21ST", "Forth" → "4TH"."""
    out = []
    index = 0
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else None
        if word in _TENS and following in _ORDINAL_UNITS:
            out.append(_ordinal(_TENS[word] + _ORDINAL_UNITS[following]))
            index += 2
            continue
        if word in ORDINAL_WORDS:
            out.append(_ordinal(ORDINAL_WORDS[word]))
        elif word in _GLUED_ORDINALS:
            out.append(_ordinal(_GLUED_ORDINALS[word]))
        elif word[0].isdecimal() and (match := _NUMERIC_ORDINAL.match(word)):
            out.append(_ordinal(int(match.group(1))))
        elif len(word) >= 5 and (number := misspelled_ordinal(word)):
            out.append(_ordinal(number))
        else:
            out.append(word)
        index += 1
    return out


# Martin Luther King Jr., the person most US streets are named for, written short ("MLK",
# "M L King", "Martin L King", "Dr. MLK Jr."): one name, MARTIN LUTHER KING JR (7 forms of
# benchmarks/address_variants.py linked).
_MLK = re.compile(
    r"^(?:(?:DR|DOCTOR) )?(?:MLK|M L K|M L KING|MARTIN L KING|MARTIN LUTHER KING)"
    r"(?: (?:JR|JUNIOR))?(?= |$)"
)
_MLK_FIRST_WORDS = {"DR", "DOCTOR", "MLK", "M", "MARTIN"}


def _memorial_names(words):
    """Words with MLK's forms (`_MLK`) at their start written MARTIN LUTHER KING JR (the caller
    checks the first word is in _MLK_FIRST_WORDS)."""
    text = " ".join(words)
    named = _MLK.sub("MARTIN LUTHER KING JR", text, count=1)
    return named.split(" ") if named != text else words


class Street(NamedTuple):
    name: str  # "N MAIN ST"
    key: str  # "MAIN"
    predirectional: str | None
    suffix: str | None
    postdirectional: str | None
    # Street-type words abbreviated everywhere, so that "Aspen Point" (read as ASPEN + PT) can
    # meet ASPEN POINT RD: `plain` keeps the suffix word as a name word ("ASPEN PT"),
    # `short_key` is the key so abbreviated ("ASPEN PT" for the key "ASPEN POINT").
    plain: str
    short_key: str
    # The name and the suffix spelled out, without spaces ("MAINSTREET"), so that words run
    # together or split apart ("HAYNESPLACE", "LAMINGTONS TREET") still meet.
    compact: str
    # Whether a word of the name is a street type ("POINT" in ASPEN POINT): only then can `plain`
    # and `short_key` meet a street whose name is not close to this one's.
    type_word: bool = False


# Street types written before the name (usaddress's StreetNamePreType): AVENUE in any Pub 28
# spelling ("AVENUE J", "AVENUE OF THE AMERICAS"), and the Spanish, Italian and French types
# (CALLE SOL, CAMINO REAL, VIA VERDE, RUE ROYALE) → the type, as a suffix is.
PRE_TYPES = {word: "AVE" for word, suffix in SUFFIXES.items() if suffix == "AVE"}
PRE_TYPES.update({word: word for word in ("CALLE", "CAMINO", "RUE", "VIA")})


def _full_suffixes():
    """Pub 28 suffix → its word ("PL" → "PLACE"): the longest spelling, not a plural."""
    spellings = {}
    for word, abbreviation in STREET_TYPE_ABBREVIATIONS.items():
        if word.isalpha():
            spellings.setdefault(abbreviation, []).append(word)
    return {
        abbreviation: max([word for word in words if not word.endswith("S")] or words, key=len)
        for abbreviation, words in spellings.items()
    }


FULL_SUFFIXES = _full_suffixes()


# Highways (Pub 28 §2.6 and its Appendix): each kind's standard name.
_ROUTE_NAMES = {
    "US": "US HIGHWAY",
    "STATE": "STATE ROUTE",
    "COUNTY": "COUNTY ROAD",
    None: "HIGHWAY",
}
_ROUTE_NUMBER = re.compile(r"\d+[A-Z]?")


def _route_kinds():
    """The words written before a route's number → its kind: US ("US-1", "U.S. Route 1"),
    STATE ("SR 17", "NJ-17", "State Hwy 17", "St Rd 17"), COUNTY ("CR 5", "Co. Rd. 5", "County
    Route 5"), None when only a route word says it is a highway ("Hwy 1", "Rt 1", "Route 17").
    A two-letter state says a state route, but for CO (county) and NE (northeast)."""
    route_words = [w for w, a in SUFFIXES.items() if a in ("HWY", "RTE") and w.isalpha()] + ["RT"]
    roads = [*route_words, "RD", "ROAD"]
    states = {a for a in STATE_ABBREVIATIONS.values() if a not in ("CO", "NE")}
    found = dict.fromkeys(route_words)
    found.update({"US": "US", "U S": "US", "SR": "STATE", "CR": "COUNTY"})
    found.update(dict.fromkeys(states, "STATE"))
    for kind, prefixes, words in (
        ("US", ("US", "U S", "UNITED STATES"), route_words),
        ("STATE", ("STATE", "ST"), roads),
        ("STATE", states, route_words),
        ("COUNTY", ("COUNTY", "CO", "CNTY"), roads),
    ):
        found.update({f"{prefix} {word}": kind for prefix in prefixes for word in words})
    return found


_ROUTE_KINDS = _route_kinds()


def _route(words, postdirectional):
    """The Street of a highway ("US HWY 1" → US HIGHWAY 1), or None. Its key is the route
    (HIGHWAY 1), so that "Route 1" meets US HIGHWAY 1, and its kind stands in the suffix's
    place, so that a kind given must agree (US 1 is not STATE ROUTE 1). Never an ordinal street:
    "Hwy 1" is not 1ST ST. benchmarks/address_variants.py: 31 of 48 highway forms failed as
    newcomers (each tied with its numbered street), none now."""
    if len(words) < 2 or not _ROUTE_NUMBER.fullmatch(words[-1]):
        return None
    prefix = " ".join(words[:-1])
    if prefix not in _ROUTE_KINDS:
        return None
    kind = _ROUTE_KINDS[prefix]
    key = f"HIGHWAY {words[-1]}"
    name = " ".join(filter(None, (_ROUTE_NAMES[kind], words[-1], postdirectional)))
    return Street(name, key, None, kind, postdirectional, key, key, key.replace(" ", ""))


@lru_cache(maxsize=65536)
def normalize_street(text):
    """Street of a cleaned street line without house number or unit, or None.

    Idempotent: the `name` of a result normalises to the same result, so a normalised street
    can be split into its parts again.

    A directional at either end and a suffix at the end are abbreviated only when a name is left,
    so "North Street" is the street NORTH ST and "West End Ave" the street W END AVE. Between a
    directional and a street-type word that is not a common suffix, the name is the type word:
    "S Mill" is the street S MILL (the county's S MILL ST, its suffix left out).
    """
    words = _ordinals(text.replace("-", " ").split())
    if not words:
        return None
    predirectional = postdirectional = suffix = None
    # "North East Main St" is NE MAIN ST, but "North West Dr" is N WEST DR.
    if len(words) > 3 and (words[0], words[1]) in _DIRECTIONAL_PAIRS:
        words = [_DIRECTIONAL_PAIRS[(words[0], words[1])], *words[2:]]
    if len(words) > 1 and words[-1] in DIRECTIONALS:
        postdirectional = DIRECTIONALS[words[-1]]
        words = words[:-1]
    if words[-1][-1].isdigit() and (route := _route(words, postdirectional)):
        return route
    if words[0] in _MLK_FIRST_WORDS:
        words = _memorial_names(words)
    if len(words) > 1 and (corrected := misspelled_suffix(words[-1])):
        words = [*words[:-1], corrected]  # "KNOX STTEET" → KNOX ST
    plain_words = words
    if len(words) > 1 and words[-1] in SUFFIXES and not _directional_and_name(words):
        suffix = SUFFIXES[words[-1]]
        words = words[:-1]
    if len(words) > 1 and words[0] in _PREDIRECTIONALS:
        predirectional = _PREDIRECTIONALS[words[0]]
        words = words[1:]
        plain_words = plain_words[1:]
    if suffix is None and len(words) > 1 and words[0] in PRE_TYPES:
        return _pre_typed(words, predirectional, postdirectional)
    key = " ".join(words)
    parts = [predirectional, key, suffix, postdirectional]
    name = " ".join(part for part in parts if part)
    compact = key.replace(" ", "") + FULL_SUFFIXES.get(suffix, suffix or "")
    type_word = any(word in SUFFIXES for word in words)
    return Street(
        name, key, predirectional, suffix, postdirectional, _abbreviate(plain_words),
        _abbreviate(words), compact, type_word,
    )  # fmt: skip


def _pre_typed(words, predirectional, postdirectional):
    """The Street of a street whose type comes before its name ("VIA VERDE", "AVENUE J"): the
    type stands in the suffix's place and the key is the name after it, so that "Verde" meets
    VIA VERDE as it meets VERDE CT (one-sided type) and the two tie, while "Via Verde" and
    "Verde Ct" each keep their own street (a type that differs). `plain` keeps the type as a
    name word, so that "Via Verde Dr" still meets it. benchmarks/address_variants.py: `15
    Verde` and `15 J` linked VERDE CT and J ST beside VIA VERDE and AVENUE J; now reviewed."""
    pre_type, *name_words = words
    key = " ".join(name_words)
    name = " ".join(filter(None, (predirectional, pre_type, key, postdirectional)))
    plain = _abbreviate(words)
    short_key = _abbreviate(name_words)
    compact = "".join(words)
    type_word = any(word in SUFFIXES for word in name_words)
    return Street(
        name, key, predirectional, PRE_TYPES[pre_type], postdirectional, plain, short_key,
        compact, type_word,
    )  # fmt: skip


def _directional_and_name(words):
    """Whether the words are a directional and a street-type word that names streets as often
    (MILL, LAKE, BROOKS: not in COMMON_SUFFIXES)."""
    return (
        len(words) == 2 and words[0] in DIRECTIONALS and SUFFIXES[words[1]] not in COMMON_SUFFIXES
    )


# Name words written short or long (Pub 28 abbreviates them in city names; scourgify's
# CITY_ABBREVIATIONS): the short key writes them short, as it does street-type words, so that
# "Saint Charles Ave" meets ST CHARLES AVE and "Mt Vernon Rd" MOUNT VERNON RD (MOUNT and FORT are
# Pub 28 street types already; matching.streets compares the short keys). 9 forms of
# benchmarks/address_variants.py linked, "Ct St" for COURT ST among them.
_SHORT_WORDS = {**SUFFIXES, "SAINT": "ST"}


def _abbreviate(words):
    return " ".join(_SHORT_WORDS.get(word, word) for word in words)


def _word_spellings():
    spellings = {}
    for word, short in _SHORT_WORDS.items():
        spellings.setdefault(short, {short}).add(word)
    return spellings


_WORD_SPELLINGS = _word_spellings()  # ST → {ST, STREET, STR, SAINT, ...}
_ROUTE_KEY = re.compile(r"HIGHWAY (\d+[A-Z]?)")


def street_key_pattern(key):
    """A regular expression (upper case) that finds the street `key` in a county's raw
    address however the county writes it, anywhere in it as the key itself would: each word in
    any of its spellings (SAINT CHARLES finds ST CHARLES AVE), and a route by its number at the
    end (HIGHWAY 17 finds STATE ROUTE 17 N). A reviewer's search without a house number filters
    on it."""
    if route := _ROUTE_KEY.fullmatch(key):
        return rf"\s{route.group(1)}(\s+[NSEW]{{1,2}})?$"
    words = []
    for word in key.split(" "):
        spellings = _WORD_SPELLINGS.get(_SHORT_WORDS.get(word, word), {word})
        words.append("(?:" + "|".join(sorted(map(re.escape, spellings))) + ")")
    return r"\s+".join(words)


def _split_unit(words):
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


def _street_line(line):
    """(house_number, street, street_key, unit) of "123 N Main St Apt 3" (or of "Main St"
    when the line holds no digit at all), or None. A unit may come first ("Apt 3 40 Elm St")
    or last without a designator (`_trailing_unit`)."""
    line, unit = _leading_unit(line)
    match = _HOUSE_NUMBER.match(line)
    if match is None:
        if any(char.isdigit() for char in line):
            return None
        house_number, rest = None, line  # a street without its house number
    else:
        house_number, rest = _house_number(match)
        if house_number is None:
            return None
    words = rest.split(" ")
    if "#" in rest or not UNIT_DESIGNATORS.keys().isdisjoint(words):
        words, unit = _split_unit(words)
    if unit is None:
        words, unit = _trailing_unit(words)
    street = normalize_street(" ".join(words))
    if street is None:
        return None
    return house_number, street.name, street.key, unit


def _house_number(match):
    """(house number, rest of the line) of a `_HOUSE_NUMBER` match, (None, None) for an ordinal
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
    if _NUMERIC_ORDINAL.match(number + marks):
        return None, None
    if (len(marks) > 1 or marks in DIRECTIONALS) and _names_a_street(rest):
        return number, f"{marks} {rest}"  # "8OLD MILL LN", "123N MAIN ST"
    return number + marks, rest


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


# Spellings of the common suffixes, longest first, that a name may have run into ("MAINST").
_RUN_IN_SUFFIXES = sorted(
    (word for word, suffix in SUFFIXES.items() if suffix in COMMON_SUFFIXES and word.isalpha()),
    key=len,
    reverse=True,
)


@lru_cache(maxsize=4096)
def run_in_suffix(street):
    """The Street of a normalised street without a suffix whose last name word ends with one run
    into it ("N MAINST" → N MAIN ST), or None. Whether it is a suffix or part of the name (FOREST,
    WOODLAND) only the county's streets tell (matching.scoring.read_run_in_suffix)."""
    parts = normalize_street(street)
    if parts.suffix is not None:
        return None
    *words, last = parts.key.split(" ")
    for spelling in _RUN_IN_SUFFIXES:
        if last.endswith(spelling) and len(last) - len(spelling) >= 2:
            name = [parts.predirectional, *words, last[: -len(spelling)], spelling]
            name.append(parts.postdirectional)
            return normalize_street(" ".join(word for word in name if word))
    return None


def _names_a_street(text):
    """Whether `text` is a street: a name is left beside its suffix and directionals ("ST NW"
    is not; "ELM ST", "BROADWAY" are)."""
    street = normalize_street(text)
    return street is not None and (street.suffix is not None or street.key not in SUFFIXES)


def _leading_unit(line):
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
# line may end with after its street's suffix (`_trailing_unit`); KEY, PIER, SLIP and STOP name
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


def _trailing_unit(words):
    """(street words, unit) of street words that end with a unit written without its
    designator after the street's suffix (and directional): "ELM ST 3B", "RIVER RD 3 B",
    "ELM ST 2ND FLOOR", "ELM ST REAR", "MAIN ST REAR HOUSE". Only after a name and its suffix,
    so AVENUE C and COUNTY RD 5 keep their letter and number; a number alone ("ELM ST 3") is
    left to the street, as in COUNTY ROAD 5."""
    size = len(words)
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
        and not _NUMERIC_ORDINAL.match(first)
    )


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


@lru_cache(maxsize=4096)
def unit_key(unit):
    """A unit's identifier, however it is written: the designators dropped, an ordinal read as
    its number, a letter joined to the number before it ("APT # 3", "UNIT 3", "STE 3" → "3";
    "UNIT 3 B", "3B" → "3B"; "2ND FLOOR", "FL 2" → "2"), or None."""
    words = []
    for word in unit.replace("-", " ").split():
        if word in UNIT_DESIGNATORS:
            continue
        if match := _NUMERIC_ORDINAL.match(word):
            word = match.group(1)
        if len(word) == 1 and word.isalpha() and words and words[-1][-1:].isdigit():
            words[-1] += word
        else:
            words.append(word)
    return " ".join(words) or None


def _after_unit_designator(text):
    """Whether `text` ends with a unit designator: the number after it ("Apt 101") is the unit's,
    not a ZIP that lost its leading zeros (50 of the held-out set's 583 misses read "Main St,
    Unit 101" as the street MAIN ST UNIT in ZIP 00101)."""
    words = text.split()
    return bool(words) and words[-1].rstrip(".") in UNIT_DESIGNATORS


def _split_locality(piece):
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


def _is_unit(piece):
    return piece.split(" ")[0] in UNIT_DESIGNATORS


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
    """ParsedAddress for the common shapes, or None to let usaddress try."""
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
        rest, zip5 = _split_locality(pieces[-1])
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
    return _new_parsed(ParsedAddress, (*street, city, zip5))


_new_parsed = tuple.__new__  # ParsedAddress(*fields) without its Python-level __new__


_USADDRESS_STREET = (
    "StreetNamePreModifier",
    "StreetNamePreDirectional",
    "StreetNamePreType",
    "StreetName",
    "StreetNamePostType",
    "StreetNamePostDirectional",
)


def _parser_parse(raw):
    """ParsedAddress through usaddress, for lines the fast path does not read."""
    try:
        tagged, _kind = usaddress.tag(str(raw))
    except usaddress.RepeatedLabelError:
        return ParsedAddress(None, None, None, None, None, None)
    house_number = clean_text(tagged.get("AddressNumber"))
    street_words = [tagged[label] for label in _USADDRESS_STREET if label in tagged]
    street_text = clean_text(" ".join(street_words))
    street = normalize_street(street_text) if street_text else None
    unit_words = [tagged.get("OccupancyType"), tagged.get("OccupancyIdentifier")]
    unit = clean_text(" ".join(word for word in unit_words if word))
    if unit:
        words, unit = _split_unit(["X", *unit.split(" ")])
        unit = unit or " ".join(words[1:])
    return ParsedAddress(
        house_number.replace(" ", "") if house_number else None,
        street.name if street else None,
        street.key if street else None,
        unit or None,
        normalize_city(tagged.get("PlaceName")),
        normalize_zip(tagged.get("ZipCode")),
    )


_NOTHING = ParsedAddress(None, None, None, None, None, None)


def parse_address(raw):
    """ParsedAddress of a free-text address line; every part None when there is nothing to read."""
    if raw is None:
        return _NOTHING
    text = str(raw).strip()
    if not text:
        return _NOTHING
    if _PLAIN_LINE.fullmatch(text):
        # "700 Castro St" (75% of the demo's participants, 97% of its parcels): letters and
        # single spaces after the number, so _fast_parse would find no comma, locality or
        # punctuation, and read the upper-cased text itself as the street line. Its first word
        # is the house number (what _street_line's pattern finds); without a unit designator,
        # the rest is the street (`_street_line` reads a unit, a letter of the house number and a
        # directional glued to it: "40 Elm St Rear", "16 A Elm St", "123N Main St").
        line = text.upper()
        house_number, _, rest = line.partition(" ")
        words = rest.split(" ")
        if words[-1] in _STATE_ONLY_CODES:
            return _fast_parse(raw) or _parser_parse(raw)  # "123 Main St West Orange NJ"
        if (
            UNIT_DESIGNATORS.keys().isdisjoint(words)
            and words[-1] not in BARE_UNITS
            and house_number[-1] not in DIRECTIONALS
            and (len(words[0]) > 1 or words[0] in DIRECTIONALS)
        ):
            street = normalize_street(rest)  # a word at least: never None
            return _new_parsed(
                ParsedAddress, (house_number, street.name, street.key, None, None, None)
            )
        street = _street_line(line)
        if street is not None:
            return _new_parsed(ParsedAddress, (*street, None, None))
    if _NUMBER_ONLY.match(text):  # "266": a house number whose street is missing
        return ParsedAddress(text.upper(), None, None, None, None, None)
    return _fast_parse(raw) or _parser_parse(raw)
