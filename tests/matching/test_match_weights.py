"""Match weights: comparison levels, EM, the street frequency, the decision rules, and the issue's
example misses, on a county built in memory (no store: matching decides without one)."""

import math
from collections import Counter
from dataclasses import replace
from random import Random

import pytest

from matching import blocking, calibration, comparison, scoring, services, streets
from matching.address_parser import parse_address
from matching.index import build_index
from matching.weights import DEFAULT_PARAMETERS, LEVELS, MISSING, PERSON_COLUMNS, MatchParameters

FILLER = 3_000  # other parcels, so that the prior is that of a real county, not of five parcels


def county(parcels, households=()):
    """A CountyIndex of (parcel_id, address, city, zip) parcels plus filler streets elsewhere,
    and (parcel_id, customer_name, email, mobile) household records."""
    residential = [
        {"county": "Test", "parcel_id": pid, "address": a, "parcel_city": c, "parcel_zip": z}
        for pid, a, c, z in parcels
    ]
    residential += [
        {
            "county": "Test",
            "parcel_id": f"F{i}",
            "address": f"{100 + i % 300} FILLER{i // 300} ST",
            "parcel_city": f"TOWN{i % 7}",
            "parcel_zip": f"{80000 + i % 40}",
        }
        for i in range(FILLER)
    ]
    demographic = [
        {"county": "Test", "parcel_id": pid, "customer_name": n, "email": e, "mobile": m}
        for pid, n, e, m in households
    ]
    return build_index(residential_docs=residential, demographic_docs=demographic)


def decide(index, address, city="", zip_code="", **person):
    query = scoring.make_query(address=address, city=city, zip_code=zip_code, **person)
    return scoring.decide(index, query, scoring.Thresholds.from_settings())


def linked(index, decision):
    return index.parcels.parcel_id[decision.row] if decision.row is not None else None


# --- comparison levels -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mine", "theirs", "level"),
    [("12", "12", "exact"), ("12", "13", "one_edit"), ("12", "12A", "one_edit"),
     ("12", "48", "different"), (None, "12", MISSING)],
)  # fmt: skip
def test_house_number_levels(mine, theirs, level):
    assert comparison.house_number_level(mine, theirs) == level


def _street(raw):
    return parse_address(raw).street


@pytest.mark.parametrize(
    ("typed", "parcel", "levels"),
    [
        ("12 Main St", "12 MAIN ST", ("exact", "exact", MISSING)),
        ("106 Forth Ave", "106 4TH AVE", ("exact", "exact", MISSING)),
        ("106 Fourth Avenue", "106 4TH AVE", ("exact", "exact", MISSING)),
        ("3051 Eqeventh Street", "3051 11TH ST", ("exact", "exact", MISSING)),
        ("3 knox stteet", "3 KNOX ST", ("exact", "exact", MISSING)),
        ("17 clode cerscent", "17 CLODE CRES", ("exact", "exact", MISSING)),
        ("203 Pakr Drive", "203 PARK DR", ("typo", "exact", MISSING)),
        ("5 Kensingtn Rd", "5 KENSINGTON RD", ("typo", "exact", MISSING)),
        ("5 Mapel Ave", "5 MAPLE ST", ("typo", "different", MISSING)),
        ("5 Main", "5 MAIN ST", ("exact", "one_sided", MISSING)),
        ("5 N Main St", "5 S MAIN ST", ("exact", "exact", "different")),
        ("5 Main St", "5 N MAIN ST", ("exact", "exact", "one_sided")),
        ("5 North Main St", "5 N MAIN ST", ("exact", "exact", "exact")),
        ("5 Washington Ave", "5 WASHINGTOON AVE", ("typo", "exact", MISSING)),
        ("5 Oak St", "5 ELM ST", ("different", "exact", MISSING)),
        ("714 8TH Strreet", "714 6TH ST", ("different", "exact", MISSING)),
        ("5 Route 18", "5 ROUTE 19", ("different", MISSING, MISSING)),
        ("9 Stnoe Point", "9 STONE POINT RD", ("typo", "one_sided", MISSING)),
        ("9 Sprig View", "9 SPRING VIEW PL", ("typo", "one_sided", MISSING)),
        # Not similar through the suffix word: only a name with a street type in it is read so.
        ("5 Windyview Ln", "5 WINDYGLEN ST", ("different", "different", MISSING)),
    ],
)
def test_street_suffix_and_directional_levels(typed, parcel, levels):
    assert streets.street_levels(_street(typed), _street(parcel))[:3] == levels


