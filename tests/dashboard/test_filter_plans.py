"""Each participants filter that can be served by one index is, on the store the suite runs on
(SecantusDB uses an index only when it serves every condition of the filter)."""

import pytest
from django.http import QueryDict

from dashboard.filters import ParticipantFilter
from dashboard.rollups import refresh_rollups
from participants.documents import Participant, ensure_indexes
from tests.dashboard.dashboard_fixture import fixture_participants
from tests.factories import NOW, insert_participants

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("county=Suffolk", "residence_ref.county_1"),
        ("match_quality=exact", "match.quality_1"),
        ("match_quality=unmatched", "match.quality_1"),
        ("campaign=C1", "engagements.campaign_id_1"),
        ("county=Suffolk&match_quality=exact", "residence_ref.county_1_match.quality_1"),
        (
            "county=Suffolk&match_quality=exact&campaign=C1",
            "residence_ref.county_1_match.quality_1_engagements.campaign_id_1",
        ),
        ("has_demographic=true", "demographic_ref.parcel_id_1"),
        ("has_demographic=false", "demographic_ref.parcel_id_1"),
        ("energy_burden_min=5", "demographic_ref.total_energy_burden_1"),
    ],
)
def test_the_filter_is_an_index_scan(query, index):
    insert_participants(*fixture_participants())
    ensure_indexes()
    refresh_rollups(now=NOW)
    filtered = ParticipantFilter(QueryDict(query), queryset=Participant.objects.all()).qs
    plan = filtered.explain()["queryPlanner"]["winningPlan"]
    stage = plan.get("inputStage", plan)
    assert (stage["stage"], stage.get("indexName")) == ("IXSCAN", index)
