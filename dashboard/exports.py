"""Rows of the participants CSV export, read straight from raw documents (no object building)."""

from participants.documents import EngagementFlag

CSV_HEADER = (
    "contact_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "city",
    "zip",
    "county",
    "parcel_id",
    "parcel_address",
    "match_quality",
    "match_score",
    "match_method",
    "annual_kwh_cost",
    "energy_burden",
    "campaigns",
    *(flag for flag in EngagementFlag.ALL),
)
PROJECTION = (
    "contact_id",
    "email_address",
    "phone_number",
    "fields",
    "engagements",
    "residence_ref",
    "demographic_ref",
    "match.quality",
    "match.score",
    "match.method",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """Text that a spreadsheet would run as a formula is quoted; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return "" if value is None else value


def csv_rows(queryset, *, campaign_id=None):
    """One row per participant; with `campaign_id`, the engagement columns count that campaign."""
    for doc in queryset.only(*PROJECTION).as_pymongo():
        fields = doc.get("fields") or {}
        residence = doc.get("residence_ref") or {}
        demographic = doc.get("demographic_ref") or {}
        match = doc.get("match") or {}
        engagements = [
            e
            for e in doc.get("engagements") or []
            if campaign_id is None or e.get("campaign_id") == campaign_id
        ]
        row = (
            doc.get("contact_id"),
            fields.get("FirstName"),
            fields.get("LastName"),
            doc.get("email_address"),
            doc.get("phone_number"),
            fields.get("Address"),
            fields.get("City"),
            fields.get("zip5"),
            residence.get("county"),
            residence.get("parcel_id"),
            residence.get("address"),
            match.get("quality"),
            match.get("score"),
            match.get("method"),
            demographic.get("annual_kwh_cost"),
            demographic.get("total_energy_burden"),
            len(engagements),
            *(sum(1 for e in engagements if e.get(flag)) for flag in EngagementFlag.ALL),
        )
        yield [_cell(value) for value in row]
