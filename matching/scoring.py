"""Candidate search and scoring of one participant address against a ParcelIndex.

Score (0-100) = 0.7 × street similarity + 30 when the locality agrees (ZIP or city; 25 when the
other of the two disagrees), minus 30 when the house number differs. A city the county data
knows agrees only when equal; an unknown one (a typo) when similar enough. Street similarity is
rapidfuzz's ratio of the street names (the street key), minus 15 for each conflicting
directional or suffix ("MAIN ST" vs "MAIN AVE") and 5 for one given on one side only; a street
typed without its suffix may end in a word that is both ("Aspen Point" for ASPEN POINT RD).
An automatic match needs the house number to agree:

- exact: house number, normalised street and locality equal, and no other parcel like it;
- fuzzy: score ≥ MATCH_ACCEPT_SCORE and ≥ MATCH_MIN_MARGIN ahead of the runner-up;
- pending: the best same-number candidate scores ≥ MATCH_REVIEW_SCORE but is not accepted;
- no_match: nothing plausible (no address, no candidate, no parcel at that house number on the
  street, or a weak score). Candidates are kept either way so a reviewer sees why.
"""

from typing import NamedTuple

from django.conf import settings
from rapidfuzz import fuzz, process

from matching.index import house_number_key, rows_of
from matching.normalize import normalize_city, normalize_street, normalize_zip, parse_address
from participants.documents import MatchQuality

# Reasons (match.reason) for pending and no_match.
NO_ADDRESS = "NO_ADDRESS"
NO_HOUSE_NUMBER = "NO_HOUSE_NUMBER"
NO_CANDIDATES = "NO_CANDIDATES"
HOUSE_NUMBER_NOT_FOUND = "HOUSE_NUMBER_NOT_FOUND"
LOW_SCORE = "LOW_SCORE"
AMBIGUOUS = "AMBIGUOUS"
BELOW_THRESHOLD = "BELOW_THRESHOLD"

# Blocking keys, recorded as match.method.
HOUSE_ZIP = "house_number+zip"
HOUSE_STREET = "house_number+street"
CITY_STREET = "city+street"

STREET_WEIGHT = 0.7
LOCALITY_POINTS = 30.0
LOCALITY_CONFLICT = 5.0
HOUSE_NUMBER_PENALTY = 30.0
PART_CONFLICT = 15.0
PART_ONE_SIDED = 5.0
STREET_AGREES = 90.0


class Thresholds(NamedTuple):
    accept: float
    margin: float
    review: float
    street_cutoff: float
    city_cutoff: float
    kept: int
    link_by_name: bool  # demographic rule 3

    @classmethod
    def from_settings(cls):
        return cls(
            settings.MATCH_ACCEPT_SCORE,
            settings.MATCH_MIN_MARGIN,
            settings.MATCH_REVIEW_SCORE,
            settings.MATCH_STREET_CUTOFF,
            settings.MATCH_CITY_CUTOFF,
            settings.MATCH_CANDIDATES_KEPT,
            settings.MATCH_LINK_BY_NAME,
        )


class Candidate(NamedTuple):
    row: int
    score: float
    method: str
    house_number: bool  # agreement of each field
    street: bool  # street similarity ≥ 90
    street_exact: bool
    city: bool
    zip: bool

    @property
    def agreement(self):
        """Which fields agreed, as stored on the participant for reviewers."""
        return {
            "house_number": self.house_number,
            "street": self.street,
            "street_exact": self.street_exact,
            "city": self.city,
            "zip": self.zip,
        }


class Decision(NamedTuple):
    quality: str
    row: int | None  # the matched parcel row (exact/fuzzy)
    score: float | None
    method: str | None
    agreement: dict | None
    reason: str | None
    candidates: list  # Candidate, best first, at most `kept`
    county_resolution: str | None  # zip | city | all


class Query(NamedTuple):
    """A participant address, normalised once."""

    house_number: str | None
    number: int | None
    street: str | None
    street_key: str | None
    city: str | None
    zips: tuple


