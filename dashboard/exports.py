"""Rows of the participants CSV export, read straight from raw documents (no object building),
and the record of each export (who, when, which filter, how many rows).

The values are as stored; `empowersave.csv_download` writes them (and guards formula cells).
"""

from dashboard.models import ParticipantExport
from empowersave.adapters import filter_parameter_names
from participants.documents import EngagementFlag
from participants.person import whole_fields
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
    "originals",
)


def csv_rows(queryset, *, names, campaign_id=None):
    """One row per participant; with `campaign_id`, the engagement columns count that campaign.

    `names` is `participants.presenters.campaign_names()`: campaigns are listed by name.
    """
    for doc in queryset.only(*PROJECTION).as_pymongo():
        fields = whole_fields(doc)  # a value stored shortened is exported whole
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


def filter_parameters(form):
    """The query parameters a filter form reads, as sent: only its own, only non-empty ones."""
    return {name: form.data[name] for name in filter_parameter_names(form) if form.data.get(name)}


def recorded_export(rows, *, user, filters, clock):
    """`rows`, with the export on record: a `ParticipantExport` row is written now, before the
    first row leaves, and completed with the row count when the rows run out or are closed."""
    record = ParticipantExport.objects.create(user=user, created_at=clock(), filters=filters)
    return _CountedRows(rows, record_id=record.pk, clock=clock)


class _CountedRows:
    """An iterator over `rows` that writes how many it gave out once they end or it is closed."""

    def __init__(self, rows, *, record_id, clock):
        self._rows = iter(rows)
        self._record_id = record_id
        self._clock = clock
        self._sent = 0
        self._finished = False

    def __iter__(self):
        return self

    def __next__(self):
        try:
            row = next(self._rows)
        except StopIteration:
            self._finish(completed=True)
            raise
        self._sent += 1
        return row

    def close(self):
        """Called when the response closes (also when the client went away mid-download)."""
        self._finish(completed=False)

    def _finish(self, *, completed):
        if not self._finished:
            self._finished = True
            ParticipantExport.objects.filter(pk=self._record_id).update(
                rows=self._sent, completed=completed, finished_at=self._clock()
            )
