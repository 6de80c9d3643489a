import itertools
from datetime import UTC, datetime

import pytest
from bson import ObjectId

from participants import transform
from participants.documents import Participant
from participants.fields import parse_number, transform_fields
from participants.person import PersonMerge, merge_person
from participants.transform import quarantine_reason


def row(days, *, campaign="c-1", email="Ann.Lee@Example.com", fields=None, **extra):
    doc = {
        "_id": ObjectId(f"{days:024x}"),
        "campaign_id": campaign,
        "contact_id": f"eo-{days}",
        "email_address": email,
        "engagement": {"opened": True, "clicked": False},
        "fields": fields if fields is not None else {"FirstName": "Ann"},
        "status": "SUBSCRIBED",
        "synced_at": datetime(2024, 1, days),
    }
    doc.update(extra)
    return doc


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$1,234.50", 1234.5),
        ("12,400", 12400.0),
        (" 12,400 kWh ", 12400.0),
        ("(12.50)", -12.5),
        ("-3", -3.0),
        (".5", 0.5),
        (42, 42.0),
        (3.25, 3.25),
        ("n/a", None),
        ("", None),
        ("1.2.3", None),
        ("about 40", None),
        (None, None),
        (True, None),
        (float("nan"), None),
        ("nan", None),
    ],
)
def test_parse_number(raw, expected):
    assert parse_number(raw) == expected


def test_transform_fields_types_known_fields_and_keeps_unknown_ones_as_they_came():
    fields = transform_fields(
        {
            " firstname ": "  Ann   Marie ",
            "LastName": "Lee",
            "Address": "12  North Main Street, Apt 3",
            "City": " boston ",
            "ZIP": 2134,
            "Phone": "(212) 555-0134",
            "kWh": "12,400",
            "annualcost": "$1,234.50",
            "AnnualSavings": "n/a",
            "HeardFrom": "  Flyer ",
            "Renter": ["yes"],
            "Empty": "   ",
            "Nothing": None,
        }
    )
    assert fields == {
        "FirstName": "Ann Marie",
        "LastName": "Lee",
        "Address": "12 North Main Street, Apt 3",
        "City": "boston",
        "ZIP": "2134",
        "zip5": "02134",
        "Phone": "(212) 555-0134",
        "kWh": "12,400",
        "kwh_value": 12400.0,
        "annualcost": "$1,234.50",
        "annual_cost_value": 1234.5,
        "AnnualSavings": "n/a",
        "HeardFrom": "  Flyer ",
        "Renter": ["yes"],
    }


@pytest.mark.parametrize(
    ("zip_code", "zip5"),
    [("02134-1234", "02134"), ("021341234", "02134"), ("7001", "07001"), ("abc", None)],
)
def test_zip_is_normalised_next_to_the_raw_value(zip_code, zip5):
    fields = transform_fields({"ZIP": zip_code})
    assert fields["ZIP"] == zip_code
    assert fields.get("zip5") == zip5


def test_numbers_given_as_numbers_stay_numbers():
    fields = transform_fields({"kWh": 9800, "annualcost": 1500.25, "ZIP": 2134.0})
    assert fields["kWh"] == 9800
    assert fields["kwh_value"] == 9800.0
    assert fields["annual_cost_value"] == 1500.25
    assert fields["ZIP"] == "2134"


def test_stored_shape_loads_as_a_participant_document():
    merged = merge_person([row(1, fields={"FirstName": "Ann", "kWh": "1,200", "Pets": 2})])
    participant = Participant._from_son({k: v for k, v in merged.items() if v is not None})
    assert participant.fields.first_name == "Ann"
    assert participant.fields.kwh == "1,200"
    assert participant.fields.kwh_value == 1200.0
    assert participant.fields.Pets == 2
    assert participant.engagements[0].opened is True
    assert participant.totals.sent == 1


def test_merge_across_campaigns_latest_non_empty_value_wins_and_history_keeps_the_rest():
    docs = [
        row(1, campaign="c-1", fields={"FirstName": "Ann", "City": "Boston", "ZIP": "02134"}),
        row(2, campaign="c-2", fields={"FirstName": "Ann", "City": "Cambridge", "ZIP": " "}),
        row(
            3,
            campaign="c-3",
            email="  ann.lee@example.COM ",
            fields={"City": "", "FirstName": "Annie"},
            status="UNSUBSCRIBED",
            engagement={"opened": "true", "clicked": 1, "unsubscribed": "yes"},
        ),
    ]
    merged = merge_person(docs)

    assert merged["contact_id"] == "ann.lee@example.com"
    assert merged["email_address"] == "ann.lee@example.com"
    assert merged["fields"]["City"] == "Cambridge"  # the later empty City does not erase it
    assert merged["fields"]["ZIP"] == "02134"
    assert merged["fields"]["zip5"] == "02134"
    assert merged["fields"]["FirstName"] == "Annie"
    assert merged["status"] == "UNSUBSCRIBED"
    assert merged["synced_at"] == datetime(2024, 1, 3)
    assert [(c["field"], c["value"], c["campaign_id"]) for c in merged["field_history"]] == [
        ("City", "Boston", "c-1"),
        ("FirstName", "Ann", "c-2"),  # "Ann" was seen in c-1 and c-2: kept once, latest row
    ]
    assert merged["field_history"][0]["source_id"] == docs[0]["_id"]
    assert [e["campaign_id"] for e in merged["engagements"]] == ["c-1", "c-2", "c-3"]
    assert [e["source_id"] for e in merged["engagements"]] == [d["_id"] for d in docs]
    assert merged["engagements"][2]["eo_contact_id"] == "eo-3"
    assert merged["engagements"][2]["engaged_at"] == datetime(2024, 1, 3)
    assert merged["totals"] == {
        "sent": 3,
        "opened": 3,
        "clicked": 1,
        "bounced": 0,
        "complained": 0,
        "unsubscribed": 1,
    }
    assert "annie" in merged["search_text"] and "cambridge" in merged["search_text"]


