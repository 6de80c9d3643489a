# cython: infer_types=False
# Compiled (empowersave.compiled), `row = len(...)` would be a C integer, boxed into a new int
# object at each posting it is added to: 79 MB more at 300,000 parcels. As Python objects,
# the postings of a row share one.
"""In-memory blocking indexes over the county collections, built once per matching run.

A parcel is one row of parallel lists (strings interned, so a street or city is stored once);
the blocking indexes map a key to the rows that share it:

- ZIP + house number           → survives a typo in the street name;
- street key + house number    → survives a missing or wrong ZIP;
- city + street key            → survives a broken house number (candidates for review only);
- household records by (ZIP, name), email and mobile → people as evidence (matching.comparison).

Counts for the street's term-frequency adjustment: parcels per (ZIP, street key) and per ZIP.

County resolution comes from the data itself: the ZIPs and cities each county's parcels cover.
Memory per parcel is printed by benchmarks/matching_benchmark.py.
"""

import copyreg
import gc
import re
import sys
from collections import defaultdict
from contextlib import contextmanager
from functools import lru_cache

import cython

from matching.address_parser import parse_address
from matching.address_text import clean_text
from matching.house_numbers import range_numbers
from matching.localities import normalize_city
from matching.street_forms import normalize_street
from matching.streets import other_street
from participants.fields import ascii_digits, normalize_zip

_LEADING_DIGITS = re.compile(r"\d+")
# Wisconsin's grid numbers (N1234, W156N8480): their last number is the house's place along its
# street, so it is the key (and the order of `nearest_rows`).
_GRID_NUMBER = re.compile(r"(?:[NSEW]\d+)?[NSEW](\d+)")

RESIDENTIAL_FIELDS = ("county", "parcel_id", "address", "parcel_city", "parcel_zip")
DEMOGRAPHIC_FIELDS = (
    "county",
    "parcel_id",
    "customer_name",
    "email",
    "mobile",
    "annual_kwh_cost",
    "total_energy_burden",
)


MAX_HOUSE_NUMBER_DIGITS = 9  # no street has a house number of ten digits


@lru_cache(maxsize=65536)
def house_number_key(house_number):
    """The leading digits of a house number as an int ("12A" → 12; a grid number's last ones,
    "W156N8480" → 8480), or None (also for more than MAX_HOUSE_NUMBER_DIGITS digits: a
    100,000-digit "house number" is no house number)."""
    if not house_number:
        return None
    match = _LEADING_DIGITS.match(house_number)
    if not match and (grid := _GRID_NUMBER.fullmatch(house_number)):
        match = _LEADING_DIGITS.match(grid[1])
    if not match or len(match.group()) > MAX_HOUSE_NUMBER_DIGITS:
        return None
    return int(match.group())


# Each byte an ASCII digit kept, every other one a space (`phone_key` then removes the spaces).
_DIGITS_AND_SPACES = bytes(code if 48 <= code <= 57 else 32 for code in range(256))


@cython.locals(text=str, digits=str)
def phone_key(raw):
    """The last ten digits of a phone number in any format, or None. Its decimal characters
    (str.isdecimal: the regular expression's \\d) are kept by bytes.translate when it is ASCII
    (the ten digits are its only decimals), else by filter in C and read as ASCII digits (a
    full-width phone): 6,600 instructions a phone by filter against 7,800 for the pattern's
    substitution (callgrind, six formats). The other bytes are made spaces and removed, not
    deleted by translate, which builds a table of the bytes to delete at each call: translating
    the 2,316 phones of a warm pass over the 20,000-row demo took 4.7 → 0.5 M instructions, the
    pass 504.9 → 500.5 M (callgrind, 2026-12-03); typed str when compiled, 8.6 → 5.7 M."""
    if not raw:
        return None
    text = str(raw)
    if text.isascii():
        digits = (
            text.encode("ascii").translate(_DIGITS_AND_SPACES).replace(b" ", b"").decode("ascii")
        )
    else:
        digits = ascii_digits("".join(filter(str.isdecimal, text)))  # a full-width phone
    return digits[-10:] if len(digits) >= 10 else None


