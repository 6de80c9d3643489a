"""The decision for one participant against a CountyIndex: their normalised Query, the
Thresholds, and what their candidates (matching.blocking) make of them.

Each candidate is compared field by field (matching.comparison) and weighed in bits
(matching.weights); its match probability is 2^w / (1 + 2^w). Candidates are ranked by weight,
the parcel at the participant's own number before its street's neighbours (`ranked`); the gap
is the best weight minus the runner-up's. For whom nothing is linked, the review blocks
(matching.review_blocks) add candidates and the decision is made again without accepting anyone.

- exact / fuzzy (accepted): probability ≥ MATCH_ACCEPT_PROBABILITY, gap ≥ MATCH_MIN_WEIGHT_GAP
  bits, and the evidence rule holds: the locality agrees (ZIP or one digit off, or city), and
  either the address agrees (house number equal, street equal or close), or a person on the
  parcel's household record is the participant (name, email or phone) and the house number or
  the street agrees, or the record holds the participant's email or phone and no address part
  they gave disagrees. An address that conflicts (a street type or directional both give and
  that differ, or another town: city differs, ZIP not the same, and the city and ZIP written
  are a town and its ZIP of the data) needs the person evidence. So a candidate whose house
  number differs is never accepted on its address, nor a sibling street or another town's,
  and a name (with the ZIP) alone never links. A parcel that only the review blocks found
  (REVIEW_ONLY) is never accepted. `exact` when the normalised street and house number are
  equal.
- pending: the best candidate's probability ≥ MATCH_REVIEW_PROBABILITY but it is not accepted
  (reason AMBIGUOUS: the gap is not clear, e.g. the same address in two towns and nothing else
  to tell them apart; BELOW_THRESHOLD; UNCONFIRMED: probable, but the evidence rule fails;
  NO_HOUSE_NUMBER).
- no_match: nothing plausible (NO_ADDRESS, NO_CANDIDATES, HOUSE_NUMBER_NOT_FOUND: the street
  exists but no parcel has the number and no person evidence places them, LOW_SCORE: the best
  probability is under the review threshold). Candidates are kept either way so a reviewer
  sees why.
"""

import re
from functools import lru_cache
from typing import NamedTuple

import cython
from django.conf import settings

from matching import review_blocks
from matching.address_parser import address_parts
from matching.blocking import HOUSE_CITY, SIMILAR_NAME_ZIP, best_first, candidates
from matching.comparison import (
    LOCALITY_AGREES,
    STREET_AGREES,
    Comparison,
    agreement_of,
    compare,
    where_they_said,
)
from matching.demographics import phones_of
from matching.house_numbers import house_letter, hyphen_number, spelled_number
from matching.index import (
    CountyIndex,
    ParcelIndex,
    email_key,
    house_number_key,
    name_words,
    phone_key,
    rows_at,
)
from matching.localities import city_field, normalize_city
from matching.query import Query
from matching.street_forms import run_in_suffix
from matching.weights import DEFAULT_PARAMETERS, MISSING
from matching.weights import probability as weight_probability
from participants.documents import MatchQuality
from participants.fields import normalize_zip

# Reasons (match.reason) for pending and no_match.
NO_ADDRESS = "NO_ADDRESS"
NO_HOUSE_NUMBER = "NO_HOUSE_NUMBER"
NO_CANDIDATES = "NO_CANDIDATES"
HOUSE_NUMBER_NOT_FOUND = "HOUSE_NUMBER_NOT_FOUND"
LOW_SCORE = "LOW_SCORE"
MATCH_ERROR = "MATCH_ERROR"  # deciding raised: the participant is set aside, the run goes on
AMBIGUOUS = "AMBIGUOUS"
BELOW_THRESHOLD = "BELOW_THRESHOLD"
UNCONFIRMED = "UNCONFIRMED"

