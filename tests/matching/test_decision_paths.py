"""Decisions pinned on a small fixed county: the matcher's shortcuts (the other streets at a
house number settled in one call, street comparisons cached per participant street, a typo'd
street scored once against its areas, a street's nearest house numbers sorted by a precomputed
int) give what the full comparisons gave, to the float, in the same order, cold or warm.

The expected values were printed by the matcher before the shortcuts; the cases cover a tie
between two towns, a missing ZIP, units, the same address in another town, a typo'd street,
equal house-number distances and people found by name or contact alone."""

from collections import defaultdict
from dataclasses import replace

import pytest
from rapidfuzz import fuzz, process

from matching import blocking, scoring
from matching.index import nearest_rows
from matching.streets import street_levels
from matching.weights import DEFAULT_PARAMETERS
from tests.matching.test_match_weights import county

PARCELS = [
    ("OWN", "214 ASPEN GROVE LN", "EAST ORANGE", "07018"),
    ("NEIGHBOUR", "214 REYES LN", "EAST ORANGE", "07018"),
    ("NEAR", "214 ASPEN GROOVE LN", "EAST ORANGE", "07018"),
    ("COURT", "214 ASPEN GROVE CT", "EAST ORANGE", "07018"),
    ("COPY", "214 ASPEN GROVE LN", "NEWARK", "07102"),
    ("FRANKLIN-A", "2084 FRANKLIN CIR", "ORANGE", "07050"),
    ("FRANKLIN-B", "2084 FRANKLIN CIR", "NUTLEY", "07110"),
    ("UNIT-3", "12 MAIN ST APT 3", "ORANGE", "07050"),
    ("UNIT-4", "12 MAIN ST APT 4", "ORANGE", "07050"),
    ("PARK", "203 PARK DR", "ORANGE", "07050"),
    ("ELM-96", "96 ELM ST", "ORANGE", "07050"),
    ("ELM-98", "98 ELM ST", "ORANGE", "07050"),
    ("ELM-102", "102 ELM ST", "ORANGE", "07050"),
    ("ELM-104", "104 ELM ST", "ORANGE", "07050"),
    ("ELM-106", "106 ELM ST", "ORANGE", "07050"),
    ("ELM-94", "94 ELM ST", "ORANGE", "07050"),
    ("ELM-110", "110 ELM ST", "ORANGE", "07050"),
    ("OAK", "7 OAK AVE", "NUTLEY", "07110"),
    ("HOLLOW", "55 HOLLOW RD", "NUTLEY", "07110"),
]
HOUSEHOLDS = [
    ("NEIGHBOUR", "ROBINSON, HEATHER", "heather@example.org", None),
    ("FRANKLIN-B", "THOMPSON, JANET", None, "9735550101"),
    ("HOLLOW", "KOWALSKI, AGNIESZKA", None, None),
    ("OAK", "BROWN, SAM", "sam@example.org", None),
]
# (what the case shows, address, city, ZIP, person) → the decision pinned below
PEOPLE = [
    (
        "own address, other streets at the number",
        "214 Aspen Grove Lane",
        "East Orange",
        "07018",
        {},
    ),
    (
        "own address, the household record elsewhere names them",
        "214 Aspen Grove Ln",
        "East Orange",
        "07018",
        {"first_name": "Heather", "last_name": "Robinson", "email": "heather@example.org"},
    ),
    ("missing ZIP, copies in two towns", "214 Aspen Grove Ln", "", "", {}),
    ("the same address in two towns, a tie", "2084 Franklin Circle", "", "", {}),
    ("the tie broken by the phone", "2084 Franklin Cir", "", "", {"phones": ("(973) 555-0101",)}),
    ("a unit", "12 Main St Apt 4", "Orange", "07050", {}),
    ("a unit not on file", "12 Main Street #9", "Orange", "07050", {}),
    ("a typo'd street", "203 Pakr Drive", "Orange", "07013", {}),
    ("a house number not on the street: equal distances", "100 Elm St", "Orange", "07050", {}),
    (
        "a wrong ZIP and no street",
        "55",
        "Nutley",
        "07050",
        {"first_name": "Agnieszka", "last_name": "Kowalski"},
    ),
    (
        "a misspelt name, no street",
        "",
        "Nutley",
        "07110",
        {"first_name": "Agneszka", "last_name": "Kowalski"},
    ),
    ("an email alone", "", "", "", {"email": "sam@example.org"}),
    (
        "the address as given",
        "7 Oak Avenue",
        "Nutley",
        "07110",
        {"first_name": "Sam", "last_name": "Brown"},
    ),
    ("a typo'd street in the right ZIP", "203 Prak Dr", "Orange", "07050", {}),
    ("a ZIP one digit off", "98 Elm Street", "Orange", "07051", {}),
]
# Blocks (blocking's names) as the pinned decisions write them.
ZIP, STREET, CITY = blocking.HOUSE_ZIP, blocking.HOUSE_STREET, blocking.HOUSE_CITY
NEAR, NAME, SURNAME, CONTACT = (
    blocking.CITY_STREET,
    blocking.NAME_CITY,
    blocking.SURNAME_ZIP,
    blocking.CONTACT,
)
# (quality, reason, linked parcel, method, weight gap, [(parcel, weight, method), …])
# fmt: off
PINNED = [
    ('pending', 'AMBIGUOUS', None, ZIP, 0.54, [
        ('OWN', 15.301354945056511, ZIP), ('NEAR', 14.763730901637135, ZIP),
        ('COURT', 1.5345650819275645, ZIP), ('COPY', -3.547159696990428, STREET),
    ]),
    ('pending', 'AMBIGUOUS', None, ZIP, 0.54, [
        ('OWN', 15.301354945056511, ZIP), ('NEAR', 14.763730901637135, ZIP),
        ('COURT', 1.5345650819275645, ZIP), ('COPY', -3.547159696990428, STREET),
    ]),
    ('pending', 'AMBIGUOUS', None, STREET, 1.0, [
        ('OWN', 9.95787838237706, STREET), ('COPY', 8.95787838237706, STREET),
        ('COURT', -3.808911480751888, STREET),
    ]),
    ('pending', 'AMBIGUOUS', None, STREET, 1.87, [
        ('FRANKLIN-A', 12.417310001014359, STREET), ('FRANKLIN-B', 10.542840883098217, STREET),
    ]),
    ('pending', 'UNCONFIRMED', None, STREET, 8.98, [
        ('FRANKLIN-B', 21.39703634276116, STREET), ('FRANKLIN-A', 12.417310001014359, STREET),
    ]),
    ('exact', None, 'UNIT-4', ZIP, 7.42, [
        ('UNIT-4', 20.008714077137395, ZIP), ('UNIT-3', 12.590861562251499, ZIP),
    ]),
    ('pending', 'AMBIGUOUS', None, ZIP, 0.0, [
        ('UNIT-3', 12.590861562251499, ZIP), ('UNIT-4', 12.590861562251499, ZIP),
    ]),
    ('pending', 'UNCONFIRMED', None, CITY, None, [
        ('PARK', 9.422292239943484, CITY),
    ]),
    ('no_match', 'HOUSE_NUMBER_NOT_FOUND', None, None, 0.0, [
        ('ELM-102', -10.410982465536922, NEAR), ('ELM-104', -10.410982465536922, NEAR),
        ('ELM-106', -10.410982465536922, NEAR), ('ELM-96', -12.45172693964756, NEAR),
        ('ELM-98', -12.45172693964756, NEAR),
    ]),
    ('fuzzy', None, 'HOLLOW', NAME, None, [
        ('HOLLOW', 10.37060045438963, NAME),
    ]),
    ('pending', 'NO_HOUSE_NUMBER', None, SURNAME, None, [
        ('HOLLOW', 0.7113088845968933, SURNAME),
    ]),
    ('pending', 'NO_HOUSE_NUMBER', None, CONTACT, None, [
        ('OAK', 1.1607017591158293, CONTACT),
    ]),
    ('exact', None, 'OAK', ZIP, None, [
        ('OAK', 28.698928750423935, ZIP),
    ]),
    ('fuzzy', None, 'PARK', ZIP, None, [
        ('PARK', 14.763730901637135, ZIP),
    ]),
    ('exact', None, 'ELM-98', STREET, None, [
        ('ELM-98', 11.816612637803374, STREET),
    ]),
]
# fmt: on


