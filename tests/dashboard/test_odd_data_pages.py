"""No page answers 5xx for what a participant's data holds: field names MongoEngine cannot take,
None, wrong types, markup and megabyte values. Long values are shown shortened, with all of it
behind "Show all"."""

import csv
import io
from datetime import datetime

import pytest
from bson import ObjectId
from django.core.management import call_command

from dashboard.rollups import refresh_rollups
from empowersave import mongodb
from participants.documents import Participant
from participants.fields import stored_key
from tests.factories import NOW, engagement, insert_participants, participant
from tests.users import make_user

pytestmark = pytest.mark.django_db

MEGABYTE = 1_000_000


def odd_keys():
    """Custom-field names as the migration and the sync store them (participants.fields)."""
    doc = participant("keys@example.org", first="Dollar", engagements=[engagement("C1")])
    odd = {"$where": "sleep(1)", "a.b": 1, "$": 3, "nul\0key": 4, "_cls": "X", "to_mongo": 5}
    doc["fields"].update({stored_key(name): value for name, value in odd.items()})
    return doc


def wrong_types():
    doc = participant(
        "types@example.org", engagements=[engagement("C1")], quality="pending", score=1.0
    )
    # The keys the rollups are built on (ZIP, county) keep their types: building the rollups
    # from odd data is the batch's concern, not the pages'.
    doc["fields"] = {
        "FirstName": {"$gt": 1},
        "LastName": 12,
        "Address": ["1 Main", "St"],
        "City": {"x": 1},
        "ZIP": 2134,
        "kWh": {"$ne": None},
    }
    doc.update(
        email_address=42,
        phone_number={"a": 1},
        status=["x"],
        synced_at="yesterday",
        totals={"sent": "3", "opened": None},
        field_history=[{"field": "City", "value": {"$set": 1}, "campaign_id": 5}],
        residence_ref={"county": "X", "parcel_id": 7, "address": ["x"], "parcel_zip": "abc"},
        demographic_ref={
            "county": "X",
            "parcel_id": "Y",
            "annual_kwh_cost": "lots",
            "total_energy_burden": float("nan"),
            "linked_by": 3,
        },
    )
    doc["match"].update(score="high", method=5, reason={"a": 1}, matched_at="soon")
    doc["engagements"][0]["engaged_at"] = "soon"
    return doc


def nothing():
    doc = participant("none@example.org", first=None, last=None, engagements=[engagement("C1")])
    doc["fields"] = {"FirstName": None, "LastName": None, "Address": None, "City": None}
    doc.update(email_address=None, phone_number=None, status=None, synced_at=None)
    return doc


def huge():
    return participant(
        "huge@example.org",
        first="x" * MEGABYTE,
        address="1 Main St " + "y" * MEGABYTE,
        engagements=[engagement("C1")],
        quality="pending",
        score=70.0,
    )


def markup():
    return participant(
        "markup@example.org",
        first="<b>bold</b>",
        last="<script>alert(1)</script>",
        address='<img src=x onerror="alert(1)">',
        engagements=[engagement("C1")],
        quality="pending",
        score=80.0,
    )


@pytest.fixture
def odd(client):
    docs = {
        "keys": odd_keys(),
        "types": wrong_types(),
        "nothing": nothing(),
        "huge": huge(),
        "markup": markup(),
    }
    insert_participants(*list(docs.values()))
    mongodb.source_campaigns_collection().insert_many(
        [
            {"_id": "C1", "name": {"$gt": 1}, "sent_at": "last week"},
            {"_id": "C2", "name": None},
            {"_id": "C3", "name": 12, "sent_at": NOW},
        ]
    )
    refresh_rollups(now=NOW)
    client.force_login(make_user("root", superuser=True))
    return docs


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


LISTS = [
    "/",
    "/campaigns/",
    "/campaigns/C1/",
    "/participants/",
    "/participants/?q=example",
    "/participants/?campaign=C1&opened=true",
    "/participants/?sort=name",
    "/participants/?sort=-zip",
    "/review/",
    "/review/?q=example",
]


def test_list_pages_answer_and_stay_small(client, odd):
    for url in LISTS:
        html = page(client, url)
        assert len(html) < 100_000, (url, len(html))
        assert "<script>alert(1)" not in html and "<b>bold</b>" not in html, url


