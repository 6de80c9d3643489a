"""Blocking: which parcels a participant (matching.query.Query) is compared with, and each
one's Comparison (matching.comparison), best first. matching.scoring decides on them.

Candidates come from the blocking indexes (matching.index): house number + ZIP, house number +
street (a typo'd street corrected to the closest known keys of the ZIP or city, else of the
whole data), household records under the participant's name in their ZIP or city or with their
email or phone, and, when their own address is not found where they said, the parcels of the
street nearest the number (near misses, for review); when not even their street is, their house
number in the other ZIPs of their city and their name: the one record anywhere that carries it,
else a misspelt one in their ZIP (what places people who gave no street, or a wrong ZIP and a
broken street).

What must hold: blocking only chooses rows; every row is compared the same way (`compare`, one
model and prior), and the method recorded is the block that found the row first. Which blocks
are for review only, and what may be accepted, is the decision's (scoring.REVIEW_ONLY,
scoring.evidence_holds).
"""

from functools import lru_cache
from itertools import chain
from math import ceil, floor

import cython
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from matching.comparison import (
    SIMILAR_NAME,
    STREET_AGREES,
    Comparison,
    compare_row,
    where_they_said,
)
from matching.index import (
    CountyIndex,
    DemographicIndex,
    ParcelIndex,
    nearest_rows,
    rows_at,
    rows_of,
)
from matching.query import Query
from matching.review_blocks import NAME_ANYWHERE, NAME_BLOCK_LIMIT
from matching.street_forms import FULL_SUFFIXES, normalize_street
from matching.streets import street_entry
from matching.weights import MISSING

# Blocking keys, recorded as match.method.
HOUSE_ZIP = "house_number+zip"
HOUSE_STREET = "house_number+street"
CITY_STREET = "city+street"
HOUSE_CITY = "house_number+city"
NAME_ZIP = "name+zip"
NAME_CITY = "name+city"
SURNAME_ZIP = "surname+zip"
SURNAME_BLOCK_LIMIT = 10  # a surname block larger than this (SMITH in a big ZIP) is not read
SIMILAR_NAME_ZIP = "similar name+zip"
CONTACT = "email/phone"


@cython.locals(parcels=ParcelIndex, query=Query)
def _corrected_keys(parcels, query, thresholds, *, everywhere=False):
    """Known street keys close to a street key the participant's area does not have (typos).

    The area is the county resolution's: the streets of the ZIP and of the city (either may be
    the wrong one), else (or `everywhere`) those of every county the data covers. Cached on the
    index by street and area: a participant's blocks ask again (near misses, everywhere).
    """
    key = query.street_key
    zip_streets = parcels.zip_streets
    if not everywhere and query.zips and key in zip_streets.get(query.zips[0], ()):
        return ()  # the common case: a street the ZIP has
    zips = tuple([zip5 for zip5 in query.zips if zip5 in zip_streets])
    city = query.city if query.city in parcels.city_streets else None
    if everywhere or not (zips or city):
        zips, city = (), None  # every street
    cache = parcels.corrected_street_cache
    area = (query.street, zips, city, thresholds.street_cutoff)
    found = cache.get(area)
    if found is None:
        if len(cache) > 100_000:
            cache.clear()
        found = cache[area] = _close_streets(parcels, query, zips, city, thresholds.street_cutoff)
    return found