# Blocks that rank candidates for review only: a parcel only they find is never accepted
# automatically, whatever its probability (acceptance stays as strict as the address blocks').
REVIEW_ONLY = frozenset((HOUSE_CITY, SIMILAR_NAME_ZIP, *review_blocks.METHODS))
ADDRESS_AGREES = (*STREET_AGREES, "similar")  # street levels that let the address carry a match


class Thresholds(NamedTuple):
    accept: float  # probability
    min_gap: float  # bits between the best candidate and the runner-up
    review: float  # probability
    street_cutoff: float
    city_cutoff: float
    kept: int
    link_by_name: bool  # demographic rule 3
    parameters: object = DEFAULT_PARAMETERS  # weights.MatchParameters

    @classmethod
    def from_settings(cls, parameters=None):
        return cls(
            settings.MATCH_ACCEPT_PROBABILITY,
            settings.MATCH_MIN_WEIGHT_GAP,
            settings.MATCH_REVIEW_PROBABILITY,
            settings.MATCH_STREET_CUTOFF,
            settings.MATCH_CITY_CUTOFF,
            settings.MATCH_CANDIDATES_KEPT,
            settings.MATCH_LINK_BY_NAME,
            parameters or DEFAULT_PARAMETERS,
        )


class Decision(NamedTuple):
    quality: str
    row: int | None  # the matched parcel row (exact/fuzzy)
    probability: float | None  # of the best candidate
    method: str | None
    agreement: dict | None
    reason: str | None
    candidates: list  # Comparison, best first, at most `kept`
    county_resolution: str | None  # zip | city | all
    weight_gap: float | None  # bits from the best candidate to the runner-up
    prior: float = 0.0  # the prior weight (bits) the candidates started from

    @property
    def score(self):
        return round(100.0 * self.probability, 2) if self.probability is not None else None


_new_decision = tuple.__new__  # Decision(*fields) without its Python-level __new__


@lru_cache(maxsize=65536)
def _person_name(first_name, last_name):
    """(order-free name key or None, the surname's words or None); names repeat, so cached.
    The key is name_key's of both names, made from each name's words (cached: first names and
    surnames repeat more than pairs do; a first pass over the 20k demo meets 4,792 pairs, 36.3 →
    26.0 million instructions with the calls, callgrind 2026-12-03)."""
    surname = name_words(last_name) if last_name else ()
    first = name_words(first_name) if surname and first_name else ()
    name = " ".join(sorted(first + surname)) if first else None
    return name, frozenset(surname) if surname else None


_STREET_LINE_START = re.compile(r"\d+\s+[A-Za-z]")


def _has_number(address):
    return address.__class__ is str and address.lstrip()[:1].isdigit()


def make_query(*, address, city, zip_code, first_name=None, last_name=None, email=None, phones=()):
    """Normalise a participant's Address, City and ZIP fields (the line's own city/ZIP fill
    gaps, and a ZIP in the line is tried next to the ZIP field), their name and contacts."""
    return _query(address, city, zip_code, first_name, last_name, email, phones)