@cython.locals(text=str)
def email_key(raw):
    if not raw or not isinstance(raw, str):
        return None
    text = raw
    return text.strip().lower() or None


@lru_cache(maxsize=16384)
def name_words(part):
    """The words of one name field ("Mary-Jo" → MARY, JO), initials dropped, in their order."""
    text = clean_text(part)
    return tuple(word for word in text.split(" ") if len(word) > 1) if text else ()


def name_key(*parts):
    """Order-free name: "SMITH, JOHN A" and "John Smith" both give "JOHN SMITH".

    Initials are dropped, the other words sorted, so "LAST, FIRST" and "First Last" agree.
    """
    words = []
    for part in parts:
        if part:
            words.extend(name_words(part) if part.__class__ is str else name_words(str(part)))
    return " ".join(sorted(words)) or None


def surname_key(customer_name):
    """The surname of a household record's name, "LAST, FIRST" or "First Last", as name_key
    gives it; None when there is none."""
    if not customer_name or not isinstance(customer_name, str):
        return None
    last = customer_name.split(",")[0] if "," in customer_name else customer_name.split()[-1]
    return name_key(last)


def _add(postings, key, row):
    """Postings hold a bare row while a key has one (most do), a list from the second on."""
    rows = postings.get(key)
    if rows is None:
        postings[key] = row
    elif type(rows) is int:
        postings[key] = [rows, row]
    else:
        rows.append(row)


@cython.locals(postings=dict)
def rows_of(postings, key):
    """The rows of a key in a postings dict, as a sequence."""
    rows = postings.get(key)
    if rows is None:
        return ()
    return (rows,) if type(rows) is int else rows


def _add_at(postings, key, number, row):
    """`_add` in two-level postings: key → house number → rows."""
    numbers = postings.get(key)
    if numbers is None:
        postings[key] = {number: row}
    else:
        _add(numbers, number, row)


@cython.locals(postings=dict, numbers=dict)
def rows_at(postings, key, number):
    """The rows of (key, house number) in two-level postings, as a sequence: a key no parcel
    has is answered from the small outer dict (most of a street's spelling variants). A bare
    row is told by type(rows), which compiled is a pointer compared, not rows.__class__, an
    attribute looked up: with rows_of's, compare's and normalize_zip's, a warm pass over the
    20k demo took 453.8 → 450.3 M instructions (callgrind, 2026-12-03)."""
    numbers = postings.get(key)
    if numbers is None:
        return ()
    rows = numbers.get(number)
    if rows is None:
        return ()
    return (rows,) if type(rows) is int else rows


@cython.locals(
    numbers=list,
    nearest=list,
    distances=list,
    target=cython.longlong,
    distance=cython.longlong,
    farthest=cython.longlong,
    place=cython.Py_ssize_t,
)
def nearest_rows(parcels, rows, number, count):
    """The `count` rows whose house numbers are closest to `number` (all when it is None); of
    equally close rows, the first in `rows`: what a stable sort by distance keeps. One pass,
    each row placed among the nearest so far (at most `count`, the 5 kept for review), instead
    of a key function called a row and a sort: 300 rows took 28.5 → 6.6 µs (compiled,
    2026-12-03). House numbers have at most MAX_HOUSE_NUMBER_DIGITS digits, so compiled the
    distances are C integers."""
    if number is None or len(rows) <= count:
        return rows
    if count <= 0:
        return []
    numbers = parcels.number
    target = number
    nearest, distances = [], []
    farthest = -1  # the farthest distance kept once `count` are: a C integer compared
    for row in rows:
        distance = abs(cython.cast(cython.longlong, numbers[row]) - target)
        if distance >= farthest >= 0:
            continue  # no nearer than the farthest kept, which came first
        place = len(distances)
        while place and distances[place - 1] > distance:
            place -= 1
        distances.insert(place, distance)
        nearest.insert(place, row)
        if len(nearest) > count:
            distances.pop()
            nearest.pop()
        if len(nearest) == count:
            farthest = distances[count - 1]
    return nearest


