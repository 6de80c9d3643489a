"""Rows of the participants CSV export, read straight from raw documents (no object building).

The values are as stored; `empowersave.csv_download` writes them (and guards formula cells).
"""

from participants.documents import EngagementFlag
from participants.presenters import campaign_label

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
    "campaign_names",
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


def csv_rows(queryset, *, names, campaign_id=None):
    """One row per participant; with `campaign_id`, the engagement columns count that campaign.

    `names` is `participants.presenters.campaign_names()`: campaigns are listed by name.
    """
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
            "; ".join(
                dict.fromkeys(campaign_label(e.get("campaign_id"), names) for e in engagements)
            ),
            *(sum(1 for e in engagements if e.get(flag)) for flag in EngagementFlag.ALL),
        )
        yield row