@pytest.mark.parametrize("name", ["keys", "types", "nothing", "huge", "markup"])
def test_each_participant_page_answers(client, odd, name):
    participant_id = odd[name]["_id"]
    for url in (f"/participants/{participant_id}/", f"/review/{participant_id}/"):
        html = page(client, url)
        assert "<script>alert(1)" not in html and 'src=x onerror="alert(1)"' not in html, url


def test_a_megabyte_name_is_shown_once_shortened_with_all_of_it_behind_show_all(client, odd):
    html = page(client, f"/participants/{odd['huge']['_id']}/")
    assert html.count("x" * MEGABYTE) == 1  # title and heading shortened; "Show all" has it all
    assert "Show all 1,000,004 characters" in html  # "xxx… Lee"
    assert "Show all 1,000,010 characters" in html  # the address
    assert len(html) < 2.1 * MEGABYTE  # the name and the address, once each
    title = html.split("<title>")[1].split("</title>")[0]
    assert len(title) < 300
    review = page(client, f"/review/{odd['huge']['_id']}/")
    assert len(review) < 1.1 * MEGABYTE  # the address as written, once
    assert "x" * 201 not in review  # the name in the heading is shortened


def test_values_of_the_wrong_type_are_shown_as_their_text(client, odd):
    html = page(client, f"/participants/{odd['types']['_id']}/")
    assert "{&#x27;$gt&#x27;: 1} 12" in html  # first and last name
    assert "lots" in html  # the kWh cost that is not a number
    assert "{&#x27;$set&#x27;: 1}" in html  # a field history value


def test_the_csv_export_answers_with_every_value_whole(client, odd):
    previous = csv.field_size_limit(2 * MEGABYTE)
    try:
        rows = list(csv.DictReader(io.StringIO(page(client, "/participants/export.csv"))))
    finally:
        csv.field_size_limit(previous)
    assert len(rows) == 5
    huge = next(row for row in rows if row["contact_id"] == "huge@example.org")
    assert huge["first_name"] == "x" * MEGABYTE  # an export is data: nothing shortened


def test_odd_field_names_are_shown_as_the_source_named_them(client, odd):
    html = page(client, f"/participants/{odd['keys']['_id']}/")
    for name in ("$where", "a.b", "$", "nul\0key", "_cls", "to_mongo"):
        assert f'<th scope="row">{name}</th>' in html, name
    stored = mongodb.collection_for(Participant).find_one({"_id": odd["keys"]["_id"]})
    assert stored["fields"]["%24where"] == "sleep(1)"
    assert stored["fields"]["a%2Eb"] == 1


def test_a_migrated_source_row_with_odd_field_names_shows_on_every_page(client):
    mongodb.source_collection().insert_one(
        {
            "_id": ObjectId(),
            "campaign_id": "C1",
            "contact_id": "eo-1",
            "email_address": "dollar@example.org",
            "engagement": {"opened": True},
            "fields": {"FirstName": "Dot", "$where": "x", "a.b": 2, "Address": "1 Main St"},
            "status": "SUBSCRIBED",
            "synced_at": datetime(2024, 1, 1),
        }
    )
    call_command("migrate_participants", stdout=io.StringIO())
    client.force_login(make_user("root", superuser=True))
    person = mongodb.collection_for(Participant).find_one({"contact_id": "dollar@example.org"})
    for url in [*LISTS, f"/participants/{person['_id']}/", f"/review/{person['_id']}/"]:
        page(client, url)
    assert "Dot" in page(client, "/participants/")


def test_the_text_filters_escape_and_shorten():
    from empowersave.text_format import long_text, shorten

    assert [shorten(None), shorten(12), shorten({"a": 1})] == ["", "12", "{'a': 1}"]
    assert shorten("ab" * 150) == "ab" * 100 + "…"
    assert long_text("<b>short</b>") == "<b>short</b>"  # plain text: autoescaped when rendered
    html = long_text("<b>" * 100)
    assert "<b>" not in html and html.count("&lt;b&gt;") == 66 + 100  # the start, then all
    assert html.startswith("&lt;b&gt;") and '<details class="long-text">' in html
