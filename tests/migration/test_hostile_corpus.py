"""Issue 10's "Done when": a hostile corpus (tests/hostile_corpus.py) runs through
migrate_participants, match_participants and every page with no crash and no 5xx."""

import csv
import io
import json

import bson
import pytest
from django.core.management import call_command
from django.urls import reverse

from dashboard.rollups import rollup_collection
from empowersave import mongodb
from migration.management.commands import migrate_participants
from participants.documents import Participant, QuarantinedDocument
from participants.transform import source_key
from tests.factories import insert_county, parcel
from tests.hostile_corpus import MEGABYTE, stored_rows
from tests.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    rows, expected = stored_rows()
    mongodb.source_collection().insert_many(rows)
    insert_county(parcels=[parcel(), parcel(parcel_id="E-101", address="1 MAIN ST")])
    return rows, expected


def exit_status(*argv):
    """Run a command as the command line does; its exit status (0 when it did not exit)."""
    command = migrate_participants.Command() if argv[0] == "migrate_participants" else None
    assert command is not None
    try:
        command.run_from_argv(["manage.py", *argv])
    except SystemExit as exit_:
        return exit_.code
    return 0


def participants():
    return list(mongodb.collection_for(Participant).find({}))


def test_every_row_is_migrated_or_quarantined_once_and_the_run_validates(corpus, tmp_path):
    rows, expected = corpus
    report = tmp_path / "report.json"
    status = exit_status("migrate_participants", "--report", str(report), "--verbosity", "0")
    assert status == 3  # finished and validated, with rows set aside

    quarantined = {
        source_key(doc["source_id"]): doc["reason"]
        for doc in mongodb.collection_for(QuarantinedDocument).find({})
    }
    holders = {}
    for doc in participants():
        for engagement in doc["engagements"]:
            holders.setdefault(source_key(engagement["source_id"]), []).append(doc["contact_id"])
    for row, want in zip(rows, expected, strict=True):
        key = source_key(row["_id"])
        if "@" in want:
            assert holders.get(key) == [want], row["_id"]
            assert key not in quarantined, row["_id"]
        else:
            assert quarantined.get(key) == want, row["_id"]
            assert key not in holders, row["_id"]
    assert rollup_collection().find_one({"_id": "totals"})["participants"] == len(participants())


def test_nothing_is_lost_odd_names_are_escaped_and_huge_values_kept_whole(corpus):
    call_command("migrate_participants", verbosity=0, stdout=io.StringIO())
    keys = mongodb.collection_for(Participant).find_one({"contact_id": "keys@example.org"})
    fields = keys["fields"]
    assert fields["%24where"] == "sleep(1)" and fields["a%2Eb"] == 1 and fields["%"] == "empty name"
    assert fields["%2524where"] == "looks escaped" and fields["%7Aip5"] == {"not": "a zip"}
    assert fields["%5Fcls"] == "Nope" and fields["%74o_mongo"] == 1
    assert "zip5" not in fields  # no ZIP given: the source's own "zip5" is not taken as one
    huge = mongodb.collection_for(Participant).find_one({"contact_id": "huge@example.org"})
    assert len(huge["fields"]["FirstName"]) == 1_001  # 1,000 characters and "…"
    [original] = huge["originals"]
    assert original["value"] == "x" * MEGABYTE and original["length"] == MEGABYTE
    assert original["part"] == "fields" and original["field"] == "FirstName"
    types = mongodb.collection_for(Participant).find_one({"contact_id": "types0@example.org"})
    assert types["fields"]["FirstName"] == {"%24gt": ""}  # a document kept, never dropped
    assert types["status"] == {"%24gt": ""}


def test_a_second_run_changes_nothing(corpus, tmp_path):
    call_command("migrate_participants", verbosity=0, stdout=io.StringIO())
    before = participants()
    report = tmp_path / "second.json"
    call_command("migrate_participants", "--report", str(report), verbosity=0, stdout=io.StringIO())
    written = json.loads(report.read_text())["written"]
    assert written["participants"] == {"inserted": 0, "updated": 0, "unchanged": len(before)}
    assert written["quarantine"]["inserted"] == written["quarantine"]["updated"] == 0
    assert participants() == before