class ParcelIndex:
    """Parcels of every county with their blocking indexes and coverage (ZIPs and cities)."""

    def __init__(self):
        self.county = []
        self.parcel_id = []
        self.address = []
        self.parcel_city = []
        self.parcel_zip = []
        self.house_number = []
        self.number = []  # house_number_key of each row, 0 when none (`nearest_rows` orders by it)
        self.street = []
        self.unit = []
        self.city = []
        self.zip5 = []
        self.by_parcel = defaultdict(dict)  # county → parcel_id → row
        self.by_zip_house = {}  # zip5 → house number int → rows (rows_at)
        self.by_street_house = {}  # street key → house number int → rows
        self.by_city_street = {}  # (city, street key) → rows
        # street → the streets that share a ZIP and house number with it and are not `different`
        # from it (matching.streets.other_street); every other pair at a number is different.
        self.related_streets = {}
        self.zip_counties = defaultdict(set)
        self.city_counties = defaultdict(set)
        self.zip_cities = defaultdict(set)
        self.city_zips = defaultdict(set)
        self.zip_streets = defaultdict(set)  # zip5 → street keys, for typo correction
        self.city_streets = defaultdict(set)
        self.all_street_keys = set()  # the typo search's area when ZIP and city give none
        self.zip_street_count = defaultdict(int)  # (zip5, street key) → parcels
        self.zip_count = defaultdict(int)
        self._mean_street_share = None
        self.street_frequency_cache = {}  # (zip5, street key) → bits (matching.comparison)
        self.corrected_street_cache = {}  # (street, area, cutoff) → close keys (matching.blocking)
        self.street_blocks_cache = {}  # street → its keys' house-number blocks (matching.blocking)
        self.place_cache = {}  # (zips, city) → what they say of the county data (matching.scoring)
        self.weighing = None  # (parameters, model, prior weight) of the last decision (scoring)
        self._shared = {}  # one int object per distinct parcel_zip

    def __len__(self):
        return len(self.parcel_id)

    def __getstate__(self):
        """What a pickle of the index (the county index snapshot) holds: everything but what
        matching memoises on it, so that the index pickled after a run's matching is the one
        pickled as it was built (tests/matching/test_county_snapshot.py)."""
        state = _state(self, _PARCEL_STATE)
        for cache in (
            "street_frequency_cache",
            "corrected_street_cache",
            "street_blocks_cache",
            "place_cache",
        ):
            state[cache] = {}
        state["_mean_street_share"] = state["weighing"] = None
        return state

    def __setstate__(self, state):
        _restore(self, state)

    def __reduce__(self):
        return _reduced(self)

    def add(self, doc):
        """Index one `county_residential_data` document; rows without a parcel id are skipped."""
        county, parcel_id = doc.get("county"), doc.get("parcel_id")
        if not county or parcel_id in (None, ""):
            return
        county, parcel_id = sys.intern(str(county)), str(parcel_id)
        parsed = parse_address(doc.get("address"))
        city = normalize_city(doc.get("parcel_city"))
        zip5 = normalize_zip(doc.get("parcel_zip"))
        intern = _intern
        row = len(self.parcel_id)
        self.county.append(county)
        self.parcel_id.append(parcel_id)
        self.address.append(doc.get("address"))
        self.parcel_city.append(intern(doc.get("parcel_city")))
        parcel_zip = doc.get("parcel_zip")
        if parcel_zip.__class__ is int:
            parcel_zip = self._shared.setdefault(parcel_zip, parcel_zip)
        self.parcel_zip.append(parcel_zip)
        self.house_number.append(intern(parsed.house_number))
        self.street.append(intern(parsed.street))
        self.unit.append(intern(parsed.unit))
        key = intern(parsed.street_key)
        self.city.append(intern(city))
        self.zip5.append(intern(zip5))
        self.by_parcel[county][parcel_id] = row
        number = house_number_key(parsed.house_number)
        self.number.append(number or 0)
        self.weighing = None  # the prior weight follows the number of parcels
        if self.place_cache:
            self.place_cache.clear()  # the ZIPs and cities covered change
        if zip5:
            self.zip_count[zip5] += 1
            self.zip_counties[zip5].add(county)
            if city:
                self.zip_cities[zip5].add(city)
                self.city_zips[city].add(zip5)
        if city:
            self.city_counties[city].add(county)
        # A range parcel (20-22) under each of its numbers, so that "22 Elm St" finds it.
        numbers = (number,) if number is None else range_numbers(parsed.house_number) or (number,)
        if number is not None and zip5:
            for each in numbers:
                if parsed.street:
                    self._relate(parsed.street, rows_at(self.by_zip_house, zip5, each))
                _add_at(self.by_zip_house, zip5, each, row)
        if key:
            self._mean_street_share = None
            self.street_frequency_cache.clear()
            self.corrected_street_cache.clear()
            self.street_blocks_cache.clear()
            if zip5:
                self.zip_street_count[(zip5, key)] += 1
            self.all_street_keys.add(key)
            street = normalize_street(parsed.street)
            keys = {key, sys.intern(street.short_key)}
            if street.suffix is None or " " in key:  # "HAYNESPLACE", "LAMINGTONS TREET"
                keys.add(sys.intern(street.compact))
            for block_key in sorted(keys):
                if number is not None:
                    for each in numbers:
                        _add_at(self.by_street_house, block_key, each, row)
                if city:
                    _add(self.by_city_street, (city, block_key), row)
            if city:
                self.city_streets[city].add(key)
            if zip5:
                self.zip_streets[zip5].add(key)

    def _relate(self, street, rows):
        """Record in `related_streets` which streets of the parcels `rows` (one ZIP and house
        number) and a new one there are not `different`, both ways round. A street already there
        was compared with the others as each came (822 related ordered pairs of the 127,932 at
        300,000 parcels)."""
        streets = {self.street[row] for row in rows}
        if street in streets:
            return
        related = self.related_streets
        for other in streets:
            if other:
                if not other_street(street, other):
                    related.setdefault(street, set()).add(other)
                if not other_street(other, street):
                    related.setdefault(other, set()).add(street)

    def mean_street_share(self):
        """The share of its ZIP's parcels that a parcel's street holds, on average over the
        parcels (the street frequency adjustment's baseline); computed once."""
        if self._mean_street_share is None:
            total = sum(count * count / self.zip_count[zip5]
                        for (zip5, _key), count in self.zip_street_count.items())  # fmt: skip
            parcels = sum(self.zip_street_count.values())
            self._mean_street_share = total / parcels if parcels else 1.0
        return self._mean_street_share

    def row_of(self, county, parcel_id):
        """The row of a parcel, or None."""
        return self.by_parcel.get(county, {}).get(str(parcel_id))

    def reference(self, row):
        """The `residence_ref` of a row."""
        return {
            "county": self.county[row],
            "parcel_id": self.parcel_id[row],
            "address": self.address[row],
            "parcel_city": self.parcel_city[row],
            "parcel_zip": self.parcel_zip[row],
        }

    def counties_for(self, *, zips, city):
        """(counties, how): by ZIP, else by city, else every county (None)."""
        for zip5 in zips:
            if zip5 in self.zip_counties:
                return self.zip_counties[zip5], "zip"
        if city and city in self.city_counties:
            return self.city_counties[city], "city"
        return None, "all"


