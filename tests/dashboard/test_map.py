"""The ZIP map page and its local geography: ZIP centres (zipcodes) and Census outlines."""

import json

import pytest

from dashboard import geo
from dashboard.models import ANALYSTS_GROUP
from dashboard.rollups import refresh_rollups
from tests.dashboard.dashboard_fixture import fixture_participants
from tests.dashboard.test_dashboard_pages import tables
from tests.factories import NOW, insert_participants, participant
from tests.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(client):
    client.force_login(make_user("analyst", groups=[ANALYSTS_GROUP]))
    return client


def map_data(response):
    html = response.content.decode()
    start = html.index('<script id="map-data" type="application/json">') + 46
    return json.loads(html[start : html.index("</script>", start)])


def test_zip_places_come_from_the_local_zip_data():
    allston = geo.zip_place("02134")
    assert (allston["city"], allston["state"], allston["county"]) == (
        "Allston",
        "MA",
        "Suffolk County",
    )
    assert allston["county_fips"] == "25025"
    assert 42.3 < allston["lat"] < 42.4 and -71.2 < allston["lon"] < -71.1
    assert geo.zip_place("99999") is None
    assert geo.zip_place("00601")["county_fips"] == "72001"  # Puerto Rico's "Adjuntas Municipio"


def test_the_demo_counties_have_outlines():
    counties = geo.shapes()["counties"]
    for fips, name in (("39049", "Franklin"), ("34013", "Essex"), ("04013", "Maricopa")):
        assert counties[fips]["name"] == name
        west, south, east, north = counties[fips]["bbox"]
        assert west < east and south < north
    essex = counties["34013"]["bbox"]
    assert essex[0] < -74.17 < essex[2] and essex[1] < 40.73 < essex[3]  # Newark is inside


def test_map_page_places_each_zip_with_its_figures(analyst):
    insert_participants(*fixture_participants())
    insert_participants(participant("zed@example.org", first="Zed", zip_raw="99999"))
    refresh_rollups(now=NOW)
    response = analyst.get("/map/")
    assert response.status_code == 200
    data = map_data(response)
    points = {point["zip"]: point for point in data["points"]}
    assert set(points) == {"02134", "01002"}
    assert points["02134"]["participants"] == 2
    assert points["02134"]["open_rate"] == 1.0  # 3 of 3 emails opened
    assert points["02134"]["residence_rate"] == 1.0  # both matched to a parcel
    assert points["01002"]["residence_rate"] == 0.5
    assert [area["label"] for area in data["areas"]] == [
        "All ZIP codes",
        "Hampshire County, MA",  # 2 participants; ties are by name
        "Suffolk County, MA",
    ]
    assert len(data["county_lines"]["lon"]) > 100  # Massachusetts' counties are drawn
    assert None in data["state_lines"]["lon"]
    rows = {row[0]: row for row in tables(response)["map-table"][1:]}
    assert rows["02134"][1:] == [
        "Allston, MA",
        "Suffolk County",
        "2",
        "3",
        "100.0%",
        "33.3%",
        "100.0%",
    ]
    html = response.content.decode()
    assert "99999 (1)" in html  # the ZIP the data does not know is listed, not placed
    assert "cdn" not in html.lower()
    assert '<script src="/static/js/map.js">' in html


def test_map_page_without_data_says_so(analyst):
    html = analyst.get("/map/").content.decode()
    assert "nothing to map" in html
    assert "map.js" not in html