def make_query(*, address, city, zip_code):
    """Normalise a participant's Address, City and ZIP fields; the line's own city/ZIP fill gaps
    and a ZIP in the line is tried next to the ZIP field."""
    parsed = parse_address(address)
    city_norm = normalize_city(city) if city and isinstance(city, str) else None
    zips = []
    for value in (normalize_zip(zip_code), parsed.zip5):
        if value and value not in zips:
            zips.append(value)
    return Query(
        parsed.house_number,
        house_number_key(parsed.house_number),
        parsed.street,
        parsed.street_key,
        city_norm or parsed.city,
        tuple(zips),
    )


def _street_score(query_street, parcel_street):
    if query_street == parcel_street:
        return 100.0
    mine, theirs = normalize_street(query_street), normalize_street(parcel_street)
    my_suffix, their_suffix = mine.suffix, theirs.suffix
    if mine.key == theirs.key:
        score = 100.0
    elif mine.plain == theirs.short_key:  # "Aspen Point" for ASPEN POINT RD: no suffix given
        score, my_suffix = 100.0, None
    elif mine.short_key == theirs.plain:
        score, their_suffix = 100.0, None
    else:
        score = fuzz.ratio(mine.key, theirs.key)
        if mine.plain != mine.key or theirs.plain != theirs.key:  # a typo in "Stnoe Point"
            alternative = fuzz.ratio(mine.plain, theirs.short_key)
            if alternative > score:
                score, my_suffix = alternative, None
            alternative = fuzz.ratio(mine.short_key, theirs.plain)
            if alternative > score:
                score, my_suffix, their_suffix = alternative, mine.suffix, None
    for a, b in (
        (mine.predirectional, theirs.predirectional),
        (my_suffix, their_suffix),
        (mine.postdirectional, theirs.postdirectional),
    ):
        if a != b:
            score -= PART_CONFLICT if a and b else PART_ONE_SIDED
    return score


def _corrected_keys(parcels, query, thresholds):
    """Known street keys close to a street key the participant's area does not have (typos).

    The area is the county resolution's: the streets of the ZIP and of the city (either may be
    the wrong one), else those of every county the data covers.
    """
    key = query.street_key
    areas = [parcels.zip_streets[zip5] for zip5 in query.zips if zip5 in parcels.zip_streets]
    if query.city in parcels.city_streets:
        areas.append(parcels.city_streets[query.city])
    if not areas:
        areas.append(parcels.all_street_keys)
    if any(key in known for known in areas):
        return ()
    found = {}
    for known in areas:
        for choice, score, _index in process.extract(
            key, known, scorer=fuzz.ratio, score_cutoff=thresholds.street_cutoff, limit=3
        ):
            found[choice] = max(score, found.get(choice, 0))
    return tuple(sorted(found, key=found.get, reverse=True)[:3])


def _street_keys(query):
    """The street key, and the name with its suffix word when that word may be part of the
    name ("ASPEN POINT" for "Aspen Point", which may be ASPEN POINT RD)."""
    street = normalize_street(query.street)
    return tuple(dict.fromkeys((street.key, street.short_key, street.plain)))


def _gather(parcels, query, thresholds):
    """{row: blocking key that found it} from the house-number blocks."""
    found = {}
    number = query.number
    if number is not None:
        for zip5 in query.zips:
            for row in rows_of(parcels.by_house_zip, (number, zip5)):
                found.setdefault(row, HOUSE_ZIP)
        if query.street_key:
            keys = (*_street_keys(query), *_corrected_keys(parcels, query, thresholds))
            for key in keys:
                for row in rows_of(parcels.by_house_street, (number, key)):
                    found.setdefault(row, HOUSE_STREET)
    return found


def _same_street(parcels, query, thresholds):
    """{row: CITY_STREET} for the parcels of the participant's street in their city (or the
    cities of their ZIP)."""
    cities = [query.city] if query.city else []
    for zip5 in query.zips:
        cities.extend(parcels.zip_cities.get(zip5, ()))
    found = {}
    keys = (*_street_keys(query), *_corrected_keys(parcels, query, thresholds))
    for city in dict.fromkeys(cities):
        for key in keys:
            for row in rows_of(parcels.by_city_street, (city, key)):
                found.setdefault(row, CITY_STREET)
    return found


