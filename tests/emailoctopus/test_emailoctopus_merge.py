"""Merging API rows into a stored participant (pure functions, no database)."""

from datetime import UTC, datetime

from bson import ObjectId

from emailoctopus.merge import merge_participant
from emailoctopus.rows import SourceRow
from participants.person import merge_person

CAMPAIGN = "camp-1"


def migrated(**fields):
    return merge_person(
        [
            {
                "_id": ObjectId("650000000000000000000001"),
                "campaign_id": CAMPAIGN,
                "contact_id": None,
                "email_address": "ana@example.com",
                "engagement": {"opened": False},
                "fields": fields,
                "status": "SUBSCRIBED",
                "synced_at": datetime(2025, 3, 10, 12, 0),
            }
        ]
    )


def api_row(*, status="opened", updated_at, occurred_at, **fields):
    row = SourceRow(
        campaign_id=CAMPAIGN,
        eo_contact_id="eo-1",
        email="ana@example.com",
        contact={
            "id": "eo-1",
            "email_address": "ana@example.com",
            "fields": fields,
            "status": "subscribed",
            "last_updated_at": updated_at,
        },
    )
    row.add(status=status, occurred_at=occurred_at)
    return row.as_source_document()


def test_an_engagement_migrated_without_contact_id_is_adopted_not_duplicated():
    stored = migrated(City="Springfield")
    row = api_row(
        updated_at="2025-01-01T00:00:00+00:00",
        occurred_at=datetime(2025, 3, 2, 9, 0, tzinfo=UTC),
        City="Springfield",
    )

    merged, changes = merge_participant(stored, [row])

    (engagement,) = merged["engagements"]
    assert engagement["source_id"] == ObjectId("650000000000000000000001")
    assert engagement["eo_contact_id"] == "eo-1"
    assert engagement["opened"] is True
    assert engagement["engaged_at"] == datetime(2025, 3, 10, 12, 0)  # the later of the two
    assert changes.engagements_updated == [(CAMPAIGN, "eo-1")]
    assert changes.engagements_added == []
    assert merged["totals"]["opened"] == 1


def test_an_older_contact_value_loses_and_is_kept_once_in_the_history():
    stored = migrated(City="Springfield", ZIP="01101")
    row = api_row(
        updated_at="2025-01-01T00:00:00+00:00",
        occurred_at=datetime(2025, 3, 2, 9, 0, tzinfo=UTC),
        City="Sprngfield",
        ZIP="01101",
    )

    merged, changes = merge_participant(stored, [row])
    again, changes_again = merge_participant({**stored, **merged}, [row])

    assert merged["fields"]["City"] == "Springfield"
    assert merged["field_history"] == [
        {
            "field": "City",
            "value": "Sprngfield",
            "campaign_id": CAMPAIGN,
            "synced_at": datetime(2025, 1, 1, 0, 0),
        }
    ]
    assert not changes.address_changed
    assert not changes_again.changed
    assert again["field_history"] == merged["field_history"]


def test_a_newer_contact_value_wins_and_the_stored_one_goes_to_the_history():
    stored = migrated(City="Springfield", FirstName="Ana")
    row = api_row(
        updated_at="2025-06-01T00:00:00+00:00",
        occurred_at=datetime(2025, 6, 2, 9, 0, tzinfo=UTC),
        City="Chicopee",
        FirstName="",
    )

    merged, changes = merge_participant(stored, [row])

    assert merged["fields"]["City"] == "Chicopee"
    assert merged["fields"]["FirstName"] == "Ana"  # an empty value never wins
    assert [(h["field"], h["value"]) for h in merged["field_history"]] == [("City", "Springfield")]
    assert "source_id" not in merged["field_history"][0]
    assert changes.address_changed
    assert changes.fields_changed == {"City"}
    assert merged["search_text"] == "ana ana@example.com chicopee"