@cython.locals(query=Query)
def _query(address, city, zip_code, first_name, last_name, email, phones):
    """make_query's Query, its arguments positional: compiled, a C function (scoring.pxd) that
    calls the parser's and the keys' C functions, as participant_query calls it.

    Once per participant (about 10 µs of the matcher's 50): no Python-level helper where a
    built-in does, and the Query made without a Python-level call, its fields set."""
    if (
        city.__class__ is str
        and city[:1].isdecimal()  # what \d reads: the pattern is not run for a town's name
        and _STREET_LINE_START.match(city)
        and not _has_number(address)
    ):
        address, city = city, address  # the street typed into the City field, the town into Address
    house_number, street, street_key, unit, line_city, line_zip = address_parts(address)
    zip5 = normalize_zip(zip_code)
    city, city_zip = city_field(city) if city and isinstance(city, str) else (None, None)
    if city_zip and not zip5:
        zip5 = city_zip  # "Orange, NJ 07050" in the City field, or the two fields swapped
        if city is None and isinstance(zip_code, str) and zip_code.replace(" ", "").isalpha():
            city = normalize_city(zip_code)
    if not line_zip or line_zip == zip5:
        zips = (zip5,) if zip5 else ()
    else:
        zips = (zip5, line_zip) if zip5 else (line_zip,)
    name, surname = _person_name(
        first_name if first_name.__class__ is str else None,
        last_name if last_name.__class__ is str else None,
    )
    query = Query.__new__(Query)  # compiled, no Python-level call: the fields set
    query.house_number = house_number
    query.number = house_number_key(house_number)
    query.street = street
    query.street_key = street_key
    query.city = city or line_city
    query.zips = zips
    query.unit = unit
    query.name = name  # None unless there is a first and a last name
    query.surname = surname
    query.email = email_key(email)
    # 76 %: no phone; phone_key called as a C function, not by map
    query.phones = tuple([key for phone in phones if (key := phone_key(phone))]) if phones else ()
    return query


def participant_fields(row):
    """The `fields` of a projected participant row as a dict ({} when it has none; a copy of a
    dict subclass's), which participant_query reads as a C dict."""
    fields = row.get("fields")
    if fields.__class__ is dict:
        return fields
    return dict(fields) if isinstance(fields, dict) else {}


@cython.locals(fields=dict)
def participant_query(row):
    """The normalised participant (Query) of a projected participant row. Here, compiled with
    make_query, not in matching.services: a warm pass over the 20,000-row demo (5,043 people)
    took 509.4 → 507.3 M instructions (callgrind, 2026-12-03); its fields read as a C dict,
    378.6 → 374.2 M (callgrind, 2026-12-03). Its helpers and make_query's called as C functions
    (`_query`, cimported: scoring.pxd), not by Python-level calls: participant_query over the
    demo took 198.4 → 191.0 M instructions first, 135.2 → 128.1 M warm (callgrind,
    2026-12-03)."""
    fields = participant_fields(row)
    return _query(
        fields.get("Address"),
        fields.get("City"),
        fields.get("ZIP"),
        fields.get("FirstName"),
        fields.get("LastName"),
        row.get("email_address"),
        phones_of(row.get("phone_number"), fields.get("Phone")),  # participant_phones(row)
    )


@cython.locals(index=CountyIndex)
def score_row(index, query, row, thresholds, *, method, prior=None):
    """The Comparison of one parcel row (see matching.comparison)."""
    model = thresholds.parameters.model()
    if prior is None:
        prior = model.prior_weight(len(index.parcels))
    return compare(index, query, row, model, prior=prior, method=method,
                   city_cutoff=thresholds.city_cutoff)  # fmt: skip


def _no_match(reason, candidates=(), resolution=None, gap=None, prior=0.0):
    best = candidates[0] if candidates else None
    return _new_decision(Decision, (MatchQuality.NO_MATCH, None,
                         best.probability if best else None, None, None, reason,
                         list(candidates), resolution, gap, prior))  # fmt: skip


@cython.locals(query=Query)
def names_a_place(parcels, query):
    """Whether the participant's city and one of their ZIPs go together in the county data (a
    town and its ZIP, both written right)."""
    city = query.city
    return city is not None and any(city in parcels.zip_cities.get(zip5, ()) for zip5 in query.zips)


@cython.locals(parcels=ParcelIndex, query=Query)
def zip_outside(parcels, query):
    """Whether the participant wrote ZIPs and none is a ZIP of the county data."""
    zip_cities = parcels.zip_cities
    return bool(query.zips) and not any(zip5 in zip_cities for zip5 in query.zips)


