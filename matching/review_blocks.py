"""Review blocks: more candidates for a participant the matcher did not link, for the reviewer.

matching.scoring.decide asks for them only after its decision linked nobody, and decides again
without accepting anything (their methods are in scoring.REVIEW_ONLY too), so no link changes
and the linked path pays nothing. They read what the address blocks cannot when the ZIP is one
digit off or has two digits swapped and the city is misspelt too (most of FEBRL4's people left
for review whose true record was no candidate at all):

- the one household record anywhere that carries the participant's name (NAME_BLOCK_LIMIT),
  and the records of their ZIP or a neighbouring one (`near_zips`) whose name shares a word
  with theirs and is close to it (Jaro–Winkler ≥ SIMILAR_NAME), or is their surname and the
  parcel's city is theirs (a misspelling too), a word that more than NAME_WORD_LIMIT records
  of a ZIP carry not read (JOHN in a big ZIP);
- their house number in a neighbouring ZIP, kept when the street agrees (a typo too) or the
  household record names them (their surname at least) or holds their email or phone, or
  shares a word of their name in their city;
- their street in the other cities of the neighbouring ZIPs: the parcels nearest their number.

They are not read for whom their street is in their ZIP or city (its near misses were shown),
nor for whom neither their ZIP nor their city (or a misspelling of it) is the county data's
(they live outside it). FEBRL4 (benchmarks/splink_comparison.py): the true record first for
96.4 % of the 413 left for review (95.2 % before the surname and the first name in their town,
88.1 % before these blocks); the blocks take 0.057–0.063 s of a 0.41–0.47 s cold decision pass
(CPU, load 3.1), the same as before those two. The demo at 300,000 parcels: 204 of its 4,527
unlinked pass those tests; the blocks take 0.060–0.113 s of a 1.4–2.3 s cold pass of its 4,452
unlinked (0.043–0.085 s before those two, alternated; CPU, load 2.1–4.7), and the names' words by
ZIP 7.5 MB of the index's 229.8 MB.
"""