def _decisions(index, thresholds, people):
    parcel_id = index.parcels.parcel_id
    found = []
    for _label, address, city, zip_code, person in people:
        query = scoring.make_query(address=address, city=city, zip_code=zip_code, **person)
        decision = scoring.decide(index, query, thresholds)
        found.append(
            (
                decision.quality,
                decision.reason,
                parcel_id[decision.row] if decision.row is not None else None,
                decision.method,
                decision.weight_gap,
                [(parcel_id[c.row], c.weight, c.method) for c in decision.candidates],
            )
        )
    return found


def test_decisions_are_the_full_comparisons_to_the_float():
    index = county(PARCELS, HOUSEHOLDS)
    found = _decisions(index, scoring.Thresholds.from_settings(), PEOPLE)
    for (label, *_fields), decision, pinned in zip(PEOPLE, found, PINNED, strict=True):
        assert decision == pinned, label


def test_decisions_do_not_depend_on_what_the_caches_hold():
    """Each person decided first (fresh parameters: an empty street cache; a fresh index) and
    last, after everyone else's comparisons are cached."""
    thresholds = scoring.Thresholds.from_settings()
    cold = [
        _decisions(
            county(PARCELS, HOUSEHOLDS),
            thresholds._replace(parameters=replace(DEFAULT_PARAMETERS)),
            [person],
        )[0]
        for person in PEOPLE
    ]
    warm_index = county(PARCELS, HOUSEHOLDS)
    _decisions(warm_index, thresholds, PEOPLE)
    warm = _decisions(warm_index, thresholds, PEOPLE[::-1])[::-1]
    assert cold == warm == PINNED


