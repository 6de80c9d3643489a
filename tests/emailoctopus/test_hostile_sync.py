"""The sync takes hostile API data without stopping: odd field names (a NUL, "$", "."), values
of any type and size, report rows without a usable contact id; each is stored escaped,
shortened with its whole kept, or quarantined, and the run exits 3 when it set rows aside."""

import io

import pytest
from django.core.management import call_command
from mongoengine.connection import get_db

from emailoctopus.management.commands import sync_emailoctopus as command
from emailoctopus.sync import sync_emailoctopus
from tests.emailoctopus.fake_emailoctopus import CAMPAIGN_1, FakeEmailOctopus, client_for
from tests.emailoctopus.test_emailoctopus_sync import NOW

pytestmark = pytest.mark.django_db

ANA = "c0000000-0000-0000-0000-0000000000a1"


@pytest.fixture
def hostile_api(settings):
    fake = FakeEmailOctopus()
    for contacts in (listed["contacts"] for listed in fake.lists.values()):
        for contact in contacts:
            if contact["id"] == ANA:
                contact["fields"].update(
                    {
                        "nul\0key": 1,
                        "$where": "x",
                        "a.b": 2,
                        "_cls": "Nope",
                        "LastName": {"$gt": ""},
                        "FirstName": "A" * 5_000,
                    }
                )
    for contact_id in ({"$ne": None}, ["x"], "c" * 1_000, None, 12.5):
        fake.reports[CAMPAIGN_1]["opened"].append(
            {"contact_id": contact_id, "occurred_at": "2025-03-02T00:00:00+00:00"}
        )
    fake.reports[CAMPAIGN_1]["clicked"].append("not a row at all")
    fake.start()
    settings.EMAILOCTOPUS_API_KEY = fake.api_key
    settings.EMAILOCTOPUS_API_BASE_URL = fake.base_url
    yield fake
    fake.stop()


def test_hostile_api_data_is_stored_escaped_shortened_or_quarantined(hostile_api):
    report = sync_emailoctopus(client=client_for(hostile_api), now=NOW)
    db = get_db("default")
    ana = db["participants"].find_one({"contact_id": "ana.lopez@example.com"})
    fields = ana["fields"]
    assert fields["nul%00key"] == 1 and fields["%24where"] == "x" and fields["a%2Eb"] == 2
    assert fields["%5Fcls"] == "Nope"
    last_names = [fields["LastName"]] + [
        change["value"] for change in ana["field_history"] if change["field"] == "LastName"
    ]
    assert {"%24gt": ""} in last_names  # a document is kept, with its keys escaped
    stored_names = [fields["FirstName"]] + [
        change["value"] for change in ana["field_history"] if change["field"] == "FirstName"
    ]
    assert "A" * 1_000 + "…" in stored_names  # stored shortened ...
    assert [o["value"] for o in ana["originals"]] == ["A" * 5_000]  # ... and kept whole
    # A dict, a list, 1,000 characters, None and a non-row: no usable id; 12.5 is an id ("12.5")
    # of a contact no list has, so no email: MISSING_CONTACT (the fixture's own bad email too).
    assert report["quarantine_reasons"] == {
        "API_MISSING_CONTACT_ID": 5,
        "MISSING_CONTACT": 1,
        "INVALID_EMAIL": 1,
    }
    assert report["campaigns_failed"] == {}
    again = sync_emailoctopus(client=client_for(hostile_api), now=NOW)
    assert again["participants_updated"] == again["participants_created"] == 0


def test_the_command_exits_3_when_it_set_rows_aside(hostile_api):
    with pytest.raises(SystemExit) as exit_:
        command.Command().run_from_argv(["manage.py", "sync_emailoctopus"])
    assert exit_.value.code == 3
    out = io.StringIO()
    call_command("sync_emailoctopus", stdout=out)  # from code: returns, the report tells
    assert "quarantined" in out.getvalue()


def test_a_campaign_the_sync_cannot_take_is_set_aside_and_the_others_synced():
    fake = FakeEmailOctopus()
    broken = {**fake.campaigns[0], "id": "99999999-0000-0000-0000-000000000009", "to": 5}
    fake.campaigns.extend([broken, {"status": "sent", "name": "no id"}])
    fake.reports[broken["id"]] = {
        "opened": [{"contact_id": "c-new", "occurred_at": "2025-03-02T00:00:00+00:00"}]
    }
    fake.start()
    try:
        report = sync_emailoctopus(client=client_for(fake), now=NOW)
    finally:
        fake.stop()
    assert list(report["campaigns_failed"]) == [broken["id"]]
    assert "TypeError" in report["campaigns_failed"][broken["id"]]
    assert report["participants_created"] > 0  # the other campaigns were synced
    assert any(key.startswith("(no id)") for key in report["campaigns_skipped"])
