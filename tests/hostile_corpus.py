"""A hostile source corpus: every kind of malformed row issue 10 found, and wrong types in every
field (not a test module; tests/migration/test_hostile_corpus.py runs it through the commands and
every page).

Each row names the person it should become (`expect`: a contact_id) or the quarantine reason
it should get; the rows are stored without that key.
"""

import uuid
from datetime import UTC, datetime

from bson import Binary, Decimal128, Int64, ObjectId, Regex
from bson.code import Code
from bson.max_key import MaxKey
from bson.min_key import MinKey
from bson.timestamp import Timestamp

MEGABYTE = 1_000_000
HUGE_HOUSE_NUMBER = "9" * 100_000
FLAGS = {"opened": True, "clicked": False, "bounced": False, "complained": False}


def _row(_id, email, *, campaign="HOSTILE-1", fields=None, **overrides):
    row = {
        "_id": _id,
        "campaign_id": campaign,
        "contact_id": f"eo-{email}",
        "email_address": email,
        "engagement": dict(FLAGS),
        "fields": fields if fields is not None else {"FirstName": "Pat", "Address": "1 Main St"},
        "status": "SUBSCRIBED",
        "synced_at": datetime(2024, 5, 1, 9, 30),
    }
    row.update(overrides)
    return row


def _wrong_types():
    """A value of a wrong type in every top-level field and every known custom field."""
    odd = [{"$gt": ""}, ["a", "b"], 12.5, True, None, b"\x00\xff", Regex("^a"), Decimal128("1.5")]
    rows = []
    for n, value in enumerate(odd):
        email = f"types{n}@example.org"
        fields = {
            "FirstName": value,
            "LastName": value,
            "Address": value,
            "City": value,
            "ZIP": value,
            "Phone": value,
            "kWh": value,
            "annualcost": value,
            "AnnualSavings": value,
        }
        rows.append(
            _row(
                f"types-{n}",
                email,
                fields=fields,
                contact_id=value,
                status=value,
                synced_at=value,
                expect=email,
            )
        )
    return rows


