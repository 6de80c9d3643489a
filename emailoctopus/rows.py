"""EmailOctopus report rows → documents shaped like the legacy source rows.

The old app stored one document per (campaign, contact) in `emailoctopus_db.participants`. The
sync builds the same shape from the API (report rows for the flags, the list contact for the
custom fields), so the migration's validation, identity rule and field transform apply to API
data unchanged.
"""

from datetime import UTC, datetime

from participants.documents import EngagementFlag
from participants.transform import id_text

SOURCE_ID_PREFIX = "api"


class ApiRowProblem:
    """Quarantine reasons for report rows that never reach the migration's validation."""

    MISSING_CONTACT_ID = "API_MISSING_CONTACT_ID"
    BAD_OCCURRED_AT = "API_BAD_OCCURRED_AT"


def api_source_id(campaign_id, eo_contact_id):
    """Quarantine key of an API row: unique per (campaign, contact), never an ObjectId."""
    return f"{SOURCE_ID_PREFIX}:{campaign_id}:{eo_contact_id}"


def parse_timestamp(raw):
    """ISO 8601 from the API → aware UTC datetime; None when absent or unreadable."""
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str) and raw.strip():
        try:
            value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def is_api_source_id(source_id):
    """Whether a source id is an API row's (`api_source_id`), not a source row's `_id`."""
    return isinstance(source_id, str) and source_id.startswith(f"{SOURCE_ID_PREFIX}:")


def report_contact_id(row):
    """The EmailOctopus contact id of a report row, as text; None when it has no usable one (a
    missing, empty or over-long id, or one that is not text or a number)."""
    return id_text(row.get("contact_id")) if isinstance(row, dict) else None


def row_problem(row):
    """(reason, detail) when a report row is unusable before any identity check, else None."""
    if report_contact_id(row) is None:
        return ApiRowProblem.MISSING_CONTACT_ID, "report row has no usable contact_id"
    if parse_timestamp(row.get("occurred_at")) is None:
        return (
            ApiRowProblem.BAD_OCCURRED_AT,
            f"occurred_at {row.get('occurred_at')!r} is not an ISO 8601 time",
        )
    return None


class SourceRow:
    """One (campaign, contact) being built from the report rows of several statuses."""

    __slots__ = ("campaign_id", "eo_contact_id", "email", "flags", "occurred_at", "contact")

    def __init__(self, *, campaign_id, eo_contact_id, email, contact=None):
        self.campaign_id = campaign_id
        self.eo_contact_id = eo_contact_id
        self.email = email  # from the report row; the list contact's, once known, wins
        self.flags = dict.fromkeys(EngagementFlag.ALL, False)
        self.occurred_at = None
        self.contact = contact

    def add(self, *, status, occurred_at):
        """Record one report row; flags only ever turn on, `occurred_at` keeps the latest."""
        if status in self.flags:
            self.flags[status] = True
        if self.occurred_at is None or occurred_at > self.occurred_at:
            self.occurred_at = occurred_at

    def as_source_document(self):
        """The legacy source shape; `synced_at` is when the contact's fields were last updated.

        `occurred_at` (the latest event) becomes the engagement's `engaged_at`; the contact's
        `last_updated_at` dates its custom fields, which is what "latest value wins" compares.
        """
        contact = self.contact or {}
        fields_at = parse_timestamp(contact.get("last_updated_at")) or parse_timestamp(
            contact.get("created_at")
        )
        status = contact.get("status")
        return {
            "_id": api_source_id(self.campaign_id, self.eo_contact_id),
            "campaign_id": self.campaign_id,
            "contact_id": self.eo_contact_id,
            "email_address": contact.get("email_address") or self.email,
            "engagement": dict(self.flags),
            "fields": contact.get("fields", {}),
            "status": status.upper() if isinstance(status, str) else status,
            "synced_at": fields_at or self.occurred_at,
            "occurred_at": self.occurred_at,
        }

    def as_flags_document(self):
        """The row for an engagement we already hold: flags and time only.

        It goes to the participant that holds the engagement, whatever email the contact has
        now; without email, status or fields it changes nothing but the engagement, so the
        list contacts need not be fetched for it.
        """
        return {
            "_id": api_source_id(self.campaign_id, self.eo_contact_id),
            "campaign_id": self.campaign_id,
            "contact_id": self.eo_contact_id,
            "email_address": None,
            "engagement": dict(self.flags),
            "fields": {},
            "status": None,
            "synced_at": self.occurred_at,
            "occurred_at": self.occurred_at,
        }