def test_similar_street_level_between_typo_and_different():
    assert streets.street_levels("BROOKSIDE RD", "BROOKFIELD RD")[0] == "similar"


@pytest.mark.parametrize(
    ("zips", "parcel", "level"),
    [(("07013",), "07013", "exact"), (("07018",), "07013", "one_digit"),
     (("07099",), "07013", "zip3"), (("43215",), "07013", "different"),
     ((), "07013", MISSING), (("43215", "07013"), "07013", "exact")],
)  # fmt: skip
def test_zip_levels(zips, parcel, level):
    assert comparison.zip_level(zips, parcel) == level


def test_unit_and_city_levels():
    index = county([("P1", "1 MAIN ST APT 3", "ORANGE", "07013")])
    row = index.parcels.row_of("Test", "P1")
    assert index.parcels.unit[row] == "APT 3"
    levels = dict(services_levels(index, "1 Main St Apt 3", "Orangee", "07013", row))
    assert levels["unit"] == "exact" and levels["city_same_zip"] == "similar"
    levels = dict(services_levels(index, "1 Main St #4", "Town1", "", row))
    assert levels["unit"] == "different" and levels["city"] == "different"


def services_levels(index, address, city, zip_code, row):
    query = scoring.make_query(address=address, city=city, zip_code=zip_code)
    return scoring.score_row(
        index, query, row, scoring.Thresholds.from_settings(), method="t"
    ).levels


# --- term frequency, EM, parameters ------------------------------------------------------------


def test_a_rare_street_weighs_more_than_a_common_one_in_the_same_zip():
    parcels = [(f"M{i}", f"{i * 2} MAIN ST", "ORANGE", "07013") for i in range(1, 60)]
    parcels.append(("R1", "10 QUINCE CT", "ORANGE", "07013"))
    index = county(parcels)
    common = decide(index, "10 Main St", "Orange", "07013").candidates[0]
    rare = decide(index, "10 Quince Ct", "Orange", "07013").candidates[0]
    assert rare.street_frequency - common.street_frequency == pytest.approx(math.log2(59), abs=0.01)
    assert rare.weight > common.weight


def _synthetic(rng, columns, m, u, share, pairs):
    patterns = Counter()
    for _ in range(pairs):
        table = m if rng.random() < share else u
        pattern = []
        for column in columns:
            levels, weights = zip(*table[column].items(), strict=True)
            pattern.append((column, rng.choices(levels, weights)[0]))
        patterns[tuple(pattern)] += 1
    return patterns


def test_em_recovers_known_m_u_and_share_from_unlabelled_pairs():
    columns = ("house_number_same_street", "street", "zip", "name")
    m = {
        "house_number_same_street": {"exact": 0.9, "one_edit": 0.06, "different": 0.04},
        "street": {"exact": 0.85, "typo": 0.1, "similar": 0.03, "different": 0.02},
        "zip": {"exact": 0.9, "one_digit": 0.04, "zip3": 0.03, "different": 0.03},
        "name": {"exact": 0.7, "similar": 0.05, "surname": 0.15, "different": 0.1},
    }
    u = {
        "house_number_same_street": {"exact": 0.05, "one_edit": 0.15, "different": 0.8},
        "street": {"exact": 0.1, "typo": 0.05, "similar": 0.1, "different": 0.75},
        "zip": {"exact": 0.2, "one_digit": 0.2, "zip3": 0.3, "different": 0.3},
        "name": {"exact": 0.01, "similar": 0.02, "surname": 0.07, "different": 0.9},
    }
    patterns = _synthetic(Random(3), columns, m, u, 0.3, 40_000)
    groups = Counter({(pattern,): pairs for pattern, pairs in patterns.items()})  # one pair each
    fitted = calibration.fit_em(
        groups, m=DEFAULT_PARAMETERS.m, u=DEFAULT_PARAMETERS.u, match_share=0.5
    )
    assert fitted.converged
    assert fitted.match_share == pytest.approx(0.3, abs=0.02)
    for column in columns:
        for level, value in m[column].items():
            assert fitted.m[column][level] == pytest.approx(value, abs=0.03)
        for level, value in u[column].items():
            assert fitted.u[column][level] == pytest.approx(value, abs=0.03)