def hostile_rows():
    """The corpus: (row, expected) where expected is a contact_id or a quarantine reason."""
    rows = [
        # Every BSON `_id` type: ObjectId, string, integers, document, binary, UUID, others.
        _row(ObjectId(), "oid@example.org", expect="oid@example.org"),
        _row("id-as-text", "text@example.org", expect="text@example.org"),
        _row(42, "int@example.org", expect="int@example.org"),
        _row(Int64(2**62), "int64@example.org", expect="int64@example.org"),
        _row({"a": 1, "b": [1, 2]}, "doc-id@example.org", expect="doc-id@example.org"),
        _row({"a": 1, "b": [1, 2], "c": {}}, "doc-id@example.org", expect="doc-id@example.org"),
        _row(Binary(b"\x00\x01\x02", 0), "bin@example.org", expect="bin@example.org"),
        _row(Binary(b"\x03\x04", 128), "bin128@example.org", expect="bin128@example.org"),
        _row(uuid.UUID(int=7), "uuid@example.org", expect="uuid@example.org"),
        _row(1.5, "float-id@example.org", expect="float-id@example.org"),
        _row(Decimal128("2.5"), "dec-id@example.org", expect="dec-id@example.org"),
        _row(datetime(2020, 1, 1), "date-id@example.org", expect="date-id@example.org"),
        _row(True, "bool-id@example.org", expect="bool-id@example.org"),
        _row(Timestamp(1, 1), "ts-id@example.org", expect="ts-id@example.org"),
        _row(MinKey(), "minkey@example.org", expect="minkey@example.org"),
        _row(MaxKey(), "maxkey@example.org", expect="maxkey@example.org"),
        _row(Code("f()"), "code-id@example.org", expect="code-id@example.org"),
        # campaign_id that is not an identifier.
        _row("camp-dict", "cd@example.org", campaign={"$gt": ""}, expect="MISSING_CAMPAIGN_ID"),
        _row("camp-list", "cl@example.org", campaign=["a", "b"], expect="MISSING_CAMPAIGN_ID"),
        _row("camp-long", "cg@example.org", campaign="c" * 10_000, expect="INVALID_CAMPAIGN_ID"),
        _row("camp-slash", "cs@example.org", campaign="a/b?c#d", expect="cs@example.org"),
        _row("camp-markup", "cm@example.org", campaign="<b>x</b>", expect="cm@example.org"),
        _row("camp-int", "ci@example.org", campaign=7, expect="ci@example.org"),
        # An address with a 100,000-digit house number, a megabyte name.
        _row(
            "huge-number",
            "number@example.org",
            fields={"FirstName": "Num", "Address": f"{HUGE_HOUSE_NUMBER} Main St", "ZIP": "1104"},
            expect="number@example.org",
        ),
        _row(
            "huge-name",
            "huge@example.org",
            fields={"FirstName": "x" * MEGABYTE, "LastName": "Lee", "Address": "1 Main St"},
            expect="huge@example.org",
        ),
        # Custom-field names MongoDB, MongoEngine or templates cannot take as they are.
        _row(
            "odd-keys",
            "keys@example.org",
            fields={
                "FirstName": "Keys",
                "$where": "sleep(1)",
                "a.b": 1,
                "$": 3,
                "%24where": "looks escaped",
                "": "empty name",
                "zip5": {"not": "a zip"},
                "kwh_value": "not a number",
                "_cls": "Nope",
                "to_mongo": 1,
                "first_name": "shadow",
                "__class__": 2,
                "<script>alert(1)</script>": "<b>x</b>",
            },
            expect="keys@example.org",
        ),
        # Deep nesting and a wide document in a custom field.
        _row(
            "deep",
            "deep@example.org",
            fields={
                "FirstName": "Deep",
                "Nested": _nested(90),
                "Wide": {f"k{i}": i for i in range(2000)},
            },
            expect="deep@example.org",
        ),
        # Markup everywhere it could be shown.
        _row(
            "markup",
            "markup@example.org",
            fields={
                "FirstName": "<b>bold</b>",
                "LastName": "<script>alert(1)</script>",
                "Address": '<img src=x onerror="alert(1)">',
                "City": "</td></tr></table>",
            },
            status="<i>x</i>",
            expect="markup@example.org",
        ),
        # Contacts that are not contacts.
        _row("email-dict", {"$ne": None}, expect="INVALID_EMAIL"),
        _row("email-long", "a" * MEGABYTE + "@example.org", expect="INVALID_EMAIL"),
        _row(
            "phone-long",
            None,
            fields={"Phone": "5" * 100_000, "FirstName": "Ph"},
            expect="MISSING_CONTACT",
        ),
        # Engagements and fields of the wrong shape.
        _row(
            "eng-dict",
            "ed@example.org",
            engagement={"opened": {"$gt": 1}},
            expect="INVALID_ENGAGEMENT",
        ),
        _row("eng-list", "el@example.org", engagement=[1, 2], expect="INVALID_ENGAGEMENT"),
        _row("fields-list", "fl@example.org", fields=[1, 2], expect="FIELDS_NOT_DICT"),
        _row("fields-text", "ft@example.org", fields="FirstName=Pat", expect="FIELDS_NOT_DICT"),
        _row("no-engagement", "ne@example.org", engagement=None, expect="MISSING_ENGAGEMENT"),
        *_wrong_types(),
    ]
    rows.append(
        _row(
            "synced-late",
            "late@example.org",
            synced_at=datetime(9999, 12, 31, tzinfo=UTC).replace(tzinfo=None),
            expect="late@example.org",
        )
    )
    return rows


def _nested(depth):
    value = "bottom"
    for level in range(depth):
        value = {f"level{level}": value}
    return value


def stored_rows():
    """The rows as the source holds them (without `expect`), and {source _id key: expected}."""
    rows, expected = [], []
    for row in hostile_rows():
        row = dict(row)
        expected.append(row.pop("expect"))
        rows.append(row)
    return rows, expected
