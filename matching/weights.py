"""Fellegi–Sunter match weights: comparisons, their levels, and the versioned parameters.

A comparison of a participant with a candidate parcel falls in one level per column (see
`LEVELS`). Each level has m = P(level | the pair is a match) and u = P(level | it is not); its
weight is log2(m / u) bits, and `missing` always weighs 0. A candidate's total weight is the
prior weight plus the weights of its levels; its match probability is 2^w / (1 + 2^w).

Columns that depend on another are split by it (the chain rule, so that evidence is not counted
twice): the house number given whether the street agrees (two parcels of one street rarely share
a number, while "1234" and "1236" are one edit apart), the city given whether the ZIP agrees (one
ZIP is nearly always one city). The street's exact level carries a term-frequency adjustment,
log2(mean share / share): the share of its ZIP's parcels on that street against the average
share, so MAIN ST counts less than a street of three parcels, and the same street in two towns
the same. The person columns are not independent when they differ: a household record naming
someone else differs in name, email and phone at once (one event), so of those that differ only
the strongest counts (person_bits).

The prior is the share of participants who live at a parcel of the county data; the prior of one
pair is that share divided by the number of parcels, so it follows the index size.

`MatchParameters.to_document()` is the shape of a `match_parameters` version (see
matching/parameter_versions.py); `DEFAULT_PARAMETERS` were estimated once from the demo data by
`benchmarks/estimate_match_parameters.py` (EM for m, random pairs for u).
"""

import math
from dataclasses import dataclass, field
from datetime import datetime
from itertools import product

MISSING = "missing"

# Column → its levels, most agreeing first. Every column has `missing` (weight 0).
LEVELS = {
    "house_number": ("exact", "one_edit", "different", MISSING),  # the street does not agree
    "house_number_same_street": ("exact", "one_edit", "different", MISSING),
    "street": ("exact", "typo", "similar", "different", MISSING),
    "suffix": ("exact", "one_sided", "different", MISSING),
    "directional": ("exact", "one_sided", "different", MISSING),
    "unit": ("exact", "different", MISSING),
    "city": ("exact", "similar", "different", MISSING),  # the ZIP does not agree
    "city_same_zip": ("exact", "similar", "different", MISSING),
    "zip": ("exact", "one_digit", "zip3", "different", MISSING),
    # People as evidence, against the household record(s) of the candidate parcel.
    "name": ("exact", "similar", "surname", "different", MISSING),
    "email": ("exact", "different", MISSING),
    "phone": ("exact", "different", MISSING),
}
COLUMNS = tuple(LEVELS)
PERSON_COLUMNS = ("name", "email", "phone")
# Labels for explanations (the review page's waterfall).
LABELS = {
    "prior": "Prior (one parcel among all)",
    "house_number": "House number",
    "house_number_same_street": "House number (street agrees)",
    "street": "Street name",
    "street_frequency": "Street name frequency in its ZIP",
    "suffix": "Street type",
    "directional": "Directional",
    "unit": "Unit",
    "city": "City",
    "city_same_zip": "City (ZIP agrees)",
    "zip": "ZIP",
    "name": "Name on the household record",
    "email": "Email on the household record",
    "phone": "Phone on the household record",
}
# The smallest probability a level keeps (estimates of 0 would give infinite weights).
FLOOR = 1e-5


def bits(m, u):
    """log2(m / u), both floored."""
    return math.log2(max(m, FLOOR) / max(u, FLOOR))


def probability(weight):
    """The probability of a total weight in bits."""
    if weight > 60:
        return 1.0
    odds = 2.0**weight
    return odds / (1.0 + odds)