def test_em_from_labelled_pairs_alone_counts_them():
    pattern_a = (("street", "exact"), ("zip", "exact"))
    pattern_b = (("street", "different"), ("zip", "exact"))
    labels = Counter({(pattern_a, True): 90, (pattern_b, True): 10, (pattern_b, False): 100})
    fitted = calibration.fit_em(
        Counter(), m=DEFAULT_PARAMETERS.m, u=DEFAULT_PARAMETERS.u, match_share=0.5,
        labels=labels, iterations=1,
    )  # fmt: skip
    assert fitted.match_share == pytest.approx(0.5)
    assert fitted.m["street"]["exact"] == pytest.approx((90 + 0.5) / (100 + 2), abs=1e-9)
    assert fitted.u["street"]["different"] == pytest.approx((100 + 0.5) / (100 + 2), abs=1e-9)


def test_em_counts_at_most_one_match_per_participant():
    agrees = (("street", "exact"), ("zip", "exact"), ("name", "exact"))
    twice = Counter({(agrees, agrees): 100})  # each participant: two parcels, both agreeing
    fitted = calibration.fit_em(
        twice, m=DEFAULT_PARAMETERS.m, u=DEFAULT_PARAMETERS.u, match_share=0.5
    )
    assert fitted.match_share <= 0.5  # one of each participant's two pairs at most


def test_em_does_not_learn_the_house_number_from_a_neighbour_sharing_the_surname():
    index = county(
        [("P1", "49 BUSH AVE", "ORANGE", "07013")], [("P1", "THOMPSON, MARY", None, None)]
    )
    query = scoring.make_query(address="27 Bush Ave", city="Orange", zip_code="07013",
                               first_name="Janet", last_name="Thompson")  # fmt: skip
    thresholds = scoring.Thresholds.from_settings()
    groups = calibration.candidate_groups(index, [query], thresholds)
    ((patterns, participants),) = groups.items()
    assert participants == 1 and len(patterns) == 1
    found = dict(patterns[0])
    assert found["street"] == "exact" and found["name"] == "surname"
    assert "house_number_same_street" not in found


def test_parameters_round_trip_through_their_document():
    document = DEFAULT_PARAMETERS.to_document()
    assert set(document["fields"]) == set(LEVELS)
    assert all(MISSING not in levels for levels in document["fields"].values())
    document["version"] = 7
    del document["fields"]["unit"]  # an older version without a column keeps the default
    again = MatchParameters.from_document(document)
    assert again.version == 7 and again.m == DEFAULT_PARAMETERS.m
    assert again.weights() == DEFAULT_PARAMETERS.weights()


def test_default_parameters_are_a_distribution_per_column():
    for table in (DEFAULT_PARAMETERS.m, DEFAULT_PARAMETERS.u):
        for column, levels in table.items():
            assert sum(levels.values()) == pytest.approx(1.0, abs=1e-3), column


# --- decisions -----------------------------------------------------------------------------------


def test_issue_example_pakr_drive_is_accepted():
    index = county([("P1", "203 PARK DR", "ORANGE", 7013), ("P2", "205 PARK DR", "ORANGE", 7013)])
    decision = decide(index, "203 Pakr Drive, Orange 07013")
    assert (decision.quality, linked(index, decision)) == ("fuzzy", "P1")
    assert decision.probability >= 0.99


@pytest.mark.parametrize(
    ("typed", "parcel"),
    [("106 Forth Ave", "106 4TH AVE"), ("3051 Eqeventh Street", "3051 11TH ST"),
     ("3 knox stteet", "3 KNOX ST"), ("17 clode cerscent", "17 CLODE CRES")],
)  # fmt: skip
def test_issue_examples_of_ordinals_and_suffix_typos_are_accepted(typed, parcel):
    index = county([("P1", parcel, "ORANGE", "07013"), ("P2", "1 OTHER RD", "ORANGE", "07013")])
    decision = decide(index, typed, "Orange", "07013")
    assert decision.quality in ("exact", "fuzzy") and linked(index, decision) == "P1"