def conflicts(candidate, named_place, outside_zip):
    """Whether the address the participant wrote names another place than the candidate: a
    street type or directional that both give and that differ (OAK AVE for OAK ST, S for N),
    or another town: the city differs, the ZIP is not the same, and the city and ZIP they
    wrote are a town and its ZIP of the data (`named_place`; when they are not, the city and
    ZIP are typos: FEBRL4 has 7 such true pairs, CARNGDIE for CARNEGIE and 4115 for 4151).
    Such a candidate is a sibling street or the same street elsewhere, and the weights may
    still score it high (EM estimated −8.4 bits for a suffix that differs and −0.6 for a city
    on the held-out set, where 129 such links were wrong), so only the person evidence may
    carry it. So is a ZIP that no parcel of the county has, and not one digit off the
    candidate's nor with its first three digits (`outside_zip`): "123 N Main St, Orange 92866"
    is Orange, California, not the county's ORANGE at 07050. A ZIP of another of the county's
    towns is a slip the demo makes (17 true links of 20,000 rows)."""
    return (
        candidate.suffix_level == "different"
        or candidate.directional_level == "different"
        or (outside_zip and candidate.zip_level == "different")
        or (named_place and candidate.city_level == "different" and candidate.zip_level != "exact")
    )


def evidence_holds(candidate, *, named_place=True, outside_zip=True):
    """Whether a candidate may be accepted at all (see the module docstring); `named_place`
    and `outside_zip`: names_a_place and zip_outside of the participant (a stored candidate,
    judged without them, is taken as having named one, and a ZIP outside: the stricter).
    The address alone is read first: most candidates are judged by their house number."""
    return _evidence_holds(candidate, named_place, outside_zip)


def _evidence_holds(candidate, named_place, outside_zip):
    """`evidence_holds`, its arguments positional: compiled, a C function (scoring.pxd) that
    `_decision` calls without a Python-level call."""
    number = candidate.house_number_level
    street = candidate.street_level
    if not candidate.person_agrees:
        return (
            number == "exact"
            and street in ADDRESS_AGREES
            and where_they_said(candidate)
            and not conflicts(candidate, named_place, outside_zip)
        )
    if not where_they_said(candidate):
        return False
    if number == "exact" or street in ADDRESS_AGREES:
        return True
    # Their own email or phone on the record, and no address given that says otherwise.
    _name, email, phone = candidate.person_levels
    contact = email == "exact" or phone == "exact"
    return contact and number in ("exact", MISSING) and street in (*ADDRESS_AGREES, MISSING)


def _pending(reason, best, probability, kept, resolution, gap, prior):
    return _new_decision(Decision, (MatchQuality.PENDING, None, probability, best.method,
                         agreement_of(best), reason, kept, resolution, gap, prior))  # fmt: skip


def _accepted(best, probability, kept, resolution, gap, prior):
    exact = (
        best.street_exact
        and best.house_number_level == "exact"
        and (best.zip_level == "exact" or best.city_level in LOCALITY_AGREES["city"])
    )
    quality = MatchQuality.EXACT if exact else MatchQuality.FUZZY
    return _new_decision(Decision, (quality, best.row, probability, best.method,
                         agreement_of(best), None, kept, resolution, gap, prior))  # fmt: skip


def weight_gap(best, runner_up):
    """Bits from the best candidate to the runner-up. Unless a person of the best candidate's
    household record is the participant, the address alone counts: a household record that
    names someone else at the runner-up (a previous occupant, another member) does not break
    a tie between two identical addresses."""
    if best.person_agrees:
        return round(best.weight - runner_up.weight, 2)
    mine, theirs = best.weight - best.person_weight, runner_up.weight - runner_up.person_weight
    return round(mine - theirs, 2)