def test_matching_and_rematching_run_through_it(corpus):
    call_command("migrate_participants", "--skip-matching", verbosity=0, stdout=io.StringIO())
    out = io.StringIO()
    call_command("match_participants", stdout=out)
    assert "Matched" in out.getvalue()
    number = mongodb.collection_for(Participant).find_one({"contact_id": "number@example.org"})
    assert number["match"]["quality"] == "no_match"
    call_command("rematch_participants", stdout=io.StringIO())


LIST_PAGES = [
    "/",
    "/campaigns/",
    "/map/",
    "/zip-engagement.csv",
    "/participants/",
    "/participants/?search=example",
    "/participants/?sort=-name",
    "/participants/?sort=zip&per_page=200",
    "/participants/export.csv",
    "/review/",
    "/review/?search=x",
    "/review/decisions/",
]


def body(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def test_every_page_answers_200_escapes_and_stays_small(corpus, client):
    call_command("migrate_participants", verbosity=0, stdout=io.StringIO())
    client.force_login(make_user("root", superuser=True))
    for url in LIST_PAGES:
        html = body(client, url)
        if not url.endswith(".csv"):  # a CSV is data: values as they are
            assert "<script>alert(1)" not in html and "<b>bold</b>" not in html, url
            assert len(html) < 200_000, (url, len(html))
    campaigns = {e["campaign_id"] for doc in participants() for e in doc["engagements"]}
    for campaign_id in campaigns:
        html = body(client, reverse("dashboard:campaign_detail", args=[campaign_id]))
        assert "<b>x</b>" not in html
    for doc in participants():
        for url in (f"/participants/{doc['_id']}/", f"/review/{doc['_id']}/"):
            html = body(client, url)
            assert "<script>alert(1)" not in html and 'src=x onerror="alert(1)"' not in html
            assert len(html) < 200_000, (url, len(html))


def test_the_participant_page_shows_original_names_and_all_of_a_huge_value(corpus, client):
    call_command("migrate_participants", verbosity=0, stdout=io.StringIO())
    client.force_login(make_user("root", superuser=True))
    keys = mongodb.collection_for(Participant).find_one({"contact_id": "keys@example.org"})
    html = body(client, f"/participants/{keys['_id']}/")
    for name in (
        "$where",
        "a.b",
        "%24where",
        "zip5",
        "_cls",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ):
        assert f">{name}<" in html, name
    huge = mongodb.collection_for(Participant).find_one({"contact_id": "huge@example.org"})
    html = body(client, f"/participants/{huge['_id']}/")
    print(f"a participant with a 1 MB first name: a page of {len(html):,} bytes")
    assert len(html) < 200_000 and "Show all 1,000,000 characters" in html
    assert body(client, f"/participants/{huge['_id']}/originals/0/") == "x" * MEGABYTE


def test_the_export_keeps_every_value_whole(corpus, client):
    call_command("migrate_participants", verbosity=0, stdout=io.StringIO())
    client.force_login(make_user("root", superuser=True))
    previous = csv.field_size_limit(2 * MEGABYTE)
    try:
        rows = list(csv.DictReader(io.StringIO(body(client, "/participants/export.csv"))))
    finally:
        csv.field_size_limit(previous)
    huge = next(row for row in rows if row["contact_id"] == "huge@example.org")
    assert huge["first_name"] == "x" * MEGABYTE


def test_a_person_with_many_huge_values_stays_storable(tmp_path):
    """Six rows of one person, each with another 1 MB name: the participant keeps the whole of
    what fits in 4 MB and points to the source rows for the rest (MongoDB's limit is 16 MB)."""
    rows = [
        {
            "_id": f"big-{n}",
            "campaign_id": f"C{n}",
            "email_address": "big@example.org",
            "engagement": {"opened": True},
            "fields": {"FirstName": str(n) * MEGABYTE},
        }
        for n in range(6)
    ]
    mongodb.source_collection().insert_many(rows)
    call_command("migrate_participants", "--skip-matching", verbosity=0, stdout=io.StringIO())
    big = mongodb.collection_for(Participant).find_one({"contact_id": "big@example.org"})
    kept = [o for o in big["originals"] if "value" in o]
    omitted = [o for o in big["originals"] if o.get("omitted")]
    assert (len(kept), len(omitted)) == (3, 3)
    assert {o["source_id"] for o in omitted} <= {row["_id"] for row in rows}
    assert len(bson.encode(big)) < 5 * MEGABYTE
