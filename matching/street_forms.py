"""Street names in the one form the county writes them (USPS Publication 28), on both sides of a
match: suffixes and directionals abbreviated ("North Main Street" → N MAIN ST), ordinals as
numbers, typos of both read, highways as their route, MLK's forms as one name, types written
before the name (AVENUE J, VIA VERDE); and the street key that blocking and comparison meet on
(MAIN). Pub 28's tables of suffixes and directionals come from usaddress-scourgify.
"""

import re
from functools import lru_cache
from typing import NamedTuple

import cython
from rapidfuzz import process
from rapidfuzz.distance import OSA
from scourgify.address_constants import (
    DIRECTIONAL_REPLACEMENTS,
    STATE_ABBREVIATIONS,
    STREET_TYPE_ABBREVIATIONS,
)

# Pub 28 directionals, both spellings → the abbreviation.
DIRECTIONALS = {**DIRECTIONAL_REPLACEMENTS, **{v: v for v in DIRECTIONAL_REPLACEMENTS.values()}}
_DIRECTIONAL_PAIRS = {("NORTH", "EAST"): "NE", ("NORTH", "WEST"): "NW"}
_DIRECTIONAL_PAIRS.update({("SOUTH", "EAST"): "SE", ("SOUTH", "WEST"): "SW"})
# The same pairs written as letters ("N.E. 8th Ave", "N E 8th Ave"; `_name_follows`).
_LETTER_PAIRS = {(a[0], b[0]): pair for (a, b), pair in _DIRECTIONAL_PAIRS.items()}

# Pub 28 suffixes, every spelling → the abbreviation, and each abbreviation → itself: scourgify's
# table lacks 34 abbreviations as spellings (MTWY, STS, DRS, ...), so "BOONE MOTORWAY" normalised
# to BOONE MTWY, and that again to a street BOONE MTWY without a suffix.
SUFFIXES = {**STREET_TYPE_ABBREVIATIONS, **{v: v for v in STREET_TYPE_ABBREVIATIONS.values()}}
_SUFFIX_WORDS = SUFFIXES.keys()

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
NUMERIC_ORDINAL = re.compile(r"^(\d+)(ST|ND|RD|TH)$")
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
    a name ("No. Main St", "So Main", "Nrth Main St") or after a suffix ("7th Ave. So."): NO and
    SO, and the slips (`_slips`, four letters or more, not cut short) of NORTH, SOUTH, EAST and
    WEST that are no Pub 28 spelling. 5 of benchmarks/address_variants.py's forms; none of the
    benchmark data sets' 114,016 addresses reads otherwise."""
    found = {"NO": "N", "SO": "S"}
    for word in ("NORTH", "SOUTH", "EAST", "WEST"):
        for slip in _slips(word):
            if len(slip) >= 4 and not word.startswith(slip) and slip not in SUFFIXES:
                found.setdefault(slip, DIRECTIONALS[word])
    return found


_DIRECTION_FORMS = _direction_forms()
_PREDIRECTIONALS = {**_DIRECTION_FORMS, **DIRECTIONALS}


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


def misspelled_ordinal(word):
    """The ordinal number a misspelled ordinal word stands for ("FORTH" → 4, "EQEVENTH" → 11,
    "THRID" → 3), or None: a slip of an ordinal word (`_ORDINAL_SLIPS`), or a word of eight
    letters or more, or of five ending like an ordinal, `_close_to` one (`_close_ordinal`).
    The tests that settle most words are a C function, the search cached apart."""
    if word in _ORDINAL_SLIPS:
        return _ORDINAL_SLIPS[word]
    if (
        len(word) < 5
        or not (len(word) >= 8 or word.endswith(_ORDINAL_ENDINGS))
        or not word.isalpha()
    ):
        return None
    return _close_ordinal(word)


@lru_cache(maxsize=4096)
def _close_ordinal(word):
    close = _close_to(word, _ORDINAL_CHOICES)
    return ORDINAL_WORDS[close] if close else None