def test_issue_example_the_household_name_carries_a_typo_in_the_street():
    index = county(
        [
            ("P1", "7476 W CHERRY DR", "TEMPE", "85281"),
            ("P2", "7476 W CHERRY LN", "TEMPE", "85281"),
        ],
        [("P1", "THOMPSON, JANET", None, None)],
    )
    decision = decide(
        index, "7476 W CHERYR DR", "TEMPE", "", first_name="Janet", last_name="Thompson"
    )
    assert (decision.quality, linked(index, decision)) == ("fuzzy", "P1")
    levels = dict(decision.candidates[0].levels)
    assert levels["name"] == "exact" and levels["street"] == "typo"


def test_a_different_house_number_is_never_accepted_on_the_address_alone():
    index = county([("P1", "1234 OAK ST", "ORANGE", "07013")])
    decision = decide(index, "1236 Oak St", "Orange", "07013")
    assert decision.row is None and decision.reason == scoring.HOUSE_NUMBER_NOT_FOUND
    top = decision.candidates[0]
    assert top.house_number_level == "one_edit" and top.probability < 0.01


def test_same_address_in_two_towns_stays_pending_without_evidence():
    parcels = [("A", "2084 FRANKLIN CIR", "NEWARK", "07102"),
               ("B", "2084 FRANKLIN CIR", "NUTLEY", "07110")]  # fmt: skip
    for town, zip_code in (("NEWARK", "07102"), ("NUTLEY", "07110")):  # other streets there
        parcels += [(f"{town}{i}", f"{i} ELM ST", town, zip_code) for i in range(1, 200)]
    index = county(parcels, [("B", "ROWE, SAM", "sam@example.org", None)])
    tie = decide(index, "2084 Franklin Cir")
    assert (tie.quality, tie.reason) == ("pending", scoring.AMBIGUOUS)
    assert tie.weight_gap == 0.0
    moved = decide(index, "2084 Franklin Cir", first_name="Ann", last_name="Able")
    assert moved.quality == "pending"  # someone else's record at B breaks no tie
    by_name = decide(index, "2084 Franklin Cir", "Nutley", first_name="Sam", last_name="Rowe")
    assert linked(index, by_name) == "B"
    by_email = decide(index, "2084 Franklin Circle", "", "07110", email="SAM@example.org ")
    assert linked(index, by_email) == "B"
    by_zip = decide(index, "2084 Franklin Cir", "", "07102")
    assert linked(index, by_zip) == "A"


def test_someone_else_on_the_household_record_counts_once_at_their_exact_address():
    parcels = [(f"E{i}", f"{i} EDUARDO ST", "TRAVISSTAD", "11779") for i in range(101, 160)]
    index = county(parcels, [("E119", "MUELLER, DAVID", "dm@example.org", "6315550101")])
    person = {"first_name": "Susan", "last_name": "Velasquez", "email": "susan@example.org",
              "phones": ("6315550199",)}  # fmt: skip
    moved_in = decide(index, "119 Eduardo St", "Travisstad", "11779", **person)
    assert linked(index, moved_in) == "E119"
    top = moved_in.candidates[0]
    assert top.person_levels == ("different", "different", "different")
    rows = top.contributions(DEFAULT_PARAMETERS.model(), moved_in.prior)
    person = {column: bits for column, _level, bits in rows if column in PERSON_COLUMNS}
    assert person == {"name": 0.0, "email": 0.0, "phone": -5.46}  # the strongest, once
    assert top.person_weight == pytest.approx(-5.46, abs=0.01)


def test_a_name_alone_never_links():
    index = county(
        [("P1", "900 ELM AVE", "ORANGE", "07013"), ("P2", "12 OAK ST", "ORANGE", "07013")],
        [("P1", "THOMPSON, JANET", "janet@example.org", None)],
    )
    decision = decide(index, "15 Birch Rd", "Orange", "07013", first_name="Janet",
                      last_name="Thompson", email="janet@example.org")  # fmt: skip
    assert decision.row is None
    assert index.parcels.parcel_id[decision.candidates[0].row] == "P1"  # shown for review


