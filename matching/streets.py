"""Street names compared (matching.comparison): the street, suffix and directional levels of a
participant's street against a parcel's, and their weight, cached on the model per participant
street. Most pairs a participant meets are the other streets of their ZIP at their house
number; `_unrelated` settles those in one call.
"""

from functools import lru_cache

import cython
from rapidfuzz.distance import OSA, JaroWinkler

from matching.street_forms import normalize_street, route_key
from matching.weights import MISSING, Model

SIMILAR_STREET = 0.88  # Jaro–Winkler of the street names for the `similar` level
DIFFERENT = "different"


@cython.locals(text=str, char=cython.Py_UCS4)
def _digits(text):
    return "".join([char for char in text if char.isdigit()])


def _distance_level(mine, theirs, *, similar=True):
    """typo (one edit, two from eight letters; a swap is one), similar (Jaro–Winkler; only
    looked for when `similar`) or different. Numbers in the names must be equal: 6TH ST is not
    a typo of 8TH ST."""
    limit = 2 if len(mine) >= 8 or len(theirs) >= 8 else 1
    if OSA.distance(mine, theirs, score_cutoff=limit) <= limit:
        level = "typo"
    elif similar and JaroWinkler.similarity(mine, theirs, score_cutoff=SIMILAR_STREET):
        level = "similar"
    else:
        return "different"  # most pairs: the digits need not be read
    return level if _digits(mine) == _digits(theirs) else "different"


_RANK = {"exact": 0, "typo": 1, "similar": 2, "different": 3}


def _part_level(mine, theirs):
    if mine == theirs:
        return "exact" if mine else MISSING
    return "one_sided" if not (mine and theirs) else "different"


def street_levels(query_street, parcel_street):
    """(street, suffix, directional) levels of two normalised street names, and the parcel's
    street key.

    A street typed without its suffix may end in a word that is both ("Aspen Point" for
    ASPEN POINT RD): the name is then compared with the suffix word in it, and the suffix is
    taken as not given.
    """
    mine, theirs = normalize_street(query_street), normalize_street(parcel_street)
    level, my_suffix, their_suffix = _name_level(mine, theirs)
    return level, _part_level(my_suffix, their_suffix), _directional_level(mine, theirs), theirs.key


def _name_level(mine, theirs):
    """(street level, my suffix, their suffix) of two normalise_street results: the suffixes
    that are still to be compared (None where the name took the suffix word in)."""
    if _unrelated(mine, theirs):
        return "different", mine.suffix, theirs.suffix
    return _related_level(mine, theirs)


def _related_level(mine, theirs):
    """`_name_level` of two names that `_unrelated` does not settle as different."""
    my_suffix, their_suffix = mine.suffix, theirs.suffix
    if mine.key == theirs.key:
        return "exact", my_suffix, their_suffix
    if route_key(mine.key) and route_key(theirs.key):
        return "different", my_suffix, their_suffix  # HIGHWAY K is no typo of HIGHWAY J
    if mine.short_key == theirs.short_key:  # "CT" and COURT
        return "typo", my_suffix, their_suffix
    if mine.plain == theirs.short_key:
        return "exact", None, their_suffix
    if mine.short_key == theirs.plain:
        return "exact", my_suffix, None
    if mine.compact == theirs.compact:  # "HAYNES PL" and "HAYNESPLACE"
        return "exact", None, None
    level = _distance_level(mine.key, theirs.key)
    if level != "typo" and _distance_level(mine.compact, theirs.compact, similar=False) == "typo":
        return "typo", None, None
    if (
        level != "typo"
        and (mine.short_key != mine.key or theirs.short_key != theirs.key)
        and _one_edit(mine.short_key, theirs.short_key)
        and _digits(mine.key) == _digits(theirs.key)
    ):
        return "typo", my_suffix, their_suffix  # "Mt Vernnon" and MOUNT VERNON
    if level != "typo" and (mine.type_word or theirs.type_word):  # a typo in "Stnoe Point"
        alternative = _distance_level(mine.plain, theirs.short_key, similar=level == "different")
        if _RANK[alternative] < _RANK[level]:
            level, my_suffix = alternative, None
        alternative = _distance_level(mine.short_key, theirs.plain, similar=level == "different")
        if _RANK[alternative] < _RANK[level]:
            level, my_suffix, their_suffix = alternative, mine.suffix, None
    return level, my_suffix, their_suffix