@cython.locals(query=Query)
def read_house_letter(parcels, query):
    """The participant with a lone letter after their house number read as the number's
    (house_numbers.house_letter: "16 A Elm St" → 16A ELM ST) when a parcel of that street and
    number has that letter; else as written (12 O BRIEN CT, 1200 U S HWY 1, and 16A where the
    county has no such parcel). `decide` asks only of a street whose name starts with a lone
    letter."""
    reading = house_letter(query.house_number, query.street)
    if reading is None:
        return query
    house_number, parts = reading
    if not _has_parcel(parcels, parts.key, query.number, house_number):
        return query
    return query.read_as(
        house_number=house_number, number=query.number, street=parts.name, street_key=parts.key
    )


@cython.locals(parcels=ParcelIndex, query=Query)
def read_spelled_number(parcels, query):
    """The participant without a house number read with the first word of their street as one
    (house_numbers.spelled_number: "One Gateway Center" → 1 GATEWAY CTR) when a parcel of the
    rest of the street has that number and no parcel is of the street as written (SEVEN OAKS
    DR stays itself where the county has it). `decide` asks only of a participant with a street
    and no house number."""
    if query.street_key in parcels.by_street_house:
        return query
    reading = spelled_number(query.street)
    if reading is None:
        return query
    house_number, parts = reading
    number = int(house_number)
    if not _has_parcel(parcels, parts.key, number, house_number):
        return query
    return query.read_as(
        house_number=house_number, number=number, street=parts.name, street_key=parts.key
    )


@cython.locals(parcels=ParcelIndex)
def _has_parcel(parcels, street_key, number, house_number):
    """Whether a parcel of the street at that number is written `house_number` (16A, 108-25)."""
    numbers = parcels.house_number
    rows = rows_at(parcels.by_street_house, street_key, number)
    return any(numbers[row] == house_number for row in rows)


def read_hyphen_number(parcels, query):
    """The participant's house number read as a Queens hyphenated one (house_numbers.
    hyphen_number: "108 25 Queens Blvd", "10825 Queens Blvd" → 108-25 QUEENS BLVD) when their
    street has no parcel at the number as written and a parcel of that street has the
    hyphenated number; else as written."""
    house_number, street, number = query.house_number, query.street, query.number
    if street is None or not number or "-" in house_number:
        return query
    by_street_house = parcels.by_street_house
    key = query.street_key
    if street[2:3] != " " and not (  # no "108 25 Queens Blvd", and no 108-25 for "10825"
        key in by_street_house
        and number not in by_street_house[key]
        and number // 100 in by_street_house[key]
    ):
        return query  # the common case
    reading = hyphen_number(house_number, street)
    if reading is None:
        return query
    house_number, number, parts = reading
    if parts is not None:
        street, key = parts.name, parts.key
    if not _has_parcel(parcels, key, number, house_number):
        return query
    return query.read_as(house_number=house_number, number=number, street=street, street_key=key)


@cython.locals(parcels=ParcelIndex, query=Query)
def read_run_in_suffix(parcels, query):
    """The participant with a suffix run into their street's name read apart (street_forms.
    run_in_suffix: "123 N MainSt" → N MAIN ST) when the county has no street of that name and
    has a parcel of the street so read at their number; else as written (FOREST, WOODLAND).
    `decide` asks only of a street and house number given, the street one the county lacks."""
    parts = run_in_suffix(query.street)
    if parts is None or not rows_at(parcels.by_street_house, parts.key, query.number):
        return query
    return query.read_as(
        house_number=query.house_number, number=query.number, street=parts.name,
        street_key=parts.key,
    )  # fmt: skip


def _model_and_prior(parcels, parameters):
    """The Model of the parameters and the prior weight of one pair at the index's size: the
    same for every participant of a run, so kept on the index (8 calls less a participant)."""
    kept = parcels.weighing
    if kept is None or kept[0] is not parameters:
        model = parameters.model()
        kept = parcels.weighing = (parameters, model, model.prior_weight(len(parcels)))
    return kept[1], kept[2]


