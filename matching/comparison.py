"""Comparison levels of one participant against one candidate parcel (see matching.weights).

`compare` puts the pair in one level per column and adds up the weights; it is the matcher's
inner loop (called for every candidate), so it works on the index's parallel lists and caches
what repeats (street pairs). Measured by benchmarks/matching_benchmark.py.
"""

import math

import cython
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from matching.house_numbers import range_numbers
from matching.index import DemographicIndex, ParcelIndex
from matching.streets import street_entry
from matching.units import unit_key
from matching.weights import MISSING, PERSON_COLUMNS, person_bits, probability

STREET_AGREES = ("exact", "typo")  # the house number is then compared "on the same street"
LOCALITY_AGREES = {"zip": ("exact", "one_digit"), "city": ("exact", "similar")}  # where they said
SIMILAR_NAME = 0.92  # Jaro–Winkler of the order-free names for the `similar` level
_LEVEL_ORDER = {"exact": 0, "similar": 1, "surname": 2, "different": 3, MISSING: 4}


class Comparison:
    """One candidate: its total weight (bits, prior included) and its level in each field.

    A class of its own, not a NamedTuple, so that compiled (comparison.pxd) it is an extension
    type whose fields a variable typed Comparison (`cython.locals`) reads from its C struct: a
    namedtuple's field read took about 170 instructions, and a decision reads about 26 a
    participant. A first pass over the 20,000-row demo (5,043 people) took 674.0 → 652.7 M
    instructions, a warm one 499.9 → 478.4 M (callgrind, 2026-12-03, before the index classes were
    typed; with Query so too, see matching.query)."""

    __slots__ = (
        "row",
        "weight",
        "method",
        "street_frequency",  # bits added for an exact street (term frequency), or None
        "street_exact",  # the whole normalised street equal (directionals and suffix too)
        "house_number_level",
        "street_level",
        "suffix_level",
        "directional_level",
        "unit_level",
        "city_level",
        "zip_level",
        "person_levels",  # (name, email, phone)
        "person_weight",  # what name, email and phone contributed (bits)
        "person_agrees",  # a person of the household record is the participant (`person_agrees`)
    )

    def __init__(
        self, row, weight, method, street_frequency, street_exact, house_number_level,
        street_level, suffix_level, directional_level, unit_level, city_level, zip_level,
        person_levels, person_weight, person_agrees,
    ):  # fmt: skip
        self.row = row
        self.weight = weight
        self.method = method
        self.street_frequency = street_frequency
        self.street_exact = street_exact
        self.house_number_level = house_number_level
        self.street_level = street_level
        self.suffix_level = suffix_level
        self.directional_level = directional_level
        self.unit_level = unit_level
        self.city_level = city_level
        self.zip_level = zip_level
        self.person_levels = person_levels
        self.person_weight = person_weight
        self.person_agrees = person_agrees

    def _values(self):
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other):
        """Field by field, as the namedtuple it was (two decisions compared)."""
        if other.__class__ is not Comparison:
            return NotImplemented
        return self._values() == other._values()

    def __repr__(self):
        values = ", ".join(
            f"{name}={value!r}" for name, value in zip(self.__slots__, self._values(), strict=True)
        )
        return f"Comparison({values})"

    @property
    def levels(self):
        """((column, level), …) in LEVELS order, the `missing` columns left out: the house
        number and city in the column of their condition (street, ZIP agreeing or not)."""
        street = self.street_level
        number_column = "house_number_same_street" if street in STREET_AGREES else "house_number"
        city_column = "city_same_zip" if self.zip_level == "exact" else "city"
        pairs = (
            (number_column, self.house_number_level),
            ("street", street),
            ("suffix", self.suffix_level),
            ("directional", self.directional_level),
            ("unit", self.unit_level),
            (city_column, self.city_level),
            ("zip", self.zip_level),
            *zip(PERSON_COLUMNS, self.person_levels, strict=True),
        )
        return tuple(pair for pair in pairs if pair[1] != MISSING)

    def level(self, column):
        for name, level in self.levels:
            if name == column:
                return level
        return MISSING

    @property
    def probability(self):
        return probability(self.weight)

    @property
    def score(self):
        """The probability in percent (what the review queue sorts and thresholds on)."""
        return round(100.0 * self.probability, 2)

    @property
    def agreement(self):
        """Which fields agreed, as stored on the participant for reviewers (`agreement_of`)."""
        return agreement_of(self)

    def contributions(self, model, prior):
        """[[column, level, bits], …]: the prior first, then each column, the street's
        frequency adjustment after it; they add up to `weight`. What a waterfall draws."""
        table = model.table
        rows = [["prior", "", round(prior, 2)]]
        counted = dict(zip(PERSON_COLUMNS, person_bits(table, self.person_levels), strict=True))
        for column, level in self.levels:
            bits = counted[column] if column in counted else table[column][level]
            rows.append([column, level, round(bits, 2)])
            if column == "street" and self.street_frequency is not None:
                rows.append(["street_frequency", "in_zip", round(self.street_frequency, 2)])
        return rows