def score_row(parcels, query, row, thresholds, *, method):
    """The Candidate for one parcel row (see the module docstring for the score)."""
    parcel_street = parcels.street[row]
    exact = query.street == parcel_street
    if exact:
        street = 100.0
    else:
        street = _street_score(query.street, parcel_street) if parcel_street else 0.0
    zip_agrees = parcels.zip5[row] in query.zips
    parcel_city = parcels.city[row]
    city_agrees = bool(query.city and parcel_city) and (
        query.city == parcel_city
        or (
            query.city not in parcels.city_counties  # a typo; a known city is another city
            and fuzz.ratio(query.city, parcel_city) >= thresholds.city_cutoff
        )
    )
    number_agrees = query.house_number == parcels.house_number[row]
    score = STREET_WEIGHT * street
    if zip_agrees or city_agrees:
        score += LOCALITY_POINTS
        if (query.zips and not zip_agrees) or (query.city and not city_agrees):
            score -= LOCALITY_CONFLICT  # the other locality field says elsewhere
    if not number_agrees:
        score = max(score - HOUSE_NUMBER_PENALTY, 0.0)
    return Candidate(
        row,
        round(score, 1),
        method,
        number_agrees,
        street >= STREET_AGREES,
        exact,
        city_agrees,
        zip_agrees,
    )


def _no_match(reason, candidates=(), resolution=None):
    return Decision(
        MatchQuality.NO_MATCH, None, None, None, None, reason, list(candidates), resolution
    )


def decide(parcels, query, thresholds):
    """The Decision for one normalised address (pure: no database access)."""
    if not query.street:
        return _no_match(NO_ADDRESS)
    _counties, resolution = parcels.counties_for(zips=query.zips, city=query.city)
    found = _gather(parcels, query, thresholds)
    scored = [
        score_row(parcels, query, row, thresholds, method=method) for row, method in found.items()
    ]
    if not any(candidate.house_number for candidate in scored):
        # No parcel at this house number: the street's parcels show the reviewer the near miss.
        for row, method in _same_street(parcels, query, thresholds).items():
            if row not in found:
                scored.append(score_row(parcels, query, row, thresholds, method=method))
    scored.sort(key=lambda candidate: (-candidate.score, parcels.parcel_id[candidate.row]))
    kept = scored[: thresholds.kept]
    if query.number is None:
        reason = NO_HOUSE_NUMBER if kept else NO_CANDIDATES
        if kept and kept[0].score >= thresholds.review - HOUSE_NUMBER_PENALTY:
            return Decision(MatchQuality.PENDING, None, kept[0].score, kept[0].method,
                            kept[0].agreement, reason, kept, resolution)  # fmt: skip
        return _no_match(reason, kept, resolution)
    if not scored:
        return _no_match(NO_CANDIDATES, (), resolution)
    best = next((c for c in scored if c.house_number), None)
    if best is None:
        return _no_match(HOUSE_NUMBER_NOT_FOUND, kept, resolution)
    runner_up = next((c for c in scored if c is not best), None)
    if best.street_exact and (best.zip or best.city):
        rivals = [
            candidate
            for candidate in scored
            if candidate is not best
            and candidate.house_number
            and candidate.street_exact
            and (candidate.zip or candidate.city)
        ]
        if not rivals:
            return Decision(MatchQuality.EXACT, best.row, 100.0, best.method, best.agreement,
                            None, kept, resolution)  # fmt: skip
    margin_ok = runner_up is None or best.score - runner_up.score >= thresholds.margin
    if best.score >= thresholds.accept and margin_ok:
        return Decision(MatchQuality.FUZZY, best.row, best.score, best.method, best.agreement,
                        None, kept, resolution)  # fmt: skip
    if best.score >= thresholds.review:
        reason = AMBIGUOUS if not margin_ok else BELOW_THRESHOLD
        return Decision(MatchQuality.PENDING, None, best.score, best.method, best.agreement,
                        reason, kept, resolution)  # fmt: skip
    return _no_match(LOW_SCORE, kept, resolution)