def _place(parcels, query):
    """(county resolution, (names_a_place, zip_outside)) of the participant's ZIPs and city:
    what they say of the county data, the same for everyone who writes them, so cached on the
    index (about 8 calls less a participant)."""
    key = (query.zips, query.city)
    place = parcels.place_cache.get(key)
    if place is None:
        if len(parcels.place_cache) > 100_000:
            parcels.place_cache.clear()
        _counties, resolution = parcels.counties_for(zips=query.zips, city=query.city)
        place = parcels.place_cache[key] = (
            resolution,
            (names_a_place(parcels, query), zip_outside(parcels, query)),
        )
    return place


@cython.locals(index=CountyIndex, parcels=ParcelIndex, query=Query)
def decide(index, query, thresholds):
    """The Decision for one normalised participant (pure: no database access)."""
    parcels = index.parcels
    street = query.street
    if street is not None and street[1:2] == " ":  # "16 A Elm St", "12 O Brien Ct": few
        query = read_house_letter(parcels, query)
    elif street is not None and query.house_number is None:  # "One Gateway Center": few
        query = read_spelled_number(parcels, query)
    query = read_hyphen_number(parcels, query)
    if (
        query.number is not None
        and query.street is not None
        and query.street_key not in parcels.by_street_house
    ):  # a street the county lacks: few
        query = read_run_in_suffix(parcels, query)
    resolution, place = _place(parcels, query)
    model, prior = _model_and_prior(parcels, thresholds.parameters)
    scored = ranked(candidates(index, query, thresholds, prior, model=model), parcels)
    decision = _decision(query, scored, thresholds, resolution, prior, place)
    if decision.row is not None:
        return decision
    # Not linked: the review blocks add candidates for the reviewer, and nothing is accepted.
    more = review_blocks.candidates(index, query, thresholds, model, prior, scored)
    if not more:
        return decision
    scored = ranked(best_first(parcels, [*scored, *more]), parcels)
    return _decision(query, scored, thresholds, resolution, prior, place, accept=False)


def at_their_number(candidate):
    """Whether the candidate is at the participant's own house number on a street that agrees."""
    return candidate.house_number_level == "exact" and candidate.street_level in ADDRESS_AGREES


def _placed_by_nothing(candidate):
    """Whether nothing of the address but the locality places the participant there, and no
    person of its household record is them: at most a shared surname (one of 10 to 49 records
    of a ZIP share it) or weights that EM estimated loosely."""
    return (
        not candidate.person_agrees
        and candidate.house_number_level != "exact"
        and candidate.street_level not in ADDRESS_AGREES
    )


def _in_their_place(candidate):
    """Whether the candidate is at their own house number in their ZIP or city."""
    return candidate.house_number_level == "exact" and where_they_said(candidate)


@cython.locals(position=cython.Py_ssize_t)
def _position(order, candidate):
    """Where the candidate is in `order`, found by identity. list.index compares by ==, and
    Comparison.__eq__ compares every field: at 300,000 parcels, `ranked`'s 6,088 look-ups cost
    383 of a first pass's 4,541 M instructions (callgrind, 2026-12-03)."""
    for position in range(len(order)):
        if order[position] is candidate:
            return position
    raise ValueError("the candidate is not in the order")