def agreement_of(candidate):
    """Comparison.agreement: which fields agreed, as stored on the participant for reviewers.
    A C function compiled (comparison.pxd), which the decision calls for every participant it
    links or leaves pending."""
    return {
        "house_number": candidate.house_number_level == "exact",
        "street": candidate.street_level in STREET_AGREES,
        "street_exact": candidate.street_exact,
        "city": candidate.city_level in ("exact", "similar"),
        "zip": candidate.zip_level == "exact",
        "person": "exact" in candidate.person_levels,
    }


def person_agrees(person_levels):
    """Whether a person of the household record is the participant: of the (name, email, phone)
    levels, the name exact or similar, or the email or phone exact. Comparison.person_agrees is
    this, kept when compared rather than a property read again: the decision reads it about 1.7
    times a participant (a warm pass over the 20,000-row demo: 507.3 → 504.9 M instructions;
    callgrind, 2026-12-03)."""
    name, email, phone = person_levels
    return name in ("exact", "similar") or email == "exact" or phone == "exact"


def where_they_said(candidate):
    """Whether the candidate is where the participant said: in their ZIP (or one digit off)
    or their city (`LOCALITY_AGREES`)."""
    return (
        candidate.zip_level in LOCALITY_AGREES["zip"]
        or candidate.city_level in LOCALITY_AGREES["city"]
    )


def zip_level(zips, parcel_zip):
    """exact, one_digit (one digit replaced, or two neighbours swapped), zip3 (same first
    three), different or missing."""
    if parcel_zip in zips:
        return "exact"
    if not zips or not parcel_zip:
        return MISSING
    level = "different"
    for zip5 in zips:
        if OSA.distance(zip5, parcel_zip, score_cutoff=1) <= 1:  # one digit, or two swapped
            return "one_digit"
        if zip5[:3] == parcel_zip[:3]:
            level = "zip3"
    return level


def house_number_level(mine, theirs):
    """exact (also a number within the other's range: 22 and 20-22), one_edit or different."""
    if not mine or not theirs:
        return MISSING
    if mine == theirs or _within_range(mine, theirs) or _within_range(theirs, mine):
        return "exact"
    return "one_edit" if OSA.distance(mine, theirs, score_cutoff=1) <= 1 else "different"


def _within_range(number, numbers):
    """Whether a plain house number is one of a range's ("22" of "20-22": a double house the
    county holds as one parcel)."""
    if "-" not in numbers or not number.isdigit():
        return False
    return int(number) in range_numbers(numbers)


def _number_level(mine, theirs, unit):
    """`house_number_level`, where a unit that is one letter may be the house number's own
    ("16 Elm St Apt A" and the parcel 16A ELM ST: as likely as the 16 ELM ST beside it)."""
    level = house_number_level(mine, theirs)
    if level != "exact" and unit and mine and theirs == mine + (unit_key(unit) or " "):
        return "exact"
    return level