def misspelled_suffix(word):
    """The Pub 28 suffix of a misspelled suffix word ("STTEET" → "ST", "BLV" → "BLVD"), or None:
    a slip of a common suffix's spelling (`_SUFFIX_SLIPS`), or from five letters on, a word
    `_close_to` a common suffix word (`_close_suffix`, cached)."""
    if word in _SUFFIX_SLIPS:
        return _SUFFIX_SLIPS[word]
    if len(word) < 5 or not word.isalpha() or word in SUFFIXES:
        return None
    return _close_suffix(word)


@lru_cache(maxsize=4096)
def _close_suffix(word):
    close = _close_to(word, _TYPO_SUFFIXES)
    return SUFFIXES[close] if close else None


# Ordinal words, and two written as one, → the ordinal ("FIRST" → "1ST", "TWENTYFIRST" → "21ST").
_ORDINAL_FORMS = {
    word: _ordinal(number) for word, number in (*_GLUED_ORDINALS.items(), *ORDINAL_WORDS.items())
}


@cython.locals(
    out=list, count=cython.Py_ssize_t, index=cython.Py_ssize_t, word=str, tens=dict, units=dict,
    forms=dict,
)  # fmt: skip
def _ordinals(words):
    """ "FIRST" → "1ST", "TWENTY FIRST" → "21ST", "21st" stays "21ST", "Forth" → "4TH". A C
    function over a typed list, each word looked up once (`_ORDINAL_FORMS`) in a typed dict:
    the 1,613 streets of a first pass over the 20k demo 11.0 → 6.7 million instructions."""
    tens, units, forms = _TENS, _ORDINAL_UNITS, _ORDINAL_FORMS
    out = []
    count = len(words)
    index = 0
    while index < count:
        word = words[index]
        if index + 1 < count and word in tens and words[index + 1] in units:
            out.append(_ordinal(tens[word] + units[words[index + 1]]))
            index += 2
            continue
        form = forms.get(word)
        if form is not None:
            out.append(form)
        elif word[0].isdecimal() and (match := NUMERIC_ORDINAL.match(word)):
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
_MLK_NAME = "MARTIN LUTHER KING"


def _memorial_names(words):
    """Words with MLK's forms (`_MLK`) at their start written MARTIN LUTHER KING JR (the caller
    checks the first word is in _MLK_FIRST_WORDS), the full name also with a typo or two in it
    ("Martin Luter King": else five edits from the county's name with its JR)."""
    if words[0] == "MARTIN" and len(words) > 2:
        name = " ".join(words[:3])
        if name != _MLK_NAME and OSA.distance(name, _MLK_NAME, score_cutoff=2) <= 2:
            words = [*_MLK_NAME.split(" "), *words[3:]]
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


_new_street = tuple.__new__  # Street(*fields) without its Python-level __new__

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
    "FM": "FM",
    None: "HIGHWAY",
}
_ROUTE_NUMBER = re.compile(r"\d+[A-Z]?")
# Wisconsin's county trunk highways are lettered: COUNTY ROAD K, CTH JJ.
_COUNTY_LETTERS = re.compile(r"[A-Z]{1,2}")
_FARM_TO_MARKET = ("FM", "F M", "FARM TO MARKET", "FARM MARKET")  # Texas's roads, FM 1960
_ROAD = {word for word, suffix in SUFFIXES.items() if suffix == "RD"}


