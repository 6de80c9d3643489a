"""Which parcels a participant is compared with (matching.blocking.candidates), on a county built in
memory: the other streets at their house number, and a typo'd street found by its suffix word."""

from matching import blocking, scoring
from tests.matching.test_match_weights import county, decide, linked


def _shown(index, decision):
    return [index.parcels.parcel_id[candidate.row] for candidate in decision.candidates]


def test_other_streets_at_the_number_are_no_candidates_when_the_address_is_where_given():
    own = ("OWN", "214 ASPEN GROVE LN", "EAST ORANGE", "07018")
    old = ("OLD", "214 REYES LN", "EAST ORANGE", "07018")  # their previous home
    near = ("NEAR", "214 ASPEN GROOVE LN", "EAST ORANGE", "07018")  # a typo away
    household = [("OLD", "ROBINSON, HEATHER", "heather@example.org", None)]
    person = {"first_name": "Heather", "last_name": "Robinson", "email": "heather@example.org"}
    index = county([own, old], household)
    decision = decide(index, "214 Aspen Grove Lane", "East Orange", "07018", **person)
    assert linked(index, decision) == "OWN" and _shown(index, decision) == ["OWN"]
    index = county([own, old, near], household)
    decision = decide(index, "214 Aspen Grove Lane", "East Orange", "07018", **person)
    assert _shown(index, decision) == ["OWN", "NEAR"]  # a street a typo away is compared
    assert decision.reason == scoring.AMBIGUOUS


def test_other_streets_stay_candidates_when_the_address_is_only_in_another_town():
    index = county(
        [
            ("ELSEWHERE", "214 ASPEN GROVE LN", "NEWARK", "07102"),
            ("NEIGHBOUR", "214 REYES LN", "EAST ORANGE", "07018"),
        ],
    )
    decision = decide(index, "214 Aspen Grove Lane", "East Orange", "07018")
    assert decision.row is None
    assert set(_shown(index, decision)) == {"ELSEWHERE", "NEIGHBOUR"}


def test_a_typo_is_searched_with_the_suffix_word_as_part_of_the_name():
    # "Sprig View" reads as SPRIG + VW; the street is SPRING VIEW PL.
    index = county(
        [
            ("P1", "9623 SPRING VIEW PL", "PHOENIX", "85003"),
            ("P2", "9625 SPRING VIEW PL", "PHOENIX", "85003"),
        ]
    )
    decision = decide(index, "9623 Sprig View", "Phoenix")
    assert _shown(index, decision)[0] == "P1"
    top = decision.candidates[0]
    assert (top.house_number_level, top.street_level) == ("exact", "typo")
    assert top.method == blocking.HOUSE_STREET