@cython.locals(key=str, found=dict, scores=dict, position=dict, best=list)
def _close_streets(parcels, query, zips, city, cutoff):
    """The three known street keys of the area closest to the participant's (rapidfuzz ratio
    ≥ cutoff), or () when the area knows the key itself. Only the keys of a length that can
    reach the cutoff are scored (`_of_reachable_length`). The 888 calls of a first pass over the
    20k demo: 52.0 → 46.8 million instructions (callgrind, 2026-12-03) with the lengths searched
    as numbers and the areas not read for a text no key is close to; 52.5 → 46.0 M with its steps
    C functions (blocking.pxd), the lengths' bounds read from a table and the best three sorted
    without a lambda. What is left is rapidfuzz's: 62,364 keys scored, about 540 instructions
    each (750,981 keys at 300,000 parcels)."""
    areas = street_areas(parcels, zips, city)
    key = query.street_key
    for known in areas:
        if key in known:
            return ()
    every, starts, positions = _area(parcels, zips, city, areas)
    found = {}
    for text in _typo_texts(query.street):
        scores = {
            choice: score
            for choice, score, _index in process.extract(
                text, _of_reachable_length(every, starts, len(text), cutoff),
                scorer=fuzz.ratio, score_cutoff=cutoff, limit=None,
            )
        }  # fmt: skip
        if not scores:
            continue  # no key close enough: 413 of the 663 texts a first pass over the 20k demo
        for known, position in zip(areas, positions, strict=True):
            # process.extract(text, known, limit=3): the best three, equal scores in the
            # area's own order (a choice's place is its own: the choice itself is not compared)
            best = sorted([(-score, position[choice], choice)
                           for choice, score in scores.items() if choice in known])  # fmt: skip
            for _score, _place, choice in best[:3]:
                found[choice] = max(scores[choice], found.get(choice, 0))
    return tuple(sorted(found, key=found.get, reverse=True)[:3])


@cython.locals(last=cython.Py_ssize_t, low=cython.Py_ssize_t, high=cython.Py_ssize_t)
def _of_reachable_length(every, starts, size, cutoff):
    """The keys of `every` (sorted by length; `starts[n]` the place of its first key of n
    characters or more) whose length lets fuzz.ratio with a text of `size` characters reach
    `cutoff`: the ratio is 100 · (1 − d / (a + b)) for an edit distance d (insertions and
    deletions) of at least |a − b|, so it is at most 200 · min(a, b) / (a + b), and at 80 a key
    is from 2/3 to 3/2 of the text's length: about half of the areas' keys are scored (the 3,198
    searches of a first pass at 300,000 parcels: 0.070 → 0.037 s); the keys left get the same
    scores, and the order they come in is not read. One character of slack either side against
    rounding. The bounds are read from `starts`, not searched among the lengths (the 663
    searches of a first pass over the 20k demo 4.2 → 1.7 million instructions)."""
    if cutoff <= 0:
        return every
    last = len(starts) - 1  # starts[last]: past the longest key
    low = ceil(size * cutoff / (200 - cutoff) - 1)  # the shortest length reachable
    high = floor(size * (200 - cutoff) / cutoff + 1) + 1  # past the longest
    return every[starts[min(max(low, 0), last)] : starts[min(max(high, 0), last)]]


def street_areas(parcels, zips, city):
    """The street keys of each ZIP and of the city, in that order; every key when neither."""
    areas = [parcels.zip_streets[zip5] for zip5 in zips]
    if city is not None:
        areas.append(parcels.city_streets[city])
    return areas or [parcels.all_street_keys]


@cython.locals(by_length=list, starts=list, positions=list, place=cython.Py_ssize_t, key=str)
def _area(parcels, zips, city, areas):
    """(every street key of the areas once, sorted by length, the place of its first key of
    each length or more (`_of_reachable_length`), and each area's {key: its place in the area's
    own order}): the keys scored once against a typo, instead of once an area (a ZIP's streets
    are nearly all its city's). Cached on the index beside the corrections. Sorted by counting
    (the order sorted(key=len) gives), and the keys of one area not copied into a dict: the 77
    areas of a first pass over the 20k demo 6.8 → 5.3 million instructions."""
    cache = parcels.corrected_street_cache
    found = cache.get(("area", zips, city))
    if found is None:
        keys = areas[0] if len(areas) == 1 else dict.fromkeys(chain.from_iterable(areas))
        by_length = []  # the keys of each length, in their order
        for key in keys:
            while len(by_length) <= len(key):
                by_length.append([])
            by_length[len(key)].append(key)
        starts = [0]
        for place in range(len(by_length)):
            starts.append(starts[place] + len(by_length[place]))
        positions = []
        for known in areas:
            positions.append({key: place for place, key in enumerate(known)})
        every = tuple(chain.from_iterable(by_length))
        found = cache[("area", zips, city)] = (every, starts, positions)
    return found


