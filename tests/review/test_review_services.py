"""Review decisions: what each one changes, its audit row, undo, conflicts and bulk actions."""

import datetime as dt

import pytest

from dashboard.rollups import refresh_rollups
from dashboard.selectors import rollup_snapshot
from empowersave import mongodb
from participants.documents import MatchQuality, Participant
from review import selectors, services
from review.models import ReviewDecision
from tests.review.review_data import (
    NOW,
    OTHER_HOUSE,
    candidate,
    make_user,
    person,
    queued,
    raw,
)

pytestmark = pytest.mark.django_db

UNCHANGED_KEYS = ("contact_id", "email_address", "fields", "engagements", "search_text")


def queue_ids():
    return [p.contact_id for p in selectors.review_queue()]


def accept_jane(queue, reviewer, *, version=0, parcel_id="E-100"):
    return services.accept_candidate(
        participant_id=queue["jane"].id,
        county="Essex",
        parcel_id=parcel_id,
        expected_version=version,
        reviewer=reviewer,
        now=NOW,
    )


def test_queue_holds_pending_and_unreviewed_no_match_best_score_first(queue):
    assert queue_ids() == [
        "jane@example.org",
        "rita@example.org",
        "olive@example.org",
        "nomad@example.org",
    ]


def test_queue_orders_by_the_best_candidate_even_without_a_match_score(queue):
    """matching leaves `match.score` empty on no_match; its best candidate still counts."""
    person(
        "near@example.org", "Nia", "Near", "13 N Main St", "Springfield", "01104",
        match=queued(
            MatchQuality.NO_MATCH,
            reason="HOUSE_NUMBER_NOT_FOUND",
            candidates=[candidate("E-100", 70.0, OTHER_HOUSE)],
        ),
    )  # fmt: skip
    assert queue_ids() == [
        "jane@example.org",
        "rita@example.org",
        "near@example.org",
        "olive@example.org",
        "nomad@example.org",
    ]


def test_accept_links_parcel_and_household_and_marks_manual(queue, reviewer):
    before = raw(queue["jane"])
    decision = accept_jane(queue, reviewer)

    after = raw(queue["jane"])
    assert after["residence_ref"] == {
        "county": "Essex",
        "parcel_id": "E-100",
        "address": "12 N MAIN ST",
        "parcel_city": "SPRINGFIELD",
        "parcel_zip": 1104,
    }
    assert after["demographic_ref"]["parcel_id"] == "E-100"
    assert after["demographic_ref"]["customer_name"] == "SMITH, JANE"
    match = after["match"]
    assert match["quality"] == MatchQuality.MANUAL
    assert match["reviewed_by"] == "rev"
    assert match["matched_at"].replace(tzinfo=dt.UTC) == NOW
    assert match["version"] == 1
    assert match["score"] == 92.0
    assert len(match["candidates"]) == 2  # kept, so the decision can be explained later
    for key in UNCHANGED_KEYS:
        assert after[key] == before[key]
    assert "jane@example.org" not in queue_ids()

    assert decision.action == ReviewDecision.Action.ACCEPT
    assert decision.reviewer == reviewer
    assert (decision.county, decision.parcel_id) == ("Essex", "E-100")
    assert decision.before["residence_ref"] is None
    assert decision.before["match"]["quality"] == MatchQuality.PENDING
    assert decision.after["residence_ref"]["parcel_id"] == "E-100"
    assert decision.after["match"]["quality"] == MatchQuality.MANUAL


def test_accept_refuses_a_parcel_that_is_not_a_candidate(queue, reviewer):
    with pytest.raises(services.ReviewError):
        accept_jane(queue, reviewer, parcel_id="M-300")
    assert raw(queue["jane"])["match"]["quality"] == MatchQuality.PENDING
    assert ReviewDecision.objects.count() == 0


def test_manual_pick_links_any_county_parcel(queue, reviewer):
    decision = services.pick_parcel(
        participant_id=queue["olive"].id,
        county="Essex",
        parcel_id="E-200",
        expected_version=0,
        reviewer=reviewer,
        now=NOW,
    )
    after = raw(queue["olive"])
    assert after["residence_ref"]["parcel_id"] == "E-200"
    assert after["demographic_ref"]["customer_name"] == "OAK, OLIVE"
    assert after["match"]["quality"] == MatchQuality.MANUAL
    assert after["match"]["method"] == "review:manual_pick"
    assert decision.action == ReviewDecision.Action.MANUAL_PICK


def test_manual_pick_of_an_unknown_parcel_changes_nothing(queue, reviewer):
    before = raw(queue["olive"])
    with pytest.raises(services.ReviewError):
        services.pick_parcel(
            participant_id=queue["olive"].id,
            county="Essex",
            parcel_id="NOPE",
            expected_version=0,
            reviewer=reviewer,
            now=NOW,
        )
    assert raw(queue["olive"]) == before