def _lenient(*columns):
    """The defaults with the `different` level of `columns` weighing nothing (as EM may
    estimate it), so that only the decision's rules keep a conflicting address out."""
    m = {column: dict(levels) for column, levels in DEFAULT_PARAMETERS.m.items()}
    for column in columns:
        m[column]["different"] = DEFAULT_PARAMETERS.u[column]["different"]
    return replace(DEFAULT_PARAMETERS, m=m)


@pytest.mark.parametrize(
    ("typed", "city", "zip_code"),
    [("615 Spring St", "Orange", "07013"),  # SPRING LN: the street type differs
     ("615 S Spring Ln", "", "07013"),  # N SPRING LN: the directional differs
     ("615 N Spring Ln", "Maplewood", "07014")],  # another town, its ZIP one digit off
)  # fmt: skip
def test_a_conflicting_address_needs_the_person_evidence_whatever_the_weights(
    typed, city, zip_code
):
    index = county(
        [("P1", "615 N SPRING LN", "ORANGE", "07013"), ("P2", "9 ELM ST", "MAPLEWOOD", "07014")],
        [("P1", "THOMPSON, JANET", None, None)],
    )
    lenient = scoring.Thresholds.from_settings(_lenient("suffix", "directional", "city"))
    query = scoring.make_query(address=typed, city=city, zip_code=zip_code)
    decision = scoring.decide(index, query, lenient)
    assert decision.row is None and decision.reason == scoring.UNCONFIRMED
    assert index.parcels.parcel_id[decision.candidates[0].row] == "P1"  # shown for review
    named = scoring.make_query(address=typed, city=city, zip_code=zip_code,
                               first_name="Janet", last_name="Thompson")  # fmt: skip
    assert linked(index, scoring.decide(index, named, lenient)) == "P1"


def test_a_city_and_zip_that_are_no_town_of_the_data_are_typos_not_another_town():
    index = county(
        [("P1", "41 HAYSTACK CRES", "LEETON", "03680"), ("P2", "9 ELM ST", "MATONG", "03000")]
    )
    lenient = scoring.Thresholds.from_settings(_lenient("city"))
    query = scoring.make_query(address="41 Haystack Crescent", city="Matong", zip_code="3690")
    assert linked(index, scoring.decide(index, query, lenient)) == "P1"


def _shown_to_a_jones(own, other, address, *columns):
    """(decision, parcel ids shown) for Stacie Jones at `address` in Orange, against OWN
    (`own`, David Mueller's record) and OTHER (`other`, Robert Jones's: a shared surname), with
    the house number weighing nothing in `columns` (as EM may estimate it)."""
    index = county(
        [("OWN", own, "ORANGE", "07013"), ("OTHER", other, "ORANGE", "07013")],
        [("OWN", "MUELLER, DAVID", None, None), ("OTHER", "JONES, ROBERT", None, None)],
    )
    m = {column: dict(levels) for column, levels in DEFAULT_PARAMETERS.m.items()}
    for column in columns:
        m[column] = dict(DEFAULT_PARAMETERS.u[column])
    numberless = scoring.Thresholds.from_settings(replace(DEFAULT_PARAMETERS, m=m))
    query = scoring.make_query(address=address, city="Orange", zip_code="07013",
                               first_name="Stacie", last_name="Jones")  # fmt: skip
    decision = scoring.decide(index, query, numberless)
    return decision, [index.parcels.parcel_id[c.row] for c in decision.candidates]


def test_the_parcel_at_their_own_number_is_shown_before_a_neighbours_whatever_the_weights():
    decision, shown = _shown_to_a_jones("277 BROOKFIELD RD", "245 BROOKFIELD RD",
                                        "277 Brookside Rd", "house_number",
                                        "house_number_same_street")  # fmt: skip
    assert shown == ["OWN", "OTHER"] and decision.row is None
    assert decision.candidates[1].weight > decision.candidates[0].weight  # a shared surname


def test_their_own_number_in_their_zip_is_shown_before_a_shared_surname_whatever_the_weights():
    decision, shown = _shown_to_a_jones(
        "387 OAKMONT LN", "3138 EDUARDO ST", "387 Birchwood Ln", "house_number"
    )
    assert shown[:2] == ["OWN", "OTHER"] and decision.row is None
    own, surname = decision.candidates[:2]
    assert own.street_level == "different" and surname.person_levels[0] == "surname"
    assert surname.weight > own.weight  # the shared surname outweighs their own number


