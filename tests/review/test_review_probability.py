"""The review workspace speaks probability: the queue's two orders (index-served keys), the
bulk accept that follows the matcher's evidence rule, and the weight waterfalls."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from empowersave import mongodb
from matching import explanations
from matching.review_blocks import NAME_ANYWHERE
from participants import review_order
from participants.documents import MatchQuality, Participant
from review import bulk_accept, selectors, services
from tests.factories import candidate as stored_candidate
from tests.review.review_data import (
    AGREE_ALL,
    NOW,
    OTHER_HOUSE,
    PARCELS,
    candidate,
    person,
    queued,
    raw,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rc(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


def names(queryset):
    return [doc["contact_id"] for doc in queryset.as_pymongo()]


def test_the_queue_in_both_orders(queue):
    # Probabilities: Jane 0.92, Rita 0.80, Olive 0.60, Nomad no candidate.
    assert names(selectors.review_queue(review_order.PROBABILITY)) == [
        "jane@example.org", "rita@example.org", "olive@example.org", "nomad@example.org",
    ]  # fmt: skip
    assert names(selectors.review_queue(review_order.UNCERTAIN)) == [
        "olive@example.org", "rita@example.org", "jane@example.org", "nomad@example.org",
    ]  # fmt: skip


def test_each_order_is_one_range_on_its_indexed_key(queue):
    """SecantusDB serves a query from an index only when the index covers the whole filter, and
    gives its order only for a one-field filter on the sort field: the queue is exactly that."""
    Participant.ensure_indexes()
    collection = mongodb.collection_for(Participant)
    for order in review_order.ORDERS:
        path = review_order.key_path(order)
        assert selectors.queue_query(order) == {path: {"$gte": ""}}
        plan = collection.find(selectors.queue_query(order)).sort(path, 1).explain()
        stages = []
        stage = plan["queryPlanner"]["winningPlan"]
        while stage:
            stages.append(stage["stage"])
            stage = stage.get("inputStage")
        assert "IXSCAN" in stages and "SORT" not in stages and "COLLSCAN" not in stages, stages


def test_next_item_follows_the_uncertain_order(rc, queue):
    response = rc.get(reverse("review:next", args=[queue["olive"].id]) + "?order=uncertain")
    assert response["Location"] == (
        reverse("review:change", args=[queue["rita"].id]) + "?order=uncertain"
    )


def test_a_window_after_a_key_holds_the_keys_of_weights_up_to_its_width():
    keys = {
        weight: review_order.review_order({"contact_id": f"c{weight}"}, _queued(weight))
        for weight in (3.0, 2.9, 1.0, -1.0, 200.0)
    }
    probability = review_order.PROBABILITY
    bound = review_order.bound_after(probability, keys[3.0][probability], 0.25)
    assert keys[3.0][probability] < keys[2.9][probability] < bound < keys[1.0][probability]
    uncertain = review_order.UNCERTAIN
    bound = review_order.bound_after(uncertain, keys[-1.0][uncertain], 0.25)
    assert max(keys[1.0][uncertain], keys[-1.0][uncertain]) < bound < keys[2.9][uncertain]
    # Past the largest number, and after a participant without candidates: no bound.
    assert review_order.bound_after(uncertain, keys[200.0][uncertain], 900) is None
    assert review_order.bound_after(probability, "~c1", 1) is None


def _queued(weight):
    return {"quality": MatchQuality.PENDING, "candidates": [{"weight": weight}]}


def test_the_queue_page_offers_both_orders_and_keeps_the_filters(rc, queue):
    html = rc.get(reverse("review:queue") + "?county=Essex&order=uncertain").content.decode()
    order = re.search(r'<p class="queue-order".*?</p>', html, re.S).group(0)
    assert '<strong aria-current="true">Most uncertain first' in order
    assert 'href="?county=Essex&amp;order=probability"' in order
    listed = re.findall(r'class="queue-item">([^<]*)<', html)
    assert listed == ["Olive Oak", "Jane Smith"]  # Essex candidates only, nearest 0.5 first
    assert "0.600" in html and "0.920" in html  # the best probability of each row


def test_keys_exist_exactly_while_a_participant_waits_for_review():
    for quality in MatchQuality.CHOICES:
        for reviewed_by in (None, "ann"):
            match = {"quality": quality, "reviewed_by": reviewed_by}
            waits = quality in MatchQuality.NEEDS_REVIEW and reviewed_by is None
            assert (review_order.review_order({"_id": "x"}, match) is not None) == waits
    assert review_order.review_order({"_id": "x"}, None) is None


def test_a_decision_takes_the_keys_away_and_an_undo_puts_them_back(queue, reviewer):
    keys = raw(queue["rita"])["review_order"]
    decision = services.mark_no_match(
        participant_id=queue["rita"].id, reason="Moved", expected_version=0,
        reviewer=reviewer, now=NOW,
    )  # fmt: skip
    assert "review_order" not in raw(queue["rita"])
    services.undo(decision_id=decision.pk, reviewer=reviewer, now=NOW)
    assert raw(queue["rita"])["review_order"] == keys


def _levels(*pairs):
    return [["prior", "", -14.0], *([column, level, 3.0] for column, level in pairs)]


HOUSE_DIFFERS = [("house_number_same_street", "different"), ("street", "exact"), ("zip", "exact")]


def test_bulk_accept_takes_a_different_house_number_only_when_the_person_carries_it(
    reviewer, queue
):
    """The matcher's own evidence rule, on the stored levels: the household record's name is
    the participant's, so the neighbouring number is theirs; without it, never."""
    carried = stored_candidate(
        PARCELS[1], score=99.0, agreement=OTHER_HOUSE,
        contributions=_levels(*HOUSE_DIFFERS, ("name", "exact")),
    )  # fmt: skip
    alone = stored_candidate(
        PARCELS[1], score=99.9, agreement=OTHER_HOUSE, contributions=_levels(*HOUSE_DIFFERS)
    )
    people = {
        "carried": person("c@example.org", "John", "Doe", "12 N Main St", "Springfield", "01104",
                          match=queued(MatchQuality.PENDING, candidates=[carried])),
        "alone": person("a@example.org", "Al", "One", "12 N Main St", "Springfield", "01104",
                        match=queued(MatchQuality.PENDING, candidates=[alone])),
    }  # fmt: skip
    assert explanations.evidence_holds(carried) and not explanations.evidence_holds(alone)
    plan = bulk_accept.bulk_accept_plan(
        participant_ids=[str(p.id) for p in people.values()], probability=0.9
    )
    assert [item.participant_id for item in plan.to_link] == [str(people["carried"].id)]
    assert plan.left == {bulk_accept.NO_EVIDENCE: 1}
    stats = services.bulk_accept_top(
        participant_ids=[p.id for p in people.values()], probability=0.9, reviewer=reviewer,
        now=NOW,
    )  # fmt: skip
    assert stats == {"changed": 1, "conflicts": 0, "left": 1}
    assert raw(people["carried"])["residence_ref"]["parcel_id"] == "E-101"
    assert raw(people["alone"])["match"]["quality"] == MatchQuality.PENDING


