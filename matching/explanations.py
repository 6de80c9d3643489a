"""Stored candidates explained: the matcher's evidence rule on them, and their weight waterfall.

Each candidate matching keeps (`match.candidates[i]`, matching.services) stores `contributions`,
[[column, level, bits], …]: the prior first, then one entry per compared field (the street's
frequency in its ZIP after the street), adding up to its `weight`; its probability is
2^weight / (1 + 2^weight). From them:

- `stored_comparison` rebuilds the candidate's levels as a matching.comparison.Comparison, so
  that the matcher's own rule (`scoring.evidence_holds`) judges a stored candidate exactly as it
  judged it when matching: one rule, used by the review's bulk accept too (`evidence_holds`).
- `waterfall` gives what a page draws: one step per contribution with its signed bits, the
  running total before and after it, and bar positions in percent of a common axis whose zero
  (probability 0.5) is marked; plain values, escaped by the templates that show them.

A candidate stored without contributions (picked by hand from a search, or stored before
matching weighed fields) has no explanation: None.
"""

from typing import NamedTuple

from matching import scoring
from matching.comparison import Comparison, person_agrees
from matching.weights import LABELS, MISSING, PERSON_COLUMNS, probability
from participants.stored_numbers import finite_number, stored_field, stored_probability

PRIOR = "prior"
STREET_FREQUENCY = "street_frequency"
# What a level says, in words (a column may say it its own way, see _level_text).
LEVEL_TEXT = {
    "exact": "agrees",
    "one_edit": "one edit apart",
    "typo": "a typo apart",
    "similar": "similar",
    "one_sided": "given on one side only",
    "one_digit": "one digit off",
    "zip3": "same first three digits",
    "surname": "surname only",
    "different": "differs",
    "in_zip": "how common the street is in its ZIP",
    "": "one parcel among all, before any evidence",
}
PERSON_TEXT = {"exact": "the participant's", "different": "someone else's"}


def contributions(candidate):
    """[(column, level, bits), …] of a stored candidate (a raw dict or a MatchCandidate); none
    at all when any entry is not [text, text, number] (odd data explains nothing)."""
    rows = stored_field(candidate, "contributions")
    if not isinstance(rows, list | tuple):
        return []
    found = []
    for row in rows:
        if not (
            isinstance(row, list | tuple) and len(row) == 3 and finite_number(row[2]) is not None
        ):
            return []
        column, level = row[0], row[1]
        if not (isinstance(column, str) and isinstance(level, str)):
            return []
        found.append((column, level, finite_number(row[2])))
    return found


def stored_comparison(candidate):
    """The Comparison of a stored candidate, from its contributions; None without them."""
    rows = contributions(candidate)
    if not rows:
        return None
    levels = {column: level for column, level, _bits in rows}
    bits = {column: value for column, _level, value in rows}
    agreement = stored_field(candidate, "agreement") or {}
    weight = finite_number(stored_field(candidate, "weight"))
    person_levels = tuple(levels.get(column, MISSING) for column in PERSON_COLUMNS)
    return Comparison(
        row=None,
        weight=weight if weight is not None else sum(bits.values()),
        method=None,
        street_frequency=bits.get(STREET_FREQUENCY),
        street_exact=bool(agreement.get("street_exact")),
        house_number_level=levels.get("house_number_same_street")
        or levels.get("house_number", MISSING),
        street_level=levels.get("street", MISSING),
        suffix_level=levels.get("suffix", MISSING),
        directional_level=levels.get("directional", MISSING),
        unit_level=levels.get("unit", MISSING),
        city_level=levels.get("city_same_zip") or levels.get("city", MISSING),
        zip_level=levels.get("zip", MISSING),
        person_levels=person_levels,
        person_weight=sum(bits.get(column, 0.0) for column in PERSON_COLUMNS),
        person_agrees=person_agrees(person_levels),
    )