def _route_kinds():
    """The words written before a route's number → its kind: US ("US-1", "U.S. Route 1"),
    STATE ("SR 17", "NJ-17", "State Hwy 17", "St Rd 17"), COUNTY ("CR 5", "Co. Rd. 5", "County
    Route 5"), FM ("Farm to Market Rd 1960"), None when only a route word says it is a highway
    ("Hwy 1", "Rt 1", "Route 17").
    A two-letter state says a state route, but for CO (county) and NE (northeast)."""
    route_words = [w for w, a in SUFFIXES.items() if a in ("HWY", "RTE") and w.isalpha()] + ["RT"]
    roads = [*route_words, "RD", "ROAD"]
    states = {a for a in STATE_ABBREVIATIONS.values() if a not in ("CO", "NE")}
    found = dict.fromkeys(route_words)
    found.update({"US": "US", "U S": "US", "SR": "STATE", "CR": "COUNTY", "CTH": "COUNTY"})
    found.update(dict.fromkeys(states, "STATE"))
    for kind, prefixes, words in (
        ("US", ("US", "U S", "UNITED STATES"), route_words),
        ("STATE", ("STATE", "ST"), roads),
        ("STATE", states, route_words),
        ("COUNTY", ("COUNTY", "CO", "CNTY", "CTY"), roads),
        ("FM", _FARM_TO_MARKET, roads),
    ):
        found.update({f"{prefix} {word}": kind for prefix in prefixes for word in words})
    found.update(dict.fromkeys(_FARM_TO_MARKET, "FM"))
    return found


_ROUTE_KINDS = _route_kinds()
_COUNTY_WORDS = {prefix.split()[0] for prefix, kind in _ROUTE_KINDS.items() if kind == "COUNTY"}


def _county_letters(word):
    """Whether `word` is a lettered county highway's letters (K, JJ), not a street-type word
    or a directional ("County Rd", "CTH N W" aside)."""
    return (
        bool(_COUNTY_LETTERS.fullmatch(word)) and word not in SUFFIXES and word not in DIRECTIONALS
    )


def _route(words, postdirectional):
    """The Street of a highway ("US HWY 1" → US HIGHWAY 1), or None. Its key is the route
    (HIGHWAY 1), so that "Route 1" meets US HIGHWAY 1, and its kind stands in the suffix's
    place, so that a kind given must agree (US 1 is not STATE ROUTE 1). Never an ordinal street:
    "Hwy 1" is not 1ST ST. benchmarks/address_variants.py: 31 of 48 highway forms failed as
    newcomers (each tied with its numbered street), none now."""
    if len(words) < 2:
        return None
    prefix = " ".join(words[:-1])
    kind = _ROUTE_KINDS.get(prefix, False)
    if kind is False or not (
        _ROUTE_NUMBER.fullmatch(words[-1]) or (kind == "COUNTY" and _county_letters(words[-1]))
    ):
        return None
    key = f"HIGHWAY {words[-1]}"
    name = " ".join(filter(None, (_ROUTE_NAMES[kind], words[-1], postdirectional)))
    return Street(name, key, None, kind, postdirectional, key, key, key.replace(" ", ""))