class DemographicIndex:
    """Household records keyed by parcel, contact and (ZIP, name) for demographic linking."""

    def __init__(self):
        self.records = []  # tuples in DEMOGRAPHIC_FIELDS order
        self.people = []  # (name key, email key, phone key) per record
        self.parcel_row = []  # the parcel row of each record, or None
        self.by_parcel = defaultdict(dict)  # county → parcel_id → row(s)
        self.by_parcel_row = {}  # parcel row → record row(s)
        self.by_email = {}
        self.by_mobile = {}
        self.by_zip_name = {}
        self.by_city_name = {}
        self.by_zip_surname = {}
        # (zip5, a word of the name) → records (matching.review_blocks): 7.5 MB and 0.65 s of
        # CPU of the build at 227,865 records
        self.by_zip_word = {}
        self.by_name = {}  # name → records anywhere (matching.blocking reads a small block)
        self.zip_names = defaultdict(list)  # zip5 → its distinct names, in by_zip_name's order

    def __len__(self):
        return len(self.records)

    def __getstate__(self):
        return _state(self, _DEMOGRAPHIC_STATE)

    def __setstate__(self, state):
        _restore(self, state)

    def __reduce__(self):
        return _reduced(self)

    def add(self, doc, parcels):
        county, parcel_id = doc.get("county"), doc.get("parcel_id")
        if not county or parcel_id in (None, ""):
            return
        county, parcel_id = sys.intern(str(county)), str(parcel_id)
        row = len(self.records)
        self.records.append(
            (county, parcel_id, *(doc.get(name) for name in DEMOGRAPHIC_FIELDS[2:]))
        )
        _add(self.by_parcel[county], parcel_id, row)
        email = email_key(doc.get("email"))
        mobile = phone_key(doc.get("mobile"))
        name = name_key(doc.get("customer_name"))
        self.people.append((name, email, mobile))
        if email:
            _add(self.by_email, email, row)
        if mobile:
            _add(self.by_mobile, mobile, row)
        parcel_row = parcels.row_of(county, parcel_id)
        self.parcel_row.append(parcel_row)
        if parcel_row is not None:
            _add(self.by_parcel_row, parcel_row, row)
        zip5 = parcels.zip5[parcel_row] if parcel_row is not None else None
        city = parcels.city[parcel_row] if parcel_row is not None else None
        if city and name:
            _add(self.by_city_name, (city, name), row)
        if zip5 and (surname := surname_key(doc.get("customer_name"))):
            _add(self.by_zip_surname, (zip5, surname), row)
        if zip5 and name:
            if (zip5, name) not in self.by_zip_name:
                self.zip_names[zip5].append(name)
            _add(self.by_zip_name, (zip5, name), row)
            for word in name.split(" "):
                _add(self.by_zip_word, (zip5, word), row)
        if name:
            _add(self.by_name, name, row)

    def names_in_zip(self, zip5):
        """The distinct names of the household records of a ZIP (what a misspelt name is
        looked up among), gathered as the records are added."""
        return self.zip_names.get(zip5, ())

    def reference(self, row, linked_by):
        """The `demographic_ref` of a record."""
        record = dict(zip(DEMOGRAPHIC_FIELDS, self.records[row], strict=True))
        return {**record, "linked_by": linked_by}