def city_level(parcels, city, parcel_city, cutoff):
    """A city the county data does not know (a typo) is `similar` when close enough (rapidfuzz
    ratio ≥ cutoff); a known one only when one letter away (a typo in the county data), so
    that WEST ORANGE is not EAST ORANGE."""
    if not city or not parcel_city:
        return MISSING
    if city == parcel_city:
        return "exact"
    if fuzz.ratio(city, parcel_city) >= cutoff and (
        city not in parcels.city_counties or OSA.distance(city, parcel_city, score_cutoff=1) <= 1
    ):
        return "similar"
    return "different"


def name_level(name, surname, record_name):
    """The participant's order-free name against a household record's (only the surname when
    the participant gave no first name)."""
    if not record_name or not (name or surname):
        return MISSING
    if not name:
        return "surname" if _has_words(record_name, surname) else MISSING
    if name == record_name:
        return "exact"
    if JaroWinkler.similarity(name, record_name) >= SIMILAR_NAME:
        return "similar"
    if surname and _has_words(record_name, surname):
        return "surname"
    return "different"


def _has_words(text, words):
    """Whether every word is a word of `text` (a substring test first: most are not in it). A
    loop, not all(map(…)): compiled, the 3,082 calls of a warm pass over the 20,000-row demo
    took 10.1 M instructions, 5.9 M so (callgrind, 2026-12-03)."""
    for word in words:
        if word not in text:
            return False
    return words <= set(text.split(" "))


def _unit_level(mine, theirs):
    """exact when the units' identifiers agree however written ("#3" and APT 3: unit_key),
    different when they differ, missing when either has none or one is the other written in
    part (3 of 3B, which 3A shares: it neither agrees nor differs)."""
    if not mine or not theirs:
        return MISSING
    mine, theirs = unit_key(mine), unit_key(theirs)
    if mine == theirs:
        return "exact" if mine else MISSING
    if not (mine and theirs):
        return MISSING
    shorter, longer = sorted((mine, theirs), key=len)
    if longer.startswith(shorter) and longer[len(shorter) :].isalpha() and shorter[-1].isdigit():
        return MISSING
    return "different"


_NO_PERSON = (MISSING, MISSING, MISSING)


def _record_levels(query, person):
    """(name, email, phone) levels against one household record: the phone `exact` when it is
    one of the participant's; the common name outcome (their own name) tested before
    name_level is called."""
    record_name, record_email, record_phone = person
    name = query.name
    return (
        "exact" if name == record_name and name
        else name_level(name, query.surname, record_name),
        MISSING if not (query.email and record_email)
        else "exact" if query.email == record_email else "different",
        MISSING if not (record_phone and query.phones)
        else "exact" if record_phone in query.phones else "different",
    )  # fmt: skip


@cython.locals(demographics=DemographicIndex)
def person_levels(demographics, row, query, *, records=None):
    """(name, email, phone) levels against the parcel's household records (the best record);
    `records` are the row's in demographics.by_parcel_row when the caller has them."""
    if records is None:
        records = demographics.by_parcel_row.get(row)
    if records is None:
        return _NO_PERSON
    if type(records) is int:  # one record, the common case
        return _record_levels(query, demographics.people[records])
    ranked = [_record_levels(query, demographics.people[record]) for record in records]
    return min(ranked, key=_person_rank)


def _person_rank(levels):
    name, email, phone = levels
    return (email != "exact") + (phone != "exact"), _LEVEL_ORDER.get(name, 3)


_NO_STREET = (MISSING, MISSING, MISSING, None, 0.0)


def street_frequency_weight(parcels, zip5, key):
    """The street's share of its ZIP's parcels against the average share (bits): MAIN ST counts
    less, a street of three parcels more, the same street in two towns alike. Cached on the
    index."""
    cache = parcels.street_frequency_cache
    weight = cache.get((zip5, key))
    if weight is None:
        share = parcels.zip_street_count.get((zip5, key), 1) / parcels.zip_count[zip5]
        weight = cache[(zip5, key)] = math.log2(parcels.mean_street_share() / share)
    return weight


def compare(index, query, row, model, *, prior, method, city_cutoff):
    """The Comparison of a participant (Query) with one parcel row (`compare_row`)."""
    return compare_row(index, query, row, model, prior, method, city_cutoff)