def _typo_texts(street):
    """What a typo'd street is looked up by among known street keys: its key, and the key with
    its suffix word when it has one, since that word may be part of the name ("Sprig View" is
    SPRIG VW, and may be SPRING VIEW PL)."""
    parts = normalize_street(street)
    key, suffix = parts.key, parts.suffix
    if suffix is None:
        return (key,)
    return key, f"{key} {FULL_SUFFIXES.get(suffix, suffix)}"


@lru_cache(maxsize=65536)
@cython.locals(keys=list)
def _street_keys(street):
    """The street key, the name with its suffix word when that word may be part of the name
    ("ASPEN POINT" for "Aspen Point", which may be ASPEN POINT RD), and the name run together
    with its suffix ("HAYNESPLACE", as a county may hold it), of a normalised street; each
    once, in that order (a list of four, not a dict: the 1,193 streets of a first pass over the
    20k demo 7.6 → 4.4 million instructions, callgrind 2026-12-03)."""
    parts = normalize_street(street)
    keys = [parts.key]
    for key in (parts.short_key, parts.plain, parts.compact):
        if key not in keys:
            keys.append(key)
    return tuple(keys)


@cython.locals(parcels=ParcelIndex, found=dict, query=Query)
def _gather(parcels, query, thresholds, *, everywhere=False):
    """{row: blocking key that found it} from the house-number blocks; `everywhere` corrects a
    typo'd street against every street (when the participant's ZIP and city are wrong too)."""
    found = {}
    number = query.number
    if number is not None:
        for zip5 in query.zips:
            for row in rows_at(parcels.by_zip_house, zip5, number):
                found[row] = HOUSE_ZIP
        if query.street_key:
            corrected = _corrected_keys(parcels, query, thresholds, everywhere=everywhere)
            for numbers in _street_blocks(parcels, query.street):
                for row in rows_of(numbers, number):
                    if row not in found:  # a block of one or two rows: no call a row
                        found[row] = HOUSE_STREET
            for key in corrected:
                for row in rows_at(parcels.by_street_house, key, number):
                    found.setdefault(row, HOUSE_STREET)
    return found


@cython.locals(parcels=ParcelIndex, cache=dict, postings=dict)
def _street_blocks(parcels, street):
    """The house-number postings (by_street_house) of the keys of a street (`_street_keys`)
    that parcels have, in that order: one lookup a participant instead of one a spelling
    variant. Cached on the index (the 1,193 misses of a first pass over the 20k demo 13.7 → 9.2
    million instructions with no generator, callgrind 2026-12-03)."""
    cache = parcels.street_blocks_cache
    blocks = cache.get(street)
    if blocks is None:
        if len(cache) > 100_000:
            cache.clear()
        postings = parcels.by_street_house
        blocks = cache[street] = tuple([postings[key] for key in _street_keys(street)
                                        if key in postings])  # fmt: skip
    return blocks


@cython.locals(parcels=ParcelIndex, query=Query)
def _same_street(parcels, query, thresholds):
    """The rows of the parcels of the participant's street in their city (or the cities of
    their ZIP), each once."""
    cities = [query.city] if query.city else []
    for zip5 in query.zips:
        cities.extend(parcels.zip_cities.get(zip5, ()))
    keys = (*_street_keys(query.street), *_corrected_keys(parcels, query, thresholds))
    postings = parcels.by_city_street
    blocks = (rows_of(postings, (city, key)) for city in dict.fromkeys(cities) for key in keys)
    return list(dict.fromkeys(chain.from_iterable(blocks)))  # one dict, not one a block