def _intern(value):
    return sys.intern(value) if isinstance(value, str) else value


class CountyIndex:
    """Both indexes, loaded once from the county collections."""

    def __init__(self, parcels, demographics):
        self.parcels = parcels
        self.demographics = demographics

    def __setstate__(self, state):
        """Unpickled (matching.county_snapshot): pickle writes an int by value, so each posting
        came back with a row number of its own, 441.8 MB for the full demo's index against 238.1
        MB built. The postings share one int per row again (_share_rows)."""
        _restore(self, state)
        _share_rows(self.parcels, self.demographics)

    def __getstate__(self):
        return {"parcels": self.parcels, "demographics": self.demographics}

    def __reduce__(self):
        return _reduced(self)


# What a pickle holds of each index: every attribute, by name (the compiled classes are extension
# types, matching/index.pxd, with no __dict__).
_PARCEL_STATE = (
    "county", "parcel_id", "address", "parcel_city", "parcel_zip", "house_number", "number",
    "street", "unit", "city", "zip5", "by_parcel", "by_zip_house", "by_street_house",
    "by_city_street", "related_streets", "zip_counties", "city_counties", "zip_cities",
    "city_zips", "zip_streets", "city_streets", "all_street_keys", "zip_street_count",
    "zip_count", "_mean_street_share", "street_frequency_cache", "corrected_street_cache",
    "street_blocks_cache", "place_cache", "weighing", "_shared",
)  # fmt: skip
_DEMOGRAPHIC_STATE = (
    "records", "people", "parcel_row", "by_parcel", "by_parcel_row", "by_email", "by_mobile",
    "by_zip_name", "by_city_name", "by_zip_surname", "by_zip_word", "by_name", "zip_names",
)  # fmt: skip