def test_merge_does_not_depend_on_read_order():
    docs = [
        row(1, fields={"City": "Boston"}),
        row(2, fields={"City": "Cambridge"}, campaign="c-2"),
        row(2, fields={"City": "Quincy"}, campaign="c-3", _id=ObjectId("f" * 24)),
    ]
    results = [merge_person(order) for order in itertools.permutations(docs)]
    assert all(result == results[0] for result in results)
    assert results[0]["fields"]["City"] == "Quincy"  # same synced_at: the higher _id wins


def test_a_value_that_lost_once_but_wins_in_the_end_is_not_history():
    merged = merge_person(
        [
            row(1, fields={"City": "Boston"}),
            row(2, fields={"City": "Cambridge"}),
            row(3, fields={"City": "Boston"}),
        ]
    )
    assert merged["fields"]["City"] == "Boston"
    assert [(c["field"], c["value"]) for c in merged["field_history"]] == [("City", "Cambridge")]


def test_stored_values_win_when_later_and_otherwise_only_fill_gaps_or_go_to_history():
    stored = {
        "contact_id": "ann.lee@example.com",
        "status": "UNSUBSCRIBED",
        "fields": {"City": "Salem", "HouseholdSize": 3, "ZIP": "01970", "zip5": "01970"},
        "field_history": [{"field": "City", "value": "Lynn", "synced_at": datetime(2024, 1, 5)}],
        "synced_at": datetime(2024, 1, 9),
    }

    def merged(*, current_wins):
        person = PersonMerge("ann.lee@example.com")
        person.add(row(2, fields={"City": "Boston", "ZIP": "2134"}))
        person.add_stored(stored, current_wins=current_wins)
        return person.result()

    later = merged(current_wins=True)
    assert later["fields"] == {"City": "Salem", "HouseholdSize": 3, "ZIP": "01970", "zip5": "01970"}
    assert later["status"] == "UNSUBSCRIBED"
    assert later["synced_at"] == datetime(2024, 1, 9)
    assert {(c["field"], c["value"]) for c in later["field_history"]} == {
        ("City", "Boston"),
        ("City", "Lynn"),
        ("ZIP", "2134"),
    }

    below = merged(current_wins=False)
    assert below["fields"] == {"City": "Boston", "HouseholdSize": 3, "ZIP": "2134", "zip5": "02134"}
    assert below["status"] == "SUBSCRIBED"
    salem = next(c for c in below["field_history"] if c["value"] == "Salem")
    assert salem == {"field": "City", "value": "Salem", "synced_at": datetime(2024, 1, 9)}
    assert {(c["field"], c["value"]) for c in below["field_history"]} == {
        ("City", "Lynn"),
        ("City", "Salem"),
        ("ZIP", "01970"),
    }


def test_phone_only_person_is_keyed_by_e164_phone():
    merged = merge_person([row(1, email=None, fields={"Phone": "212.555.0134"})])
    assert merged["contact_id"] == "+12125550134"
    assert merged["phone_number"] == "+12125550134"
    assert merged["email_address"] is None


def test_merge_refuses_rows_of_two_people():
    with pytest.raises(ValueError):
        merge_person([row(1), row(2, email="someone.else@example.com")])


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"campaign_id": None}, transform.MISSING_CAMPAIGN_ID),
        ({"campaign_id": "   "}, transform.MISSING_CAMPAIGN_ID),
        ({"engagement": None}, transform.MISSING_ENGAGEMENT),
        ({"engagement": "opened"}, transform.INVALID_ENGAGEMENT),
        ({"engagement": {"opened": "maybe"}}, transform.INVALID_ENGAGEMENT),
        ({"fields": "FirstName=Ann"}, transform.FIELDS_NOT_DICT),
        ({"email_address": "ann.lee@", "fields": {}}, transform.INVALID_EMAIL),
        ({"email_address": None, "fields": {"Phone": "555"}}, transform.MISSING_CONTACT),
        ({"email_address": "", "fields": {}}, transform.MISSING_CONTACT),
    ],
)
def test_quarantine_reasons(changes, reason):
    doc = row(1)
    doc.update(changes)
    if changes.get("engagement", "") is None:
        del doc["engagement"]
    found, detail = quarantine_reason(doc)
    assert found == reason
    assert detail


def test_valid_rows_have_no_quarantine_reason():
    assert quarantine_reason(row(1)) is None
    assert quarantine_reason(row(1, email=None, fields={"Phone": "(212) 555-0134"})) is None
    assert quarantine_reason(row(1, fields=None)) is None  # no custom fields at all is fine


def test_same_fields_compares_what_is_stored_not_how_it_is_written():
    keys = ("fields", "synced_at", "status")
    stored = {"fields": {"City": "Newark", "ZIP": "07103"}, "synced_at": datetime(2025, 6, 25, 19)}
    # Key order, a None value and a time zone (the same instant) are not stored differences.
    alike = {
        "status": None,
        "synced_at": datetime(2025, 6, 25, 19, tzinfo=UTC),
        "fields": {"ZIP": "07103", "City": "Newark"},
    }
    assert transform.same_fields(alike, stored, keys)
    assert transform.same_fields(dict(stored), stored, keys)
    # A value, its type, or a key outside `keys` changed.
    assert not transform.same_fields({**stored, "fields": {"City": "Newark"}}, stored, keys)
    assert not transform.same_fields({**stored, "status": 1}, {**stored, "status": 1.0}, keys)
    assert transform.same_fields({**stored, "other": 1}, stored, keys)