@cython.locals(
    key=str, plain=str, short_key=str, compact=str, their_key=str, their_plain=str,
    their_short_key=str, their_compact=str, size=cython.Py_ssize_t,
    their_size=cython.Py_ssize_t, limit=cython.Py_ssize_t,
)  # fmt: skip
def _unrelated(mine, theirs):
    """Whether two street names are `different` by the tests that settle most pairs (the other
    streets of a participant's ZIP at their house number): no name form equal (what
    `_related_level` calls exact, or a typo for the short keys), keys neither a typo
    (`_distance_level`'s edit limit) nor similar apart, compact and short keys not a typo apart
    ("MT VERNNON" and MOUNT VERNON), and when a name holds a street-type word, its plain and
    short keys neither. `_name_level`'s own outcome for such pairs, without its calls per test.
    A typo is never possible when the lengths differ by more than the limit (each edit changes
    the length by one at most): the edit distance is then not computed. The tests are written
    out and the names' fields unpacked once (no call or attribute look-up per test: 75,784
    street pairs a cold run at 300,000 parcels). A C function with its keys and lengths typed,
    as are the helpers it calls (streets.pxd): the 1,745 pairs of a first pass over the 20k demo
    9.8 → 7.0 million instructions, street_entry with it 22.1 → 16.1 M (callgrind, 2026-12-03)."""
    # A Street is a tuple: compiled, unpacked as one (cast), not through an iterator.
    _, key, _, _, _, plain, short_key, compact, type_word = cython.cast(tuple, mine)
    _, their_key, _, _, _, their_plain, their_short_key, their_compact, their_type_word = (
        cython.cast(tuple, theirs)
    )
    if key == their_key or plain == their_short_key or short_key in (their_short_key, their_plain):
        return False
    if compact == their_compact:
        return False
    size, their_size = len(key), len(their_key)
    limit = 2 if size >= 8 or their_size >= 8 else 1
    if (
        -limit <= size - their_size <= limit and _osa(key, their_key, score_cutoff=limit) <= limit
    ) or _jaro_winkler(key, their_key, score_cutoff=SIMILAR_STREET):
        return False
    size, their_size = len(compact), len(their_compact)
    limit = 2 if size >= 8 or their_size >= 8 else 1
    if (
        -limit <= size - their_size <= limit
        and _osa(compact, their_compact, score_cutoff=limit) <= limit
    ):
        return False
    if (short_key != key or their_short_key != their_key) and _one_edit(short_key, their_short_key):
        return False
    if type_word or their_type_word:
        return _far(plain, their_short_key) and _far(short_key, their_plain)
    return True


_osa, _jaro_winkler = OSA.distance, JaroWinkler.similarity


def _one_edit(short_key, their_short_key):
    """Whether two short keys (Pub 28's words abbreviated) are one edit apart: "MT VERNNON" and
    MOUNT VERNON's MT VERNON. One, not `_distance_level`'s two from eight letters: abbreviated
    words are two letters, any two of them two edits apart (POINT and HILL are PT and HL), and at
    two edits SILVER POINT ST met SILVER HILL ST at the same number and W GOLDEN HILL ST met
    GOLDEN VIEW ST: 2 of the full demo's links lost to review."""
    return _osa(short_key, their_short_key, score_cutoff=1) <= 1


@cython.locals(size=cython.Py_ssize_t, their_size=cython.Py_ssize_t, limit=cython.Py_ssize_t)
def _far(mine, theirs):
    """Neither a typo (`_unrelated`'s test) nor similar."""
    size, their_size = len(mine), len(theirs)
    limit = 2 if size >= 8 or their_size >= 8 else 1
    if -limit <= size - their_size <= limit and _osa(mine, theirs, score_cutoff=limit) <= limit:
        return False
    return not _jaro_winkler(mine, theirs, score_cutoff=SIMILAR_STREET)


@lru_cache(maxsize=4096)
def other_street(query_street, parcel_street):
    """Whether `street_entry` puts a parcel street at level `different` from the participant's
    street (both normalised, non-empty): what `matching.index` records of the parcel streets that
    share a ZIP and house number, so that the matcher need not compare them again. Cached: the
    949,108 pairs met while building the demo's 300,000 parcels are 127,932 distinct ones, and
    its parcels come ZIP by ZIP, so 4,096 pairs kept miss 128,132 times (all kept: 127,932); in
    any order the build is slower (at most the 949,108 comparisons), never different."""
    mine, theirs = normalize_street(query_street), normalize_street(parcel_street)
    return _name_level(mine, theirs)[0] == DIFFERENT


def _directional_level(mine, theirs):
    """The directionals' level, read from the four fields (no tuple made, no any(): 963 new
    street pairs of a first pass over the 20k demo 2.0 → 0.7 million instructions, callgrind
    2026-12-03)."""
    before, after = mine.predirectional, mine.postdirectional
    their_before, their_after = theirs.predirectional, theirs.postdirectional
    if before == their_before and after == their_after:
        return "exact" if before or after else MISSING
    if not (before or after) or not (their_before or their_after):
        return "one_sided"
    if _one_direction(before, after) == _one_direction(their_before, their_after) is not None:
        return "exact"  # "Main St N" and N MAIN ST, "W Broad St" and BROAD ST W
    return "different"


def _one_direction(before, after):
    """The direction of a street written with one directional, before or after the name: so
    "123 Main St N" picks N MAIN ST over S MAIN ST, and "W Broad St" BROAD ST W over BROAD ST E
    (benchmarks/address_variants.py, newcomers: 10 of 386 forms linked, none lost)."""
    return None if before and after else before or after


@cython.locals(model=Model, entries=dict, table=dict)
def street_entry(model, query_street, parcel_street, entries=None):
    """(street, suffix, directional levels, parcel street key, their weight), cached on the
    model by participant street, then parcel street (`entries`: the participant street's, when
    the caller has them): participants of one street meet the same parcel streets again."""
    if entries is None:
        entries = model.street_entries(query_street)
    entry = entries.get(parcel_street)
    if entry is None:
        mine, theirs = normalize_street(query_street), normalize_street(parcel_street)
        if _unrelated(mine, theirs):  # most pairs: the type and direction say nothing more
            entry = (DIFFERENT, MISSING, MISSING, theirs.key, model.other_street_weight)
        else:
            street, my_suffix, their_suffix = _related_level(mine, theirs)
            if street == DIFFERENT:
                suffix = directional = MISSING
            else:
                suffix = _part_level(my_suffix, their_suffix)
                directional = _directional_level(mine, theirs)
            table = model.table
            weight = table["street"][street] + table["suffix"][suffix]
            weight += table["directional"][directional]
            entry = (street, suffix, directional, theirs.key, weight)
        entries[parcel_street] = entry
    return entry