@pytest.mark.parametrize(
    ("mine", "theirs", "levels"),
    [
        ("ASPEN GROVE LN", "REYES LN", ("different", "exact", "missing")),
        ("ASPEN GROVE LN", "ASPEN GROOVE LN", ("typo", "exact", "missing")),
        ("ASPEN GROVE LN", "ASPEN GROVE CT", ("exact", "different", "missing")),
        ("BROOKSIDE RD", "BROOKFIELD RD", ("similar", "exact", "missing")),
        ("HAYNES PL", "HAYNESPLACE", ("exact", "missing", "missing")),
        ("ASPEN PT", "ASPEN POINT RD", ("exact", "one_sided", "missing")),
        ("6TH ST", "8TH ST", ("different", "exact", "missing")),
        ("N MAIN ST", "MAIN ST", ("exact", "exact", "one_sided")),
    ],
)
def test_street_levels_of_other_streets(mine, theirs, levels):
    """Pairs the one-call test settles as `different` and pairs it leaves to the full tests."""
    assert street_levels(mine, theirs)[:3] == levels


def _close_by_area(parcels, query, zips, city, cutoff):
    """The corrections as they were found before: process.extract's best three in each area."""
    areas = blocking.street_areas(parcels, zips, city)
    if any(query.street_key in known for known in areas):
        return ()
    found = {}
    for text in blocking._typo_texts(query.street):
        for known in areas:
            for choice, score, _index in process.extract(
                text, known, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3
            ):
                found[choice] = max(score, found.get(choice, 0))
    return tuple(sorted(found, key=found.get, reverse=True)[:3])


@pytest.mark.parametrize("cutoff", [40.0, 60.0, 80.0])
@pytest.mark.parametrize("street", ["203 Pakr Dr", "214 Aspn Grove Ln", "96 Elms St", "7 Oka Ave"])
def test_typo_corrections_are_each_areas_best_three(street, cutoff):
    """Low cutoffs make many equal scores: ties keep each area's own order."""
    parcels = county(PARCELS, HOUSEHOLDS).parcels
    query = scoring.make_query(address=street, city="Orange", zip_code="07050")
    for zips, city in [(("07050",), "ORANGE"), (("07050", "07110"), "NUTLEY"), ((), None)]:
        expected = _close_by_area(parcels, query, zips, city, cutoff)
        assert blocking._close_streets(parcels, query, zips, city, cutoff) == expected


def test_nearest_house_numbers_keep_the_first_of_equal_distances():
    parcels = county(PARCELS, HOUSEHOLDS).parcels
    rows = [row for row, pid in enumerate(parcels.parcel_id) if pid.startswith("ELM-")]
    for number in (100, 95, 104, 1):
        expected = sorted(rows, key=lambda row: abs(int(parcels.house_number[row]) - number))[:5]
        assert nearest_rows(parcels, rows, number, 5) == expected


def test_the_index_knows_which_streets_at_a_number_are_related():
    """What the matcher reads instead of comparing the other streets at the participant's own
    ZIP and house number (ParcelIndex.related_streets): the pairs street_levels does not call
    different, both ways round, and no other."""
    parcels = county(PARCELS, HOUSEHOLDS).parcels
    at_number = defaultdict(set)
    for row, street in enumerate(parcels.street):
        at_number[(parcels.zip5[row], parcels.number[row])].add(street)
    expected = defaultdict(set)
    for streets in at_number.values():
        for mine in streets:
            for theirs in streets - {mine}:
                if street_levels(mine, theirs)[0] != "different":
                    expected[mine].add(theirs)
    assert parcels.related_streets == expected
    assert parcels.related_streets["ASPEN GROVE LN"] == {"ASPEN GROOVE LN", "ASPEN GROVE CT"}
