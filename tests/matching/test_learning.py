"""Learning from reviews: reviewers' decisions are labelled pairs; `calibrate_matching` fits a
new parameters version from EM plus them, says how good it is, and matching then uses it
without ever touching a staff decision."""

from io import StringIO

import pytest
from django.core.management import call_command
from mongoengine.connection import get_db

from empowersave import mongodb
from matching import learning
from matching.parameter_versions import active_parameters
from participants.documents import MatchQuality, Participant
from review import services as review
from tests.matching.test_matching import NOW, add_participant, county, match_all  # noqa: F401
from tests.users import make_user

pytestmark = pytest.mark.django_db


def raw(contact_id):
    return mongodb.collection_for(Participant).find_one({"contact_id": contact_id})


def reviewed_county(county):  # noqa: F811
    """Four participants matched, two of them then decided by a reviewer."""
    add_participant("ambiguous@example.org", "12 Maple")  # MAPLE AVE or MAPLE ST: pending
    add_participant("exact@example.org", "14 N Main St", "Newark", "07102")
    add_participant("near@example.org", "16 N Main St", "Newark", "07102")  # no such number
    add_participant("nowhere@example.org", "30 Maple Ave", "Newark", "07102")
    match_all()
    reviewer = make_user("rev", staff=True)
    ambiguous = raw("ambiguous@example.org")
    review.accept_candidate(
        participant_id=ambiguous["_id"], county="Essex", parcel_id="E3",
        expected_version=ambiguous["match"]["version"], reviewer=reviewer, now=NOW,
    )  # fmt: skip
    near = raw("near@example.org")
    review.mark_no_match(
        participant_id=near["_id"], reason="Moved away", expected_version=near["match"]["version"],
        reviewer=reviewer, now=NOW,
    )  # fmt: skip


def test_labels_come_from_the_participants_reviewers_decided(county):  # noqa: F811
    reviewed_county(county)
    reviewed = learning.read_participants(rng=None)
    truths = {item.truth: len(item.candidates) for item in reviewed.labelled}
    near_candidates = len(raw("near@example.org")["match"]["candidates"])
    assert near_candidates > 0
    assert truths == {None: near_candidates, ("Essex", "E3"): 2}
    assert reviewed.participants == len(reviewed.queries) == 4


def test_calibrate_saves_a_version_that_matching_uses_and_staff_decisions_stay(county):  # noqa: F811
    reviewed_county(county)
    out = StringIO()
    call_command("calibrate_matching", "--by", "lead", stdout=out)
    printed = out.getvalue()
    assert "Labelled by reviewers: 2 participants" in printed
    assert "version 1 (active): precision" in printed and "new parameters: precision" in printed
    assert "recall 0.0000  [0.0000, 0.7935]  (0 of 1)" in printed  # Wilson 95% of 0 of 1
    assert "Saved as version 2 by lead" in printed

    [stored] = get_db("default")["match_parameters"].find()
    assert (stored["version"], stored["created_by"], stored["source"]) == (2, "lead", "em+labels")
    assert stored["created_at"] is not None
    assert stored["training"]["labelled_pairs"] >= 3  # E3 a match, E4 and near's candidates not
    assert active_parameters().version == 2

    staff = {name: raw(name) for name in ("ambiguous@example.org", "near@example.org")}
    call_command("rematch_participants", stdout=StringIO())
    assert {name: raw(name) for name in staff} == staff  # untouched, byte for byte
    assert staff["ambiguous@example.org"]["match"]["quality"] == MatchQuality.MANUAL
    nowhere = raw("nowhere@example.org")["match"]
    assert (nowhere["quality"], nowhere["parameters_version"]) == (MatchQuality.NO_MATCH, 2)
    assert raw("exact@example.org")["match"]["parameters_version"] == 1  # exact: not rematched


def test_a_dry_run_saves_nothing(county):  # noqa: F811
    reviewed_county(county)
    out = StringIO()
    call_command("calibrate_matching", "--dry-run", "--sample", "2", stdout=out)
    assert "Dry run: nothing saved." in out.getvalue()
    assert "of 2 of 4 participants" in out.getvalue()
    assert get_db("default")["match_parameters"].count_documents({}) == 0
    assert active_parameters().version == 1


def test_without_reviews_the_figures_say_there_is_nothing_to_count(county):  # noqa: F811
    add_participant("exact@example.org", "14 N Main St", "Newark", "07102")
    match_all()
    out = StringIO()
    call_command("calibrate_matching", "--dry-run", stdout=out)
    assert "Labelled by reviewers: 0 participants, 0 pairs" in out.getvalue()
    assert "precision —  (nothing to count)" in out.getvalue()


def test_wilson_interval():
    assert learning.wilson(0, 0) is None
    low, high = learning.wilson(10, 10)
    assert (round(low, 4), round(high, 4)) == (0.7225, 1.0)
    low, high = learning.wilson(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