@cython.locals(
    parcels=ParcelIndex,
    demographics=DemographicIndex,
    entries=dict,
    comparison=Comparison,
    weight=cython.double,
    person_weight=cython.double,
)
def compare_row(index, query, row, model, prior, method, city_cutoff):
    """`compare`, its arguments positional: compiled, a C function (comparison.pxd) that
    blocking and review_blocks call without a Python-level call or keyword parsing (with
    blocking's `_add`, `_own_address` and `_agrees` so: a warm pass over the 20,000-row demo
    398.8 → 387.3 M instructions, a first 568.3 → 557.9 M; callgrind, 2026-12-03).

    The matcher's inner loop (about 1.4 calls a participant, most levels `exact`): the common
    levels are tested inline before the level functions are called, and the Comparison is made
    without a Python-level call, its fields set (compiled, a warm pass over the 20,000-row demo:
    483.0 M instructions with Comparison(…), 478.4 M so; callgrind, 2026-12-03). The weight is
    added up in C doubles and the level functions are C functions (comparison.pxd), with
    scoring's `_position`: a warm pass 360.7 → 352.6 M, a first 530.9 → 523.4 M (callgrind,
    2026-12-03)."""
    parcels = index.parcels
    parcel_street = parcels.street[row]
    query_street = query.street
    if query_street and parcel_street:
        entries = model.street_cache.get(query_street)
        entry = entries.get(parcel_street) if entries is not None else None
        if entry is None:
            entry = street_entry(model, query_street, parcel_street, entries)
        street, suffix, directional, key, weight = entry
    else:
        street, suffix, directional, key, weight = _NO_STREET
    zip5 = parcels.zip5[row]
    zips = query.zips
    zip_agreement = "exact" if zip5 in zips else zip_level(zips, zip5)
    house_number = query.house_number
    parcel_number = parcels.house_number[row]
    number = (
        "exact"
        if house_number == parcel_number and house_number
        else _number_level(house_number, parcel_number, query.unit)
    )
    parcel_city = parcels.city[row]
    city = "exact" if query.city == parcel_city and parcel_city else city_level(
        parcels, query.city, parcel_city, city_cutoff
    )  # fmt: skip
    unit = _unit_level(query.unit, parcels.unit[row]) if query.unit else MISSING
    # In C doubles when compiled, in the same order as Python adds them (no float object a step).
    weight += (
        prior
        + cython.cast(
            cython.double,
            (model.same_street_numbers if street in STREET_AGREES else model.numbers)[number],
        )
        + cython.cast(
            cython.double,
            (model.same_zip_cities if zip_agreement == "exact" else model.cities)[city],
        )
        + cython.cast(cython.double, model.zips[zip_agreement])
        + cython.cast(cython.double, model.units[unit])
    )
    person = _NO_PERSON
    person_weight = 0.0
    agrees = False
    demographics = index.demographics
    records = demographics.by_parcel_row.get(row)
    if records is not None:
        person = (
            _record_levels(query, demographics.people[records])
            if type(records) is int  # one record, the common case: person_levels' own
            else person_levels(demographics, row, query, records=records)
        )
        if person is not _NO_PERSON:
            person_weight = cython.cast(cython.double, model.person_weights[person])
            weight += person_weight
            agrees = person_agrees(person)
    street_frequency = None
    if street == "exact" and zip5:
        street_frequency = parcels.street_frequency_cache.get((zip5, key))
        if street_frequency is None:
            street_frequency = street_frequency_weight(parcels, zip5, key)
        weight += cython.cast(cython.double, street_frequency)
    comparison = Comparison.__new__(Comparison)  # compiled, no Python-level call: the fields set
    comparison.row = row
    comparison.weight = weight
    comparison.method = method
    comparison.street_frequency = street_frequency
    comparison.street_exact = query_street is not None and query_street == parcel_street
    comparison.house_number_level = number
    comparison.street_level = street
    comparison.suffix_level = suffix
    comparison.directional_level = directional
    comparison.unit_level = unit
    comparison.city_level = city
    comparison.zip_level = zip_agreement
    comparison.person_levels = person
    comparison.person_weight = person_weight
    comparison.person_agrees = agrees
    return comparison