def test_no_match_keeps_the_reason_and_leaves_the_queue(queue, reviewer):
    before = raw(queue["rita"])
    decision = services.mark_no_match(
        participant_id=queue["rita"].id,
        reason="Address outside the county data",
        expected_version=0,
        reviewer=reviewer,
        now=NOW,
    )
    after = raw(queue["rita"])
    assert "residence_ref" not in after or after["residence_ref"] is None
    assert after["match"]["quality"] == MatchQuality.NO_MATCH
    assert after["match"]["reason"] == "Address outside the county data"
    assert after["match"]["reviewed_by"] == "rev"
    assert after["match"]["version"] == 1
    for key in UNCHANGED_KEYS:
        assert after[key] == before[key]
    assert "rita@example.org" not in queue_ids()
    assert decision.reason == "Address outside the county data"


def test_no_match_drops_a_parcel_household_link_and_keeps_a_contact_one(queue, reviewer):
    accept_jane(queue, reviewer)  # Jane's household came with the parcel
    mongodb.collection_for(Participant).update_one(
        {"_id": queue["rita"].id},
        {
            "$set": {
                "demographic_ref": {
                    "county": "Morris",
                    "parcel_id": "M-300",
                    "linked_by": "CONTACT",
                }
            }
        },
    )
    for name, version in (("jane", 1), ("rita", 0)):
        services.mark_no_match(
            participant_id=queue[name].id,
            reason="No parcel at this address",
            expected_version=version,
            reviewer=reviewer,
            now=NOW,
        )
    assert raw(queue["jane"]).get("demographic_ref") is None
    assert raw(queue["rita"])["demographic_ref"]["linked_by"] == "CONTACT"


def test_no_match_needs_a_reason(queue, reviewer):
    with pytest.raises(services.ReviewError):
        services.mark_no_match(
            participant_id=queue["rita"].id,
            reason="  ",
            expected_version=0,
            reviewer=reviewer,
            now=NOW,
        )


def test_skip_records_an_audit_row_and_changes_nothing(queue, reviewer):
    before = raw(queue["jane"])
    decision = services.skip(participant_id=queue["jane"].id, reviewer=reviewer, now=NOW)
    assert raw(queue["jane"]) == before
    assert decision.action == ReviewDecision.Action.SKIP
    assert decision.participant_id == str(queue["jane"].id)
    assert not decision.can_be_undone
    assert "jane@example.org" in queue_ids()


def test_stale_version_writes_nothing(queue, reviewer):
    accept_jane(queue, reviewer)  # the first reviewer saves; version is now 1
    second = make_user("second", reviewer=True)
    current = raw(queue["jane"])
    with pytest.raises(services.ReviewError, match="changed by someone else"):
        services.mark_no_match(
            participant_id=queue["jane"].id,
            reason="No parcel at this address",
            expected_version=0,  # what the second reviewer loaded
            reviewer=second,
            now=NOW,
        )
    assert raw(queue["jane"]) == current
    assert ReviewDecision.objects.filter(reviewer=second).count() == 0


def test_conditional_update_catches_a_change_between_read_and_write(queue, reviewer, store_faults):
    """Another writer bumps the version after this reviewer's read: the write must not land."""
    participants = mongodb.collection_for(Participant)
    store_faults.race(
        "participants",
        lambda: participants.update_one({"_id": queue["jane"].id}, {"$set": {"match.version": 7}}),
    )
    with pytest.raises(services.ReviewError, match="while you were deciding"):
        accept_jane(queue, reviewer)
    after = raw(queue["jane"])
    assert after["match"]["quality"] == MatchQuality.PENDING
    assert "residence_ref" not in after
    assert ReviewDecision.objects.count() == 0


def test_undo_restores_the_state_before_the_decision(queue, reviewer):
    before = raw(queue["jane"])
    decision = accept_jane(queue, reviewer)
    undo_row = services.undo(decision_id=decision.pk, reviewer=reviewer, now=NOW)

    after = raw(queue["jane"])
    assert after.get("residence_ref") is None
    assert after.get("demographic_ref") is None
    assert after["match"]["quality"] == MatchQuality.PENDING
    assert after["match"]["candidates"] == before["match"]["candidates"]
    assert after["match"]["version"] == 2  # forward, so pages loaded before stay stale
    assert "jane@example.org" in queue_ids()

    decision.refresh_from_db()
    assert decision.undone_by == undo_row
    assert undo_row.action == ReviewDecision.Action.UNDO
    assert undo_row.before["match"]["quality"] == MatchQuality.MANUAL
    assert undo_row.after["match"]["quality"] == MatchQuality.PENDING
    with pytest.raises(services.ReviewError):
        services.undo(decision_id=decision.pk, reviewer=reviewer, now=NOW)