def test_no_street_the_name_and_locality_carry_it():
    index = county(
        [("P1", "44 ELM AVE", "ORANGE", "07013"), ("P2", "44 OAK ST", "ORANGE", "07013")],
        [("P1", "THOMPSON, JANET", None, None)],
    )
    decision = decide(index, "44", "Orange", "07013", first_name="Janet", last_name="Thompson")
    assert linked(index, decision) == "P1"


def test_candidates_keep_probability_weight_and_contributions_that_add_up():
    index = county([("P1", "203 PARK DR", "ORANGE", 7013)], [("P1", "ROWE, SAM", None, None)])
    row = {"contact_id": "a", "fields": {"Address": "203 Park Dr", "City": "Orange",
           "ZIP": "07013", "FirstName": "Sam", "LastName": "Rowe"}}  # fmt: skip
    match, residence, demographic = services.match_row(
        index, row, scoring.Thresholds.from_settings()
    )
    assert residence["parcel_id"] == "P1" and demographic["linked_by"] == "PARCEL"
    assert match["parameters_version"] == DEFAULT_PARAMETERS.version
    top = match["candidates"][0]
    assert top["score"] == pytest.approx(100 * top["probability"], abs=0.01)
    assert top["contributions"][0][0] == "prior"
    assert sum(c[2] for c in top["contributions"]) == pytest.approx(top["weight"], abs=0.05)
    assert top["contributions"][-1][:2] == ["name", "exact"]
    assert match["probability"] == top["probability"] and match["weight_gap"] is None


def test_matching_uses_the_latest_saved_parameters_version():
    from datetime import UTC, datetime

    from matching import parameter_versions

    assert parameter_versions.active_parameters() is DEFAULT_PARAMETERS
    now = datetime(2026, 12, 1, tzinfo=UTC)
    bolder = MatchParameters.from_document({**DEFAULT_PARAMETERS.to_document(), "prior": 0.5})
    first = parameter_versions.save_parameters(bolder, now=now, by="ann")
    second = parameter_versions.save_parameters(DEFAULT_PARAMETERS, now=now, by="bob")
    assert (first.version, second.version) == (2, 3)
    active = parameter_versions.active_parameters()
    assert (active.version, active.created_by, active.prior) == (3, "bob", DEFAULT_PARAMETERS.prior)
    index = county([("P1", "203 PARK DR", "ORANGE", 7013)])
    row = {"contact_id": "a", "fields": {"Address": "203 Park Dr", "City": "Orange"}}
    match, _residence, _demographic = services.match_row(
        index, row, scoring.Thresholds.from_settings(active)
    )
    assert match["parameters_version"] == 3


def test_their_own_email_carries_a_participant_who_gave_no_address():
    index = county(
        [("P1", "44 ELM AVE", "ORANGE", "07013"), ("P2", "46 ELM AVE", "ORANGE", "07013")],
        [("P1", "THOMPSON, JANET", "janet@example.org", None), ("P2", "ROWE, SAM", None, None)],
    )
    by_email = decide(index, "", "Orange", "07013", email="Janet@example.org",
                      first_name="Janet", last_name="Thompson")  # fmt: skip
    assert linked(index, by_email) == "P1"
    by_name = decide(index, "", "Orange", "07013", first_name="Janet", last_name="Thompson")
    assert by_name.row is None and linked(index, by_name) is None  # a name alone: review
    assert index.parcels.parcel_id[by_name.candidates[0].row] == "P1"
    elsewhere = decide(index, "", "Springfield", "01103", email="janet@example.org")
    assert elsewhere.row is None  # the locality must agree


def test_a_surname_in_the_zip_finds_candidates_for_review():
    index = county(
        [("P1", "44 ELM AVE", "ORANGE", "07013")], [("P1", "THOMPSON, MARY", None, None)]
    )
    decision = decide(index, "", "Orange", "07013", first_name="Janet", last_name="Thompson")
    assert decision.row is None
    assert decision.candidates[0].method == blocking.SURNAME_ZIP
