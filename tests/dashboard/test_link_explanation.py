"""The participant page explains the chosen link, field by field, as matching weighed it."""

import re

import pytest

from dashboard.models import ANALYSTS_GROUP
from empowersave import mongodb
from participants.documents import Participant
from tests.matching.test_matching import add_participant, county, match_all  # noqa: F401
from tests.users import make_user

pytestmark = pytest.mark.django_db


def page(client, contact_id):
    doc = mongodb.collection_for(Participant).find_one({"contact_id": contact_id})
    client.force_login(make_user("analyst", groups=[ANALYSTS_GROUP]))
    return doc, client.get(f"/participants/{doc['_id']}/").content.decode()


def test_the_matched_parcel_is_explained(client, county):  # noqa: F811
    add_participant("john@example.org", "12 North Main Street", "Newark", "07102",
                    first="John", last="Smith")  # fmt: skip
    match_all()
    doc, html = page(client, "john@example.org")
    assert doc["match"]["quality"] == "exact"
    section = html[html.index('id="link-explanation"') :]
    assert "Why this parcel" in section
    columns = re.findall(r'<tr class="waterfall-(\w+)" data-column="(\w+)">', section)
    assert columns[0] == ("prior", "prior")
    assert ("for", "house_number_same_street") in columns and ("for", "name") in columns
    top = doc["match"]["candidates"][0]
    shown = re.search(r'waterfall-probability">([^<]*)<', section).group(1)
    assert shown == ("&gt; 0.999" if top["probability"] >= 0.9995 else f"{top['probability']:.3f}")
    assert f'id="match-probability">probability {shown}<' in html


def test_a_link_without_stored_weights_says_so(client, county):  # noqa: F811
    add_participant(
        "ann@example.org", "14 N Main St", "Newark", "07102",
        match={"quality": "manual", "version": 1, "reviewed_by": "ann", "candidates": []},
        residence_ref={"county": "Essex", "parcel_id": "E2", "address": "14 N MAIN ST"},
    )  # fmt: skip
    _doc, html = page(client, "ann@example.org")
    assert "No field weights are stored for this link (a reviewer chose the parcel)." in html


def test_no_link_no_explanation(client, county):  # noqa: F811
    add_participant("nowhere@example.org", "77 Nowhere Rd", "Dublin", "43017")
    match_all()
    _doc, html = page(client, "nowhere@example.org")
    assert 'id="link-explanation"' not in html