@dataclass(frozen=True)
class MatchParameters:
    """One version of the matcher's parameters.

    `m` and `u` map each column of `LEVELS` to {level: probability} (the levels other than
    `missing`, each set summing to 1); `prior` is the share of participants who live at a parcel.
    """

    version: int
    prior: float
    m: dict
    u: dict
    source: str = "defaults"  # defaults | em | em+labels
    created_at: datetime | None = None
    created_by: str | None = None
    training: dict = field(default_factory=dict)  # pairs, labelled pairs, iterations, …

    def weights(self):
        """{column: {level: bits}}, `missing` at 0."""
        table = {}
        for column, levels in LEVELS.items():
            table[column] = {
                level: 0.0
                if level == MISSING
                else bits(self.m[column][level], self.u[column][level])
                for level in levels
            }
        return table

    def prior_weight(self, parcels):
        """The prior weight of one (participant, parcel) pair among `parcels` parcels."""
        share = min(max(self.prior, FLOOR), 1 - FLOOR)
        pair = share / max(parcels, 1)
        return math.log2(pair / (1 - pair))

    def to_document(self):
        """The `match_parameters` document of this version."""
        return {
            "version": self.version,
            "prior": self.prior,
            "fields": {
                column: {
                    level: {"m": self.m[column][level], "u": self.u[column][level]}
                    for level in LEVELS[column]
                    if level != MISSING
                }
                for column in COLUMNS
            },
            "source": self.source,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "training": dict(self.training),
        }

    def model(self):
        """The weight tables of these parameters (cached per instance)."""
        return _model(self)

    @classmethod
    def from_document(cls, doc):
        """The parameters of a `match_parameters` document; a column or level it lacks keeps its
        default (so an older version still loads after a level is added)."""
        m = {column: dict(levels) for column, levels in DEFAULT_PARAMETERS.m.items()}
        u = {column: dict(levels) for column, levels in DEFAULT_PARAMETERS.u.items()}
        for column, levels in (doc.get("fields") or {}).items():
            if column not in LEVELS:
                continue
            for level, values in levels.items():
                if level in LEVELS[column] and level != MISSING:
                    m[column][level] = float(values["m"])
                    u[column][level] = float(values["u"])
        return cls(
            version=int(doc["version"]),
            prior=float(doc["prior"]),
            m=m,
            u=u,
            source=doc.get("source") or "em",
            created_at=doc.get("created_at"),
            created_by=doc.get("created_by"),
            training=doc.get("training") or {},
        )


# Estimated once from the demo data (20,000 source rows, seed 2024) by
# benchmarks/estimate_match_parameters.py (the training figures are in `training`).
DEFAULT_PARAMETERS = MatchParameters(
    version=1,
    prior=0.8642,
    m={
        "house_number": {"exact": 0.6, "one_edit": 0.2, "different": 0.2},
        "house_number_same_street": {
            "exact": 0.9998,
            "one_edit": 0.0001147,
            "different": 0.0001147,
        },
        "street": {"exact": 0.9565, "typo": 0.043, "similar": 0.0001147, "different": 0.000344},
        "suffix": {"exact": 0.9703, "one_sided": 0.02954, "different": 0.0001149},
        "directional": {"exact": 0.9443, "one_sided": 0.05543, "different": 0.0003132},
        # Set, not estimated: neither the demo's nor the held-out set's parcels carry a unit.
        # A resident of a unit parcel writes its unit (a slip 1 in 20); two units of a building
        # rarely agree (1 in 10, a building of ten units or the same unit elsewhere). So on a
        # condo parcel the unit agreeing adds 3.2 bits and one that differs takes 4.2, and a
        # unit on one side only counts 0 (unit `missing`).
        "unit": {"exact": 0.95, "different": 0.05},
        "city": {"exact": 0.9189, "similar": 0.07133, "different": 0.00979},
        "city_same_zip": {"exact": 0.949, "similar": 0.02548, "different": 0.02548},
        "zip": {"exact": 0.9555, "one_digit": 0.02423, "zip3": 0.006804, "different": 0.01349},
        "name": {"exact": 0.7051, "similar": 0.004601, "surname": 0.2067, "different": 0.08356},
        "email": {"exact": 0.7216, "different": 0.2784},
        "phone": {"exact": 0.9774, "different": 0.02265},
    },
    u={
        "house_number": {"exact": 0.0001752, "one_edit": 0.008735, "different": 0.9911},
        "house_number_same_street": {"exact": 3.945e-05, "one_edit": 0.1955, "different": 0.8044},
        "street": {"exact": 0.004306, "typo": 0.001369, "similar": 0.004007, "different": 0.9903},
        "suffix": {"exact": 0.3228, "one_sided": 0.1444, "different": 0.5328},
        "directional": {"exact": 0.1521, "one_sided": 0.6682, "different": 0.1797},
        "unit": {"exact": 0.1, "different": 0.9},
        "city": {"exact": 0.07902, "similar": 0.002562, "different": 0.9184},
        "city_same_zip": {"exact": 0.929, "similar": 0.02736, "different": 0.04362},
        "zip": {"exact": 0.02404, "one_digit": 0.06104, "zip3": 0.07901, "different": 0.8359},
        "name": {
            "exact": 9.801e-05,
            "similar": 3.267e-05,
            "surname": 0.005194,
            "different": 0.9947,
        },
        "email": {"exact": 9.242e-05, "different": 0.9999},
        "phone": {"exact": 0.000528, "different": 0.9995},
    },
    source="em+labels",
    training={
        "participants": 5043,
        "candidate_pairs": 0,
        "labelled_pairs": 5386,
        "iterations": 2,
        "converged": True,
    },
)