def test_undo_is_refused_after_a_later_change(queue, reviewer):
    decision = accept_jane(queue, reviewer)
    services.mark_no_match(
        participant_id=queue["jane"].id,
        reason="No parcel at this address",
        expected_version=1,
        reviewer=reviewer,
        now=NOW,
    )
    with pytest.raises(services.ReviewError, match="undo the later decisions first"):
        services.undo(decision_id=decision.pk, reviewer=reviewer, now=NOW)
    assert raw(queue["jane"])["match"]["quality"] == MatchQuality.NO_MATCH


def test_bulk_accept_links_only_clear_leads_whose_evidence_holds(queue, reviewer):
    ids = [queue[name].id for name in ("jane", "rita", "olive", "nomad")]
    before = {name: raw(queue[name]) for name in ("jane", "olive", "nomad")}
    stats = services.bulk_accept_top(
        participant_ids=ids, probability=0.5, reviewer=reviewer, now=NOW
    )
    # Jane: her two candidates are 1 bit apart; Olive's only candidate has another house
    # number; Nomad has none. Rita's best leads by 6.25 bits and agrees on every field.
    assert stats == {"changed": 1, "conflicts": 0, "left": 3}
    assert raw(queue["rita"])["residence_ref"]["parcel_id"] == "M-300"
    assert {name: raw(queue[name]) for name in before} == before
    assert ReviewDecision.objects.filter(action=ReviewDecision.Action.ACCEPT).count() == 1


def test_bulk_accept_leaves_what_is_under_the_probability(queue, reviewer):
    stats = services.bulk_accept_top(
        participant_ids=[queue["rita"].id], probability=0.81, reviewer=reviewer, now=NOW
    )
    assert stats == {"changed": 0, "conflicts": 0, "left": 1}
    assert raw(queue["rita"])["match"]["quality"] == MatchQuality.PENDING


def test_bulk_no_match_marks_every_selected_queue_item(queue, reviewer):
    ids = [queue[name].id for name in ("olive", "nomad", "exact")]
    stats = services.bulk_no_match(
        participant_ids=ids, reason="PO box or business address", reviewer=reviewer, now=NOW
    )
    assert stats == {"changed": 2, "conflicts": 0}  # the matched participant is not in the queue
    assert raw(queue["olive"])["match"]["reviewed_by"] == "rev"
    assert raw(queue["exact"])["match"]["quality"] == MatchQuality.EXACT
    assert queue_ids() == ["jane@example.org", "rita@example.org"]


def test_dashboard_rollups_match_a_full_rebuild_after_decisions_and_undo(queue, reviewer):
    refresh_rollups(now=NOW)
    decision = accept_jane(queue, reviewer)
    services.mark_no_match(
        participant_id=queue["olive"].id,
        reason="No parcel at this address",
        expected_version=0,
        reviewer=reviewer,
        now=NOW,
    )
    services.bulk_accept_top(
        participant_ids=[queue["rita"].id], probability=0.5, reviewer=reviewer, now=NOW
    )
    services.undo(decision_id=decision.pk, reviewer=reviewer, now=NOW)
    incremental = rollup_snapshot()
    refresh_rollups(now=NOW)
    assert incremental == rollup_snapshot()
    assert incremental["totals"]["quality"]["manual"] == 1


def test_counts(queue, reviewer):
    other = make_user("other", reviewer=True)
    accept_jane(queue, reviewer)
    services.skip(participant_id=queue["rita"].id, reviewer=reviewer, now=NOW)
    services.mark_no_match(
        participant_id=queue["olive"].id,
        reason="No parcel at this address",
        expected_version=0,
        reviewer=other,
        now=NOW - dt.timedelta(days=1),
    )
    counts = selectors.queue_counts(reviewer=reviewer, now=NOW)
    assert counts == {"to_review": 2, "reviewed_today": 1, "reviewed_by_me": 1}
    assert selectors.queue_counts(reviewer=other, now=NOW)["reviewed_by_me"] == 1


def test_next_item_follows_queue_order_and_puts_skipped_last(queue):
    ordered = selectors.review_queue
    jane, rita, olive, nomad = (queue[name] for name in ("jane", "rita", "olive", "nomad"))
    assert selectors.next_queue_item_id(queue=ordered) == str(jane.id)
    assert selectors.next_queue_item_id(queue=ordered, current=jane) == str(rita.id)
    assert selectors.next_queue_item_id(queue=ordered, current=olive) == str(nomad.id)
    assert selectors.next_queue_item_id(queue=ordered, current=nomad) == str(jane.id)  # wraps
    skipped = [str(rita.id)]
    assert selectors.next_queue_item_id(queue=ordered, current=jane, skipped_ids=skipped) == str(
        olive.id
    )

    def only_skipped(after=None, before=None):
        queue = selectors.review_queue(after=after, before=before)
        return queue.filter(id__in=[rita.id, jane.id])

    assert selectors.next_queue_item_id(
        queue=only_skipped, current=jane, skipped_ids=skipped
    ) == str(rita.id)
