"""What a page or sort key reads from a stored candidate whose numbers odd data has spoilt."""

import math

import pytest

from participants.review_order import PROBABILITY, review_order
from participants.stored_numbers import stored_probability


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ({"probability": 0.8, "score": 99}, 0.8),
        ({"score": 82.5}, 0.825),  # stored before probabilities were
        ({"probability": math.nan, "score": 70}, 0.7),
        ({"probability": True}, None),
        ({"probability": "0.9"}, None),
        ({"score": math.inf}, None),
        (None, None),
    ],
)
def test_a_stored_probability_counts_only_when_it_is_a_finite_number(candidate, expected):
    assert stored_probability(candidate) == expected


def test_a_spoilt_weight_sorts_the_participant_by_its_probability_instead():
    match = {"quality": "pending", "candidates": [{"weight": math.nan, "probability": 0.5}]}

    keys = review_order({"contact_id": "c-1"}, match)

    assert keys[PROBABILITY] == "0999.000c-1"  # probability 0.5 is weight 0
