"""A decision and its audit row never diverge (issue 10, item 8): the decision is written into the
participant with the match it changes, its SQL row from it, and a missing row is reconciled.
Failures are injected at the SQL boundary (Django's `execute_wrapper`) and at the store's."""

import datetime as dt
import io
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection

from participants.documents import MatchQuality
from review import services
from review.audit import PENDING_COLLECTION, PENDING_GRACE
from review.models import ReviewDecision
from tests.review.review_data import NOW, raw
from tests.store_faults import Killed

pytestmark = pytest.mark.django_db

AUDIT_INSERT = 'INSERT INTO "review_reviewdecision"'


@contextmanager
def audit_insert_fails(error):
    """Every insert into the audit table raises `error`, as a failing SQL database would."""

    def wrapper(execute, sql, params, many, context):
        if sql.startswith(AUDIT_INSERT):
            raise error
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


def accept_jane(queue, reviewer, *, version=0):
    return services.accept_candidate(
        participant_id=queue["jane"].id,
        county="Essex",
        parcel_id="E-100",
        expected_version=version,
        reviewer=reviewer,
        now=NOW,
    )


def pending_markers():
    from empowersave import mongodb

    return list(mongodb.target_collection(PENDING_COLLECTION).find({}))


def test_a_failed_audit_insert_loses_nothing_and_undo_still_works(queue, reviewer, client):
    with audit_insert_fails(DatabaseError("disk I/O error")):
        decision = accept_jane(queue, reviewer)  # the reviewer is told it is saved: it is
    assert decision.pk is None and ReviewDecision.objects.count() == 0
    stored = raw(queue["jane"])
    assert stored["match"]["quality"] == MatchQuality.MANUAL
    [entry] = stored["review_history"]
    assert (entry["action"], entry["reviewer"], entry["parcel_id"]) == ("ACCEPT", "rev", "E-100")
    assert entry["before"]["match"]["quality"] == MatchQuality.PENDING
    assert entry["after"]["match"]["version"] == stored["match"]["version"] == 1
    assert len(pending_markers()) == 1

    client.force_login(reviewer)
    page = client.get("/review/decisions/")  # reading the trail reconciles it first
    assert page.status_code == 200 and "Accepted candidate" in page.content.decode()
    [row] = ReviewDecision.objects.all()
    assert (row.key, row.action, row.parcel_id) == (entry["key"], "ACCEPT", "E-100")
    assert row.before["match"]["quality"] == MatchQuality.PENDING
    assert pending_markers() == []

    undo_row = services.undo(decision_id=row.pk, reviewer=reviewer, now=NOW)
    assert raw(queue["jane"])["match"]["quality"] == MatchQuality.PENDING
    row.refresh_from_db()
    assert row.undone_by == undo_row
    assert [e["action"] for e in raw(queue["jane"])["review_history"]] == ["ACCEPT", "UNDO"]


def test_a_process_killed_between_the_two_writes_is_reconciled_by_the_command(queue, reviewer):
    died = Killed("the process died after the MongoDB write")
    with audit_insert_fails(died), pytest.raises(Killed):
        services.mark_no_match(
            participant_id=queue["jane"].id,
            reason="PO box",
            expected_version=0,
            reviewer=reviewer,
            now=NOW,
        )
    assert raw(queue["jane"])["match"]["quality"] == MatchQuality.NO_MATCH
    assert ReviewDecision.objects.count() == 0

    out = io.StringIO()
    call_command("reconcile_review_audit", stdout=out)
    assert "Reconciled 1 review decision(s)." in out.getvalue()
    [row] = ReviewDecision.objects.all()
    assert (row.action, row.reason, row.reviewer) == ("NO_MATCH", "PO box", reviewer)
    call_command("reconcile_review_audit", stdout=out)  # again: nothing more
    assert ReviewDecision.objects.count() == 1


def test_an_undo_whose_audit_failed_is_linked_to_what_it_undid(queue, reviewer):
    decision = accept_jane(queue, reviewer)
    with audit_insert_fails(DatabaseError("locked")):
        services.undo(decision_id=decision.pk, reviewer=reviewer, now=NOW)
    decision.refresh_from_db()
    assert decision.undone_by is None  # not yet
    services.reconcile_audit(now=NOW)
    decision.refresh_from_db()
    assert decision.undone_by.action == ReviewDecision.Action.UNDO


def test_a_decision_that_never_reached_the_participant_leaves_no_row(queue, reviewer, store_faults):
    store_faults.kill_after("participants", 0)  # dies at the participant's update
    with pytest.raises(Killed):
        accept_jane(queue, reviewer)
    store_faults.clear()
    assert raw(queue["jane"])["match"]["quality"] == MatchQuality.PENDING
    assert len(pending_markers()) == 1
    services.reconcile_audit(now=NOW)  # young: its update could still be on its way
    assert len(pending_markers()) == 1
    services.reconcile_audit(now=dt.datetime.now(dt.UTC) + PENDING_GRACE)
    assert pending_markers() == [] and ReviewDecision.objects.count() == 0


def test_a_stale_page_writes_no_history_and_no_row(queue, reviewer):
    accept_jane(queue, reviewer)
    with pytest.raises(services.ReviewError):
        accept_jane(queue, reviewer)  # still at version 0
    assert len(raw(queue["jane"])["review_history"]) == 1
    assert ReviewDecision.objects.count() == 1 and pending_markers() == []


def test_bulk_decisions_with_a_failed_audit_are_reconciled_in_the_admin(queue, reviewer, client):
    ids = [queue[name].id for name in ("jane", "rita")]
    with audit_insert_fails(DatabaseError("disk full")):
        stats = services.bulk_no_match(participant_ids=ids, reason="PO box", reviewer=reviewer,
                                       now=NOW)  # fmt: skip
    assert stats["changed"] == 2 and ReviewDecision.objects.count() == 0
    client.force_login(reviewer)
    page = client.get("/admin/review/reviewdecision/")
    assert page.status_code == 200
    assert ReviewDecision.objects.filter(action="NO_MATCH").count() == 2