def evidence_holds(candidate):
    """Whether the matcher's evidence rule (scoring.evidence_holds) lets this stored candidate
    be accepted; False when it has no contributions to judge it by."""
    comparison = stored_comparison(candidate)
    return comparison is not None and scoring.evidence_holds(comparison)


def probability_text(value):
    """0.8734 → "0.873"; the ends as "> 0.999" and "< 0.001" (never a certain 1 or 0); None
    when there is no probability (or it is not a number: odd data)."""
    value = finite_number(value)
    if value is None:
        return None
    if value >= 0.9995:  # stored rounded to six places: 1.0 is "above 0.999" too
        return "> 0.999"
    if value < 0.0005:
        return "< 0.001"
    return f"{value:.3f}"


def bits_text(value):
    """Signed bits with a true minus sign: +9.92, −3.10, 0.00."""
    text = f"{value:+.2f}" if round(value, 2) else "0.00"
    return text.replace("-", "\N{MINUS SIGN}")


def _level_text(column, level):
    if column in PERSON_COLUMNS and level in PERSON_TEXT:
        return PERSON_TEXT[level]
    return LEVEL_TEXT.get(level, level.replace("_", " "))


class Step(NamedTuple):
    column: str
    label: str
    level: str
    level_text: str
    bits: float
    bits_text: str
    kind: str  # prior | for | against | neutral
    start: float  # running total before this step (bits)
    end: float  # and after it
    left: float  # the bar, in percent of the axis
    width: float


class Waterfall(NamedTuple):
    probability: float
    probability_text: str
    weight: float
    weight_text: str
    steps: list
    zero: float  # where 0 bits (probability 0.5) is on the axis, in percent
    total_left: float  # the total's bar, from 0 to the weight
    total_width: float


MIN_BAR = 0.6  # percent: a step of no weight still shows a tick


def _kind(column, bits):
    if column == PRIOR:
        return PRIOR
    if bits > 0:
        return "for"
    return "against" if bits < 0 else "neutral"


def waterfall(candidate):
    """The Waterfall of a stored candidate, or None when there is none or it has no
    contributions."""
    rows = contributions(candidate) if candidate is not None else []
    if not rows:
        return None
    totals = [0.0]
    for _column, _level, bits in rows:
        totals.append(totals[-1] + bits)
    low, high = min(totals), max(totals)
    span = (high - low) or 1.0

    def at(value):
        return round(100.0 * (value - low) / span, 2)

    steps = []
    for (column, level, bits), start, end in zip(rows, totals[:-1], totals[1:], strict=True):
        left = at(min(start, end))
        steps.append(
            Step(
                column=column,
                label=LABELS.get(column, column.replace("_", " ").capitalize()),
                level=level,
                level_text=_level_text(column, level),
                bits=bits,
                bits_text=bits_text(bits),
                kind=_kind(column, bits),
                start=round(start, 2),
                end=round(end, 2),
                left=min(left, 100.0 - MIN_BAR),
                width=max(at(max(start, end)) - left, MIN_BAR),
            )
        )
    weight = totals[-1]
    stored = stored_probability(candidate)
    chance = stored if stored is not None else probability(weight)
    zero = at(0.0)
    return Waterfall(
        probability=chance,
        probability_text=probability_text(chance),
        weight=round(weight, 2),
        weight_text=bits_text(weight),
        steps=steps,
        zero=zero,
        total_left=min(zero, at(weight)),
        total_width=max(abs(at(weight) - zero), MIN_BAR),
    )


def linked_candidate(match, residence_ref):
    """The candidate of `match` that is the linked parcel `residence_ref`, or None."""
    if not match or not residence_ref:
        return None
    county, parcel_id = (
        stored_field(residence_ref, "county"),
        str(stored_field(residence_ref, "parcel_id")),
    )
    for candidate in stored_field(match, "candidates") or []:
        if (
            stored_field(candidate, "county") == county
            and str(stored_field(candidate, "parcel_id")) == parcel_id
        ):
            return candidate
    return None
