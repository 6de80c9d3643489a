"""Each participants filter that can be served by one index is, on the store the suite runs on:
the filters run on the participants' listing (participants.listing), whose indexes serve them."""

import pytest
from django.http import QueryDict

from dashboard.filters import ParticipantFilter
from dashboard.rollups import refresh_rollups
from participants.documents import ensure_indexes
from participants.selectors import listing
from tests.dashboard.dashboard_fixture import fixture_participants
from tests.factories import NOW, insert_participants

pytestmark = pytest.mark.django_db


COUNTY_QUALITY_CAMPAIGN = "residence_ref.county_1_match.quality_1_engagements.campaign_id_1"


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("county=Suffolk", COUNTY_QUALITY_CAMPAIGN),
        ("match_quality=exact", "match.quality_1_match.reviewed_by_1"),
        ("match_quality=unmatched", "match.quality_1_match.reviewed_by_1"),
        ("campaign=C1", "engagements.campaign_id_1"),
        ("county=Suffolk&match_quality=exact", COUNTY_QUALITY_CAMPAIGN),
        ("county=Suffolk&match_quality=exact&campaign=C1", COUNTY_QUALITY_CAMPAIGN),
        ("zip=02134", "zips_1"),
        ("has_demographic=true", "demographic_ref.parcel_id_1"),
        ("has_demographic=false", "demographic_ref.parcel_id_1"),
        ("energy_burden_min=5", "demographic_ref.total_energy_burden_1"),
    ],
)
def test_the_filter_is_an_index_scan(query, index):
    insert_participants(*fixture_participants())
    ensure_indexes()
    refresh_rollups(now=NOW)
    filtered = ParticipantFilter(QueryDict(query), queryset=listing()).qs
    plan = filtered.explain()["queryPlanner"]["winningPlan"]
    stage = plan.get("inputStage", plan)
    assert (stage["stage"], stage.get("indexName")) == ("IXSCAN", index)


def test_county_quality_and_campaign_together_are_one_key_of_the_listing_keys():
    """The page's ids pass (count and order) asks the listing's keys: one indexed equality."""
    insert_participants(*fixture_participants())
    ensure_indexes()
    refresh_rollups(now=NOW)
    query = QueryDict("county=Suffolk&match_quality=exact&campaign=C1")
    keyed = ParticipantFilter(query, queryset=listing()).keyed_queryset()
    plan = keyed.explain()["queryPlanner"]["winningPlan"]
    stage = plan.get("inputStage", plan)
    assert (stage["stage"], stage.get("indexName")) == ("IXSCAN", "keys_1")