@cython.locals(index=CountyIndex, demographics=DemographicIndex, records=list, query=Query)
def _people(index, query):
    """{row: method} of the parcels whose household record carries the participant's name in
    their ZIP or city, or their email or phone; failing those, their surname in their ZIP. Each
    block's pairs are listed, not generated: compiled, its 687 calls of a warm pass over the
    20,000-row demo took 10.2 M instructions with a generator a block, 6.8 M so (callgrind,
    2026-12-03)."""
    demographics = index.demographics
    records = []
    if query.name:
        for zip5 in query.zips:
            found = rows_of(demographics.by_zip_name, (zip5, query.name))
            records.extend([(record, NAME_ZIP) for record in found])
        if query.city:
            found = rows_of(demographics.by_city_name, (query.city, query.name))
            records.extend([(record, NAME_CITY) for record in found])
    if query.email:
        records.extend(
            [(record, CONTACT) for record in rows_of(demographics.by_email, query.email)]
        )
    for phone in query.phones:
        records.extend([(record, CONTACT) for record in rows_of(demographics.by_mobile, phone)])
    if not records and query.surname:  # their surname in their ZIP, when it names a few records
        surname = " ".join(sorted(query.surname))
        for zip5 in query.zips:
            found = rows_of(demographics.by_zip_surname, (zip5, surname))
            if len(found) <= SURNAME_BLOCK_LIMIT:
                records.extend([(record, SURNAME_ZIP) for record in found])
    return _parcel_rows(index, records)


@cython.locals(index=CountyIndex, found=dict)
def _parcel_rows(index, records):
    """{row: method} of the parcels of (household record, method) pairs, the first method."""
    parcel_row = index.demographics.parcel_row
    found = {}
    for record, method in records:
        row = parcel_row[record]
        if row is not None:
            found.setdefault(row, method)
    return found


@cython.locals(index=CountyIndex, demographics=DemographicIndex, query=Query)
def _names_elsewhere(index, query):
    """{row: method} of the parcels whose household record carries the participant's name
    anywhere, when at most NAME_BLOCK_LIMIT records do (a wrong ZIP and city), else whose record
    in their ZIP carries a name close to theirs (Jaro–Winkler ≥ SIMILAR_NAME, the three closest
    names: a misspelt name; a search of all the ZIP's names, so only for whom nothing else
    was found)."""
    demographics = index.demographics
    found = rows_of(demographics.by_name, query.name)
    if 0 < len(found) <= NAME_BLOCK_LIMIT:
        return _parcel_rows(index, [(record, NAME_ANYWHERE) for record in found])
    records = []
    for zip5 in query.zips:
        for name, _score, _index in process.extract(
            query.name, demographics.names_in_zip(zip5), scorer=JaroWinkler.similarity,
            score_cutoff=SIMILAR_NAME, limit=3,
        ):  # fmt: skip
            found = rows_of(demographics.by_zip_name, (zip5, name))
            records.extend([(record, SIMILAR_NAME_ZIP) for record in found])
    return _parcel_rows(index, records)


def _own_address(candidate):
    """Whether a candidate is the address the participant gave, where they said: house number
    and street agree, and the ZIP (or one digit off) or the city."""
    return (
        candidate.house_number_level == "exact"
        and candidate.street_level in STREET_AGREES
        and where_they_said(candidate)
    )


def _agrees(candidate):
    """Whether a candidate's street or a person of its household record agrees."""
    return candidate.street_level in STREET_AGREES or candidate.person_agrees


