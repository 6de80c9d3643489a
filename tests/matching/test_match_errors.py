"""Per-participant fault isolation in matching: a participant whose decision raises becomes
no_match with reason MATCH_ERROR and the error as its detail; the run goes on."""

import pytest
from pymongo.collection import Collection
from pymongo.errors import OperationFailure

from matching import services
from matching.county_index import load_index
from matching.index import CountyIndex, ParcelIndex
from matching.scoring import MATCH_ERROR
from participants.documents import MatchQuality
from tests.matching.test_matching import NOW, add_participant, county, stored  # noqa: F401

pytestmark = pytest.mark.django_db

BROKEN_ZIP = "66666"


class BreaksOnOneZip(ParcelIndex):
    """The county index's parcels, except that searching ZIP 66666 raises (a bug no data
    foresaw). A subclass: the matcher's functions take the index's own types (compiled, they
    are extension types, matching/index.pxd)."""

    def counties_for(self, *, zips, city):
        if BROKEN_ZIP in zips:
            raise RuntimeError("the index broke on this ZIP")
        return super().counties_for(zips=zips, city=city)


def breaks_on_one_zip(index):
    parcels = BreaksOnOneZip()
    parcels.__setstate__(index.parcels.__getstate__())
    return CountyIndex(parcels, index.demographics)


def test_a_participant_whose_matching_raises_is_set_aside_and_the_run_goes_on(county):  # noqa: F811
    add_participant("good@example.org", "12 N Main St", "Springfield", "01104")
    add_participant("broken@example.org", "1 Elm St", "Nowhere", BROKEN_ZIP)
    stats = services.match_participants(now=NOW, index=breaks_on_one_zip(load_index()))
    assert stats["processed"] == 2 and stats["no_match_reasons"] == {MATCH_ERROR: 1}
    broken = stored("broken@example.org").match
    assert (broken.quality, broken.reason) == (MatchQuality.NO_MATCH, MATCH_ERROR)
    assert broken.detail == "RuntimeError: the index broke on this ZIP"
    assert stored("good@example.org").match.reason != MATCH_ERROR  # decided as usual


def test_a_hundred_thousand_digit_house_number_is_no_house_number(county):  # noqa: F811
    add_participant("long@example.org", "9" * 100_000 + " N Main St", "Springfield", "01104")
    stats = services.match_participants(now=NOW)
    assert MATCH_ERROR not in stats["no_match_reasons"]
    assert stored("long@example.org").match.quality in MatchQuality.NEEDS_REVIEW


def test_a_county_database_the_project_may_only_read_still_matches(county, monkeypatch, caplog):  # noqa: F811
    """A real MongoDB refuses createIndex to a read-only role (code 13, Unauthorized)."""

    def refuse(collection, *args, **kwargs):
        raise OperationFailure("not authorized on empower_analytics", code=13)

    monkeypatch.setattr(Collection, "create_index", refuse)
    add_participant("jane@example.org", "12 North Main Street", "Newark", "7102")
    stats = services.match_participants(now=NOW)
    assert stats["processed"] == 1 and MATCH_ERROR not in stats["no_match_reasons"]
    person = stored("jane@example.org")
    assert person.match.quality == MatchQuality.EXACT
    assert person.residence_ref.parcel_id == "E1" and person.demographic_ref.parcel_id == "E1"
    assert "could not index" in caplog.text and "not authorized" in caplog.text