def _state(index, names):
    return {name: getattr(index, name) for name in names}


def _restore(index, state):
    for name, value in state.items():
        setattr(index, name, value)


def _reduced(index):
    """How an index is pickled: made without __init__ (copyreg.__newobj__, pickle's own way for
    a class of Python) and given its state (__getstate__, __setstate__), the same for the
    compiled extension type and the pure Python class, so that either reads the other's pickle
    (tests/matching/test_county_snapshot.py); not Cython's own pickling of an extension type,
    which only the compiled module could read."""
    return copyreg.__newobj__, (type(index),), index.__getstate__()


def _shared(postings, rows):
    """Point the rows of `postings` (as `_add` makes them) at the int objects of `rows`."""
    for key, value in postings.items():
        if value.__class__ is int:
            postings[key] = rows[value]
        else:
            value[:] = [rows[row] for row in value]


def _share_rows(parcels, demographics):
    """One int object for each row number (parcel or household record) and house number, in
    every posting and list that holds it, as a build makes them (a posting added to the indexes
    is added here too: tests/matching/test_county_snapshot.py checks each). Compiled, 0.8 s of
    CPU for the full demo's index: unpickling it took 1.96 s against 1.07 s (load 2.8-3.6)."""
    rows = list(range(max(len(parcels), len(demographics))))
    numbers = {number: number for number in parcels.number}
    parcels.number[:] = [numbers[number] for number in parcels.number]
    for two_level in (parcels.by_zip_house, parcels.by_street_house):
        for key, postings in two_level.items():
            two_level[key] = {numbers.get(n, n): found for n, found in postings.items()}
            _shared(two_level[key], rows)
    for postings in (*parcels.by_parcel.values(), *demographics.by_parcel.values()):
        _shared(postings, rows)
    for postings in (
        parcels.by_city_street,
        demographics.by_email,
        demographics.by_mobile,
        demographics.by_zip_name,
        demographics.by_city_name,
        demographics.by_zip_surname,
        demographics.by_zip_word,
        demographics.by_name,
    ):
        _shared(postings, rows)
    demographics.parcel_row[:] = [
        None if row is None else rows[row] for row in demographics.parcel_row
    ]
    demographics.by_parcel_row = {
        rows[row]: records for row, records in demographics.by_parcel_row.items()
    }
    _shared(demographics.by_parcel_row, rows)


def build_index(*, residential_docs, demographic_docs):
    """A CountyIndex from iterables of county documents (tests pass lists)."""
    parcels = ParcelIndex()
    for doc in residential_docs:
        parcels.add(doc)
    demographics = DemographicIndex()
    for doc in demographic_docs:
        demographics.add(doc, parcels)
    return CountyIndex(parcels, demographics)


# The key a reviewer's parcels and household records are read by (matching.households,
# services.residence_reference), on both county collections: without it each such read scanned
# 300,000 parcels or 227,865 household records on the local store (4.7 s a change page, 9.3 s an
# accept, load 5). The project never writes the county data; these indexes are its only mark.
COUNTY_KEY = [("parcel_id", 1), ("county", 1)]


def by_parcel(keys):
    """The filter of the county documents of the (county, parcel_id) `keys`, served by
    COUNTY_KEY: both equalities for one key, else the parcel ids alone (on the local store an
    `$in` beside a second condition is a full scan); the caller checks the county."""
    keys = set(keys)
    if len(keys) == 1:
        [(county, parcel_id)] = keys
        return {"parcel_id": parcel_id, "county": county}
    return {"parcel_id": {"$in": sorted({parcel_id for _county, parcel_id in keys}, key=str)}}


@contextmanager
def collector_paused():
    """The cyclic garbage collector off for the block (process-wide; as it was afterwards): a
    build or a load of the index makes millions of long-lived objects, which it would walk again
    and again (the build: 1.2 s less CPU of 8.7 s at 300,000 parcels, load 7)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