@cython.locals(parcels=ParcelIndex, query=Query)
def _without_other_streets(parcels, query, found, model):
    """`found` without the parcels of other streets (street `different`) when the participant's
    own address is among them: a parcel of their house number and street (exact or a typo) in
    their ZIP or city. Blocking, not scoring: the address they gave exists where they said, so
    the neighbours at that number in the ZIP are not candidates, even when a household record
    there names them (a previous home). At 300,000 parcels they were 52,000 of the 128,000
    candidates compared. Most participants' own address is spelt as the parcel's
    (`_own_row`): its neighbours are then told apart by what the index recorded."""
    own = _own_row(parcels, query, found)
    if own is not None:
        return _at_own_number(parcels, query, found, model, own)
    house_number, street, zips, city = query.house_number, query.street, query.zips, query.city
    numbers, streets, parcel_zips, cities = (
        parcels.house_number, parcels.street, parcels.zip5, parcels.city,
    )  # fmt: skip
    levels = {}
    own = False
    entries = model.street_entries(street)  # street_entry's, read inline: one call less a row
    for row in found:
        parcel_street = streets[row]
        if parcel_street == street:
            level = levels[row] = "exact"  # what street_entry says of the same street
        elif parcel_street:
            entry = entries.get(parcel_street) or street_entry(
                model, street, parcel_street, entries
            )
            level = levels[row] = entry[0]
        else:
            level = levels[row] = MISSING
        if (
            not own
            and level in STREET_AGREES
            and numbers[row] == house_number
            and (parcel_zips[row] in zips or (city is not None and cities[row] == city))
        ):
            own = True
    if not own:
        return found
    return {row: method for row, method in found.items() if levels[row] != "different"}


@cython.locals(parcels=ParcelIndex, query=Query)
def _own_row(parcels, query, found):
    """The first row of `found` at the participant's house number and street as they gave it
    (the same normalised text, so street level `exact`) in their ZIP or city, or None."""
    house_number, street, zips, city = query.house_number, query.street, query.zips, query.city
    numbers, streets, parcel_zips, cities = (
        parcels.house_number, parcels.street, parcels.zip5, parcels.city,
    )  # fmt: skip
    for row in found:
        if (
            streets[row] == street
            and numbers[row] == house_number
            and (parcel_zips[row] in zips or (city is not None and cities[row] == city))
        ):
            return row
    return None


@cython.locals(parcels=ParcelIndex, query=Query)
def _at_own_number(parcels, query, found, model, own):
    """`found` without the rows of streets `different` from the participant's, given the row of
    their own address (`_own_row`). Every row of `found` has their house number, so those in the
    own row's ZIP share its ZIP and house number block, whose streets the index recorded as
    related or not (ParcelIndex.related_streets); the others are compared (street_entry)."""
    street, streets, parcel_zips = query.street, parcels.street, parcels.zip5
    own_zip = parcel_zips[own]
    related = parcels.related_streets.get(street, ())
    entries = None
    kept = {}
    for row, method in found.items():
        other = streets[row]
        if other == street or not other:
            kept[row] = method
        elif own_zip and parcel_zips[row] == own_zip:
            if other in related:
                kept[row] = method
        else:
            if entries is None:
                entries = model.street_entries(street)
            entry = entries.get(other) or street_entry(model, street, other, entries)
            if entry[0] != "different":
                kept[row] = method
    return kept


@cython.locals(parcels=ParcelIndex, found=dict, query=Query)
def _house_in_city(parcels, query):
    """{row: HOUSE_CITY} of the parcels of the participant's house number in the other ZIPs of
    their city (a wrong ZIP, and a street that is missing or was not found)."""
    found = {}
    for zip5 in parcels.city_zips.get(query.city, ()):
        if zip5 not in query.zips:
            for row in rows_at(parcels.by_zip_house, zip5, query.number):
                found[row] = HOUSE_CITY
    return found