def person_bits(table, levels):
    """The bits that the (name, email, phone) levels add: each agreeing level its own weight,
    and of the levels that differ only the strongest (the others count 0).

    A household record that names someone else, with another email and phone, is one event
    (the record is another household's: stale, or a previous occupant), not three independent
    pieces of evidence: if the record is stale, all its fields differ together. Under that
    dependence P(all differ | match) ≈ P(stale record) ≤ the smallest single m, while u is
    ≈ 1 for each, so the joint weight is about the strongest single weight, not their sum.
    Fellegi–Sunter's independence summed them (name −3.6 and phone −5.5 bits by default), and
    on the held-out set 248 people at their own, exact address were left under the threshold
    (probability 0.26–0.95), 242 of them for a name and a phone that differed."""
    bits = [table[column][level] for column, level in zip(PERSON_COLUMNS, levels, strict=True)]
    differing = [i for i, level in enumerate(levels) if level == "different"]
    if len(differing) > 1:
        strongest = min(differing, key=bits.__getitem__)
        for i in differing:
            if i != strongest:
                bits[i] = 0.0
    return bits


STREET_CACHE_STREETS = 100_000  # participant streets whose comparisons a Model keeps


class Model:
    """What scoring reads: {column: {level: bits}} and the prior weight per index size."""

    def __init__(self, parameters):
        self.parameters = parameters
        self.table = table = parameters.weights()
        self.version = parameters.version
        # The tables `compare` reads for every candidate, at hand.
        self.numbers, self.same_street_numbers = (
            table["house_number"],
            table["house_number_same_street"],
        )
        self.cities, self.same_zip_cities = table["city"], table["city_same_zip"]
        self.zips, self.units = table["zip"], table["unit"]
        # (name, email, phone) levels → the bits they add (person_bits), every combination.
        self.person_weights = {
            levels: sum(person_bits(table, levels))
            for levels in product(*(LEVELS[column] for column in PERSON_COLUMNS))
        }
        # A street entry of another street (matching.streets): its type and direction unread.
        self.other_street_weight = (
            table["street"]["different"] + table["suffix"][MISSING] + table["directional"][MISSING]
        )
        self.street_cache = {}  # participant street → {parcel street → levels and weight}
        self._priors = {}  # parcels → prior weight

    def street_entries(self, query_street):
        """The cached comparisons of a participant street with parcel streets (comparison.
        street_entry fills it); all are dropped past STREET_CACHE_STREETS participant streets."""
        entries = self.street_cache.get(query_street)
        if entries is None:
            if len(self.street_cache) >= STREET_CACHE_STREETS:
                self.street_cache.clear()
            entries = self.street_cache[query_street] = {}
        return entries

    def prior_weight(self, parcels):
        weight = self._priors.get(parcels)
        if weight is None:
            weight = self._priors[parcels] = self.parameters.prior_weight(parcels)
        return weight


_MODELS = {}


def _model(parameters):
    key = id(parameters)
    cached = _MODELS.get(key)
    if cached is None or cached.parameters is not parameters:
        cached = _MODELS[key] = Model(parameters)
    return cached