@lru_cache(maxsize=65536)
@cython.locals(text=str, words=list, plain_words=list, key=str)
def normalize_street(text):
    """Street of a cleaned street line without house number or unit, or None.

    Idempotent: the `name` of a result normalises to the same result, so a normalised street
    can be split into its parts again.

    A directional at either end and a suffix at the end are abbreviated only when a name is left,
    so "North Street" is the street NORTH ST and "West End Ave" the street W END AVE. Between a
    directional and a street-type word that is not a common suffix, the name is the type word:
    "S Mill" is the street S MILL (the county's S MILL ST, its suffix left out).

    Uncached, 26,400 → 22,500 instructions a street (callgrind over the 1,613 streets a first
    pass over the 20k demo normalises, 2026-12-03): the Street made without its Python-level
    __new__, the short keys joined from a list; 22,300 → 16,500 compiled with its words typed
    and its helpers C functions (street_forms.pxd, 35.9 → 26.6 million instructions).
    """
    words = _ordinals(text.replace("-", " ").split())
    if not words:
        return None
    predirectional = postdirectional = suffix = None
    # "North East Main St" is NE MAIN ST, but "North West Dr" is N WEST DR.
    if len(words) > 3 and (words[0], words[1]) in _DIRECTIONAL_PAIRS:
        words = [_DIRECTIONAL_PAIRS[(words[0], words[1])], *words[2:]]
    elif len(words) > 2 and (words[0], words[1]) in _LETTER_PAIRS and _name_follows(words[2:]):
        words = [_LETTER_PAIRS[(words[0], words[1])], *words[2:]]
    if len(words) > 1 and words[-1] in DIRECTIONALS:
        postdirectional = DIRECTIONALS[words[-1]]
        words = words[:-1]
    elif (
        len(words) > 2
        and words[-1] in _DIRECTION_FORMS
        and (words[-2] in SUFFIXES or words[-2].isdigit())
    ):
        postdirectional = _DIRECTION_FORMS[words[-1]]  # "7th Ave. So.", "E 500 So"
        words = words[:-1]
    if (words[-1][-1].isdigit() or words[0] in _COUNTY_WORDS) and (
        route := _route(words, postdirectional)
    ):
        return route
    if words[-1] in _ROAD and len(words) > 2 and (route := _route(words[:-1], postdirectional)):
        return route  # "FM 1960 Rd"
    if words[0] in _MLK_FIRST_WORDS:
        words = _memorial_names(words)
    if len(words) > 1 and (corrected := misspelled_suffix(words[-1])):
        words = [*words[:-1], corrected]  # "KNOX STTEET" → KNOX ST
    plain_words = words
    if len(words) > 1 and words[-1] in SUFFIXES and not _directional_and_name(words):
        suffix = SUFFIXES[words[-1]]
        words = words[:-1]
        if (
            postdirectional is None
            and len(words) > 1
            and words[-1] in DIRECTIONALS
            and words[-2].isdigit()
        ):  # "E 500 South St": the grid's street E 500 S, its suffix said only in speech
            postdirectional, suffix = DIRECTIONALS[words[-1]], None
            words = plain_words = words[:-1]
    if len(words) > 1 and words[0] in _PREDIRECTIONALS:
        predirectional = _PREDIRECTIONALS[words[0]]
        words = words[1:]
        plain_words = plain_words[1:]
    if suffix is None and len(words) > 1 and words[0] in PRE_TYPES:
        return _pre_typed(words, predirectional, postdirectional)
    key = " ".join(words)
    parts = [predirectional, key, suffix, postdirectional]
    name = " ".join([part for part in parts if part])
    compact = key.replace(" ", "") + FULL_SUFFIXES.get(suffix, suffix or "")
    type_word = not _SUFFIX_WORDS.isdisjoint(words)  # a name word is a street type
    return _new_street(
        Street, (name, key, predirectional, suffix, postdirectional, _abbreviate(plain_words),
                 _abbreviate(words), compact, type_word),
    )  # fmt: skip


def _name_follows(words):
    """Whether a word of the words is neither a street type nor a directional: "N E 8th Ave" is
    NE 8TH AVE, but "N E St", "N E St NW" and "N E St Ext" the street E ST."""
    return any(word not in SUFFIXES and word not in DIRECTIONALS for word in words)


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
    type_word = not _SUFFIX_WORDS.isdisjoint(name_words)
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


@cython.locals(short=dict)
def _abbreviate(words):
    short = _SHORT_WORDS  # a list, not a generator, and one look-up: half the instructions
    return " ".join([short.get(word, word) for word in words])


def _word_spellings():
    spellings = {}
    for word, short in _SHORT_WORDS.items():
        spellings.setdefault(short, {short}).add(word)
    return spellings


_WORD_SPELLINGS = _word_spellings()  # ST → {ST, STREET, STR, SAINT, ...}
# A route's key (`_route`): its number, or a county highway's letters.
_ROUTE_KEY = re.compile(f"HIGHWAY ({_ROUTE_NUMBER.pattern}|{_COUNTY_LETTERS.pattern})")


def route_key(key):
    """Whether a street key is a route's (HIGHWAY 17, HIGHWAY K: `_route`)."""
    return _ROUTE_KEY.fullmatch(key) is not None


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