@cython.locals(best=Comparison, candidate=Comparison, other=Comparison)
def ranked(scored, parcels):
    """The candidates (by weight), each at the participant's own house number moved before
    the candidates it outweighs by rule whatever the weights:

    - a parcel at their number on a street that agrees (`at_their_number`) before the parcels
      of its own street (same street and ZIP) at another number whose household record does
      not name the participant. Such a neighbour outweighs it only by evidence that places no
      one there: a surname shared on the street, or weights that EM estimated loosely where the
      street is only similar (on the held-out set EM gave a house number that differs −0.2 bits
      there, and a surname +5.6, so 245 3RD ST came before the 277 3RD ST someone wrote);
    - a parcel at their number in their ZIP or city (`_in_their_place`), its street misread
      (THRID, Twelftj), before a parcel that only the locality places (`_placed_by_nothing`).
      On the held-out set EM weighed the number at +4.8 bits where the street disagrees and a
      shared surname at +5.7, so for 4 of the 5 people left for review whose right parcel was
      not first, a surname's parcel on another street and number came before theirs.

    None of the moved-past candidates could be accepted (`evidence_holds` needs their number or
    their person); the gap to them is weighed as any (`weight_gap`). Only those move: a parcel
    elsewhere whose record has a similar name keeps its place."""
    if not scored:
        return scored
    best = scored[0]
    if at_their_number(best) or best.person_agrees:
        return scored  # the common case
    street, zip5 = parcels.street, parcels.zip5
    order = list(scored)
    for candidate in scored:
        if candidate.house_number_level != "exact":
            continue  # neither rule moves a parcel at another number
        own_street = at_their_number(candidate)
        own_place = _in_their_place(candidate)
        if not own_street and not own_place:
            continue
        place = (street[candidate.row], zip5[candidate.row])
        position = _position(order, candidate)
        for i, other in enumerate(order[:position]):
            neighbour = (
                own_street
                and other.house_number_level != "exact"
                and not other.person_agrees
                and (street[other.row], zip5[other.row]) == place
            )
            if neighbour or (own_place and _placed_by_nothing(other)):
                order.insert(i, order.pop(position))
                break
    return order


@cython.locals(best=Comparison, query=Query, candidate=Comparison)
def _decision(query, scored, thresholds, resolution, prior, place, *, accept=True):
    """The Decision on a participant's candidates, best first; never a link unless `accept`.
    `place`: (names_a_place, zip_outside) of the participant."""
    named_place, outside_zip = place
    if not scored:
        reason = NO_ADDRESS if not query.street else NO_CANDIDATES
        return _no_match(reason, (), None if reason == NO_ADDRESS else resolution, None, prior)
    kept = scored[: thresholds.kept]
    best = scored[0]
    gap = weight_gap(best, scored[1]) if len(scored) > 1 else None
    clear = gap is None or gap >= thresholds.min_gap
    holds = _evidence_holds(best, named_place, outside_zip) and best.method not in REVIEW_ONLY
    probability = weight_probability(best.weight)  # Comparison.probability's, one call less
    if accept and holds and clear and probability >= thresholds.accept:
        return _accepted(best, probability, kept, resolution, gap, prior)
    probable = probability >= thresholds.review
    if query.number is None:
        if probable:
            return _pending(NO_HOUSE_NUMBER, best, probability, kept, resolution, gap, prior)
        return _no_match(NO_HOUSE_NUMBER, kept, resolution, gap, prior)
    # A loop, not a generator: compiled, `candidate` is typed (a warm pass over the 20,000-row
    # demo 386.5 → 385.6 M instructions, a first 556.5 → 555.6 M; callgrind, 2026-12-03).
    for candidate in scored:
        if candidate.house_number_level == "exact" or _evidence_holds(
            candidate, named_place, outside_zip
        ):
            break
    else:
        return _no_match(HOUSE_NUMBER_NOT_FOUND, kept, resolution, gap, prior)
    if probable:
        reason = AMBIGUOUS if not clear else UNCONFIRMED if not holds else BELOW_THRESHOLD
        return _pending(reason, best, probability, kept, resolution, gap, prior)
    return _no_match(LOW_SCORE, kept, resolution, gap, prior)


def match_error(error):
    """The stored `match` of a participant whose decision raised `error`: no_match with reason
    MATCH_ERROR and the error's type and message (cut to 500 characters) as `detail`, so one
    participant never stops a matching run and staff see which and why."""
    return {
        "quality": MatchQuality.NO_MATCH,
        "score": None,
        "method": None,
        "agreement": {},
        "reason": MATCH_ERROR,
        "detail": f"{type(error).__name__}: {error}"[:500],
        "county_resolution": None,
        "candidates": [],
    }