import cython
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from matching.comparison import (
    SIMILAR_NAME,
    STREET_AGREES,
    city_level,
    compare_row,
    person_levels,
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
from matching.streets import street_entry

NAME_ANYWHERE = "name"
NEAR_ZIP_NAME = "similar name+near zip"
NEAR_ZIP_SURNAME = "surname+city+near zip"
NEAR_ZIP_HOUSE = "house_number+near zip"
NEAR_ZIP_STREET = "street+near zip"
METHODS = frozenset(
    (NAME_ANYWHERE, NEAR_ZIP_NAME, NEAR_ZIP_SURNAME, NEAR_ZIP_HOUSE, NEAR_ZIP_STREET)
)
NAME_BLOCK_LIMIT = 1  # a name carried by more records than this anywhere is not read
NAME_WORD_LIMIT = 10  # a name word carried by more records of a ZIP than this is not read
_DIGITS = "0123456789"


@cython.locals(parcels=ParcelIndex)
def near_zips(parcels, zips):
    """The ZIPs the data has that are one digit off the participant's (one digit replaced, or
    two neighbours swapped), theirs left out. Cached on the index by ZIP."""
    cache = parcels.corrected_street_cache
    found = {}
    for zip5 in zips:
        near = cache.get(("near zips", zip5))
        if near is None:
            near = cache["near zips", zip5] = _near(parcels.zip_count, zip5)
        found.update(dict.fromkeys(near))
    return [zip5 for zip5 in found if zip5 not in zips]


def _near(known, zip5):
    variants = {zip5[:at] + digit + zip5[at + 1 :] for at in range(len(zip5)) for digit in _DIGITS}
    variants.update(zip5[:at] + zip5[at + 1] + zip5[at] + zip5[at + 2 :]
                    for at in range(len(zip5) - 1))  # fmt: skip
    variants.discard(zip5)
    return tuple(sorted(variant for variant in variants if variant in known))


@cython.locals(index=CountyIndex, demographics=DemographicIndex, parcels=ParcelIndex)
def _similar_names(index, query, zips, city_cutoff):
    """{parcel row: method} of the one record anywhere that carries the participant's name, and
    of the records of `zips` whose name shares a word with theirs and is close to it, or is
    their surname and the record's city agrees with theirs (a misspelling too)."""
    demographics, parcels = index.demographics, index.parcels
    name, people, parcel_row = query.name, demographics.people, demographics.parcel_row
    surname = query.surname or ()
    records = rows_of(demographics.by_name, name)
    found = dict.fromkeys(records if len(records) <= NAME_BLOCK_LIMIT else (), NAME_ANYWHERE)
    for zip5 in zips:
        for word in name.split(" "):
            records = rows_of(demographics.by_zip_word, (zip5, word))
            if len(records) > NAME_WORD_LIMIT:
                continue
            for record in records:
                if JaroWinkler.similarity(name, people[record][0], score_cutoff=SIMILAR_NAME):
                    found.setdefault(record, NEAR_ZIP_NAME)
                elif (
                    word in surname
                    and (row := parcel_row[record]) is not None
                    and _city_agrees(parcels, query, row, city_cutoff)
                ):
                    found.setdefault(record, NEAR_ZIP_SURNAME)
    return {parcel_row[record]: method for record, method in found.items()
            if parcel_row[record] is not None}  # fmt: skip


@cython.locals(index=CountyIndex, parcels=ParcelIndex, demographics=DemographicIndex)
def _house_near(index, query, model, near, cutoff):
    """{parcel row: NEAR_ZIP_HOUSE} of the parcels of the participant's house number in the
    neighbouring ZIPs whose street agrees with theirs (a typo too) or whose household record
    names them (their surname at least), or holds their email or phone, or shares a word of
    their name (their first name) in their city. Not the city alone: most of the demo's people
    with no parcel would then be shown the same number on another street of their city."""
    parcels, demographics = index.parcels, index.demographics
    found = {}
    for zip5 in near:
        for row in rows_at(parcels.by_zip_house, zip5, query.number):
            street = parcels.street[row]
            if (
                (
                    query.street
                    and street
                    and street_entry(model, query.street, street)[0] in STREET_AGREES
                )
                or _names_them(person_levels(demographics, row, query))
                or (
                    _city_agrees(parcels, query, row, cutoff)
                    and _shares_a_name_word(demographics, row, query.name)
                )
            ):
                found[row] = NEAR_ZIP_HOUSE
    return found


@cython.locals(parcels=ParcelIndex)
def _city_agrees(parcels, query, row, cutoff):
    """Whether the parcel's city is the participant's or a misspelling of it (city_level)."""
    return city_level(parcels, query.city, parcels.city[row], cutoff) in ("exact", "similar")


@cython.locals(demographics=DemographicIndex)
def _shares_a_name_word(demographics, row, name):
    """Whether a household record of the parcel shares a word of the participant's name."""
    if not name:
        return False
    words, people = set(name.split(" ")), demographics.people
    records = rows_of(demographics.by_parcel_row, row)
    return any(not words.isdisjoint(people[record][0].split(" ")) for record in records
               if people[record][0])  # fmt: skip


def _names_them(levels):
    name, email, phone = levels
    return name in ("exact", "similar", "surname") or email == "exact" or phone == "exact"


def _street_near(parcels, query, near, count, seen):
    """{parcel row: NEAR_ZIP_STREET} of the `count` parcels nearest the participant's house
    number on their street in the cities of the neighbouring ZIPs, but for their own city and
    their ZIPs' (the near misses read those). The cities are read in their sorted order, so
    which of equally near parcels fill the places does not depend on the hash seed."""
    cities = {city for zip5 in near for city in parcels.zip_cities.get(zip5, ())}
    cities.discard(query.city)
    cities.difference_update(*(parcels.zip_cities.get(zip5, ()) for zip5 in query.zips))
    rows = [row for city in sorted(cities)
            for row in rows_of(parcels.by_city_street, (city, query.street_key))
            if row not in seen]  # fmt: skip
    return dict.fromkeys(nearest_rows(parcels, rows, query.number, count)[:count], NEAR_ZIP_STREET)


def _street_known(parcels, query):
    """Whether the participant's ZIP or city has their street (the near misses showed it)."""
    key = query.street_key
    return any(key in parcels.zip_streets.get(zip5, ()) for zip5 in query.zips) or (
        key in parcels.city_streets.get(query.city, ())
    )


def _in_county(parcels, query, cutoff):
    """Whether the participant's ZIP or city is the county data's, or their city a misspelling
    of one of its cities (rapidfuzz ratio ≥ cutoff, as `city_level` reads a city); else they
    live outside it. Cached on the index by city."""
    if any(zip5 in parcels.zip_count for zip5 in query.zips):
        return True
    city = query.city
    if not city:
        return False
    cache = parcels.corrected_street_cache
    known = cache.get(("known city", city))
    if known is None:
        known = cache["known city", city] = city in parcels.city_counties or bool(
            process.extractOne(
                city, list(parcels.city_counties), scorer=fuzz.ratio, score_cutoff=cutoff
            )
        )
    return known


@cython.locals(index=CountyIndex, parcels=ParcelIndex, query=Query)
def candidates(index, query, thresholds, model, prior, scored):
    """The Comparisons of the parcels these blocks find that the address blocks' `scored` does
    not hold."""
    parcels = index.parcels
    if not _in_county(parcels, query, thresholds.city_cutoff) or (
        query.street_key and _street_known(parcels, query)
    ):
        return []
    seen = {candidate.row for candidate in scored}
    near = near_zips(parcels, query.zips)
    found = {}
    if query.name:
        found.update(_similar_names(index, query, [*query.zips, *near], thresholds.city_cutoff))
    if near and query.number is not None:
        found.update(_house_near(index, query, model, near, thresholds.city_cutoff))
    if near and query.street_key:
        found.update(_street_near(parcels, query, near, thresholds.kept, seen))
    cutoff = thresholds.city_cutoff
    return [compare_row(index, query, row, model, prior, method, cutoff)
            for row, method in found.items() if row not in seen]  # fmt: skip