@cython.locals(index=CountyIndex, parcels=ParcelIndex, query=Query, candidate=Comparison)
def candidates(
    index, query, thresholds, prior, *, near_misses=True, people=True, other_streets=False,
    model=None,
):  # fmt: skip
    """The scored candidates of a participant, best first. Unless their own address (house
    number and street, in their ZIP or city) is found, the blocks of `_unless_own_address` add
    theirs. The parcels of other streets are left out when the participant's own address is
    found (`_without_other_streets`), unless `other_streets` (EM fits on every pair blocking
    finds). Measured by benchmarks/matching_benchmark.py (demo, 300,000 parcels) and
    benchmarks/splink_comparison.py (FEBRL4)."""
    parcels = index.parcels
    model = model or thresholds.parameters.model()
    cutoff = thresholds.city_cutoff
    found = _gather(parcels, query, thresholds) if query.street else {}
    if query.street is None and query.number is not None:
        for zip5 in query.zips:  # no street: the house number in the ZIP, for names to carry
            for row in rows_at(parcels.by_zip_house, zip5, query.number):
                found.setdefault(row, HOUSE_ZIP)
    elif not other_streets and len(found) > 1:
        found = _without_other_streets(parcels, query, found, model)
    scored = [compare_row(index, query, row, model, prior, method, cutoff)
              for row, method in found.items()]  # fmt: skip
    for candidate in scored:
        if _own_address(candidate):
            break  # most participants' own address is found
    else:
        _unless_own_address(index, query, thresholds, prior, found, scored, model,
                            near_misses=near_misses, people=people)  # fmt: skip
    return best_first(parcels, scored) if len(scored) > 1 else scored


@cython.locals(parcels=ParcelIndex, candidate=Comparison, position=cython.Py_ssize_t)
def best_first(parcels, scored):
    """Comparisons by weight, then parcel id (a stable sort: ties in their order). The keys are
    made in a loop, not by a lambda a candidate, which compiled cannot type its candidate (a
    warm pass over the 20,000-row demo 387.3 → 386.5 M instructions, a first 557.9 → 556.5 M;
    callgrind, 2026-12-03)."""
    parcel_id = parcels.parcel_id
    keyed = []
    for position, candidate in enumerate(scored):
        keyed.append((-candidate.weight, parcel_id[candidate.row], position, candidate))
    keyed.sort()
    return [entry[3] for entry in keyed]


@cython.locals(
    index=CountyIndex, parcels=ParcelIndex, query=Query, candidate=Comparison, found=dict
)
def _unless_own_address(index, query, thresholds, prior, found, scored, model, *, near_misses,
                        people):  # fmt: skip
    """The blocks read when the participant's own address is not among the candidates `found`
    (their Comparisons `scored`, both added to): `near_misses` adds the parcels of the street
    closest to the house number (what a reviewer compares), `people` the parcels whose
    household record carries the participant's name or contact (the same address in another
    town does not stop it: on FEBRL4 the true parcel, a number away on the street, was behind
    it); and when no street agrees either, their number in the other ZIPs of their city and
    their name elsewhere (`_names_elsewhere`). These only rank: acceptance keeps its evidence
    rule (`evidence_holds`)."""
    parcels = index.parcels
    cutoff = thresholds.city_cutoff
    if people:
        # The people's blocks, for whom the address blocks found no parcel of that address.
        _add(index, query, model, prior, cutoff, found, scored, _people(index, query))
    if not found and query.street and query.number is not None:
        more = _gather(parcels, query, thresholds, everywhere=True)
        _add(index, query, model, prior, cutoff, found, scored, more)
    if near_misses and query.street:
        street = [row for row in _same_street(parcels, query, thresholds) if row not in found]
        rows = nearest_rows(parcels, street, query.number, thresholds.kept)
        _add(index, query, model, prior, cutoff, found, scored, dict.fromkeys(rows, CITY_STREET))
    for candidate in scored:
        if candidate.street_level in STREET_AGREES:
            return
    # Their street is not found (or not given): their number in the city, or their name
    # misspelt in the ZIP.
    if query.number is not None and query.city:
        _add(index, query, model, prior, cutoff, found, scored, _house_in_city(parcels, query))
    if people and query.name:
        for candidate in scored:
            if _agrees(candidate):
                return
        _add(index, query, model, prior, cutoff, found, scored, _names_elsewhere(index, query))


def _add(index, query, model, prior, cutoff, found, scored, more):
    """Adds to `found` the rows of `more` ({row: method}) it does not have, and their
    Comparisons to `scored` (a function of its own, not a closure, so that compiled its
    variables are typed)."""
    for row, method in more.items():
        if row not in found:
            found[row] = method
            scored.append(compare_row(index, query, row, model, prior, method, cutoff))