def test_bulk_accept_leaves_a_candidate_only_a_wider_search_found(reviewer, queue):
    """Matching ranks what its review-only searches find (here the participant's name on a
    household record elsewhere) but never links it; neither does a bulk accept."""
    named = stored_candidate(
        PARCELS[0], score=99.9, agreement=AGREE_ALL,
        contributions=_levels(("house_number", "exact"), ("street", "exact"), ("zip", "exact")),
    )  # fmt: skip
    found_by_name = queued(MatchQuality.PENDING, candidates=[named], method=NAME_ANYWHERE)
    someone = person("w@example.org", "Wes", "Wide", "12 N Main St", "Springfield", "01104",
                     match=found_by_name)  # fmt: skip
    assert explanations.evidence_holds(named)

    plan = bulk_accept.bulk_accept_plan(participant_ids=[str(someone.id)], probability=0.5)

    assert plan.to_link == [] and plan.left == {bulk_accept.WIDER_SEARCH: 1}
    assert raw(someone)["match"]["quality"] == MatchQuality.PENDING


def test_a_candidate_without_stored_weights_is_never_bulk_accepted(reviewer, queue):
    bare = {**candidate("E-100", 99.0, AGREE_ALL), "contributions": None}
    someone = person("b@example.org", "Bo", "Bare", "12 N Main St", "Springfield", "01104",
                     match=queued(MatchQuality.PENDING, candidates=[bare]))  # fmt: skip
    plan = bulk_accept.bulk_accept_plan(participant_ids=[str(someone.id)], probability=0.5)
    assert plan.to_link == [] and plan.left == {bulk_accept.NO_EVIDENCE: 1}


def test_the_change_page_explains_each_candidate_field_by_field(rc, queue):
    html = rc.get(reverse("review:change", args=[queue["jane"].id])).content.decode()
    section = html[html.index('id="explanations"') :]
    figures = re.findall(r'<figure class="waterfall">.*?</figure>', section, re.S)
    assert len(figures) == 2  # Jane's two candidates
    first, second = figures
    assert (
        "Candidate 1: Essex E-100" in first
        and '<strong class="waterfall-probability">0.920' in first
    )
    # Every field with its level and signed bits; the house number differs for the second.
    rows = re.findall(
        r'<tr class="waterfall-(\w+)" data-column="(\w+)">.*?<td>([^<]*)</td>\s*'
        r'<td class="bits">([^<]*)</td>', second, re.S,
    )  # fmt: skip
    assert rows[1][:3] == ("against", "house_number_same_street", "differs")
    assert rows[1][3].startswith("\N{MINUS SIGN}")
    assert rows[2][:3] == ("for", "street", "agrees") and rows[2][3].startswith("+")
    total = sum(float(bits.replace("\N{MINUS SIGN}", "-")) for *_rest, bits in rows)
    assert round(total, 2) == queue["jane"].match.candidates[1].weight


def test_participant_data_in_a_waterfall_is_escaped(rc, queue):
    odd = {**candidate("E-100", 70.0, AGREE_ALL)}
    odd["contributions"] = [["prior", "", -9.0], ["<script>x</script>", "<b>", 1.5]]
    someone = person("o@example.org", "Odd", "Data", "12 N Main St", "Springfield", "01104",
                     match=queued(MatchQuality.PENDING, candidates=[odd]))  # fmt: skip
    html = rc.get(reverse("review:change", args=[someone.id])).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<b>" not in html.split('id="explanations"')[1]
