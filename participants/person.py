"""One person's participant, merged from all their source rows (and what is stored of them).

Pure, like participants.transform: the migration streams each person's rows through
`PersonMerge`, the API sync feeds it the stored participant and its new rows, so a person built
from the same rows is the same document whichever path built it.
"""

from datetime import datetime

from participants.fields import DERIVED_FIELD_KEYS, typed_fields
from participants.transform import (
    Row,
    contact_id_of,
    engagement_sort_key,
    engagement_totals,
    search_text_for,
    stored_time,
    utc_naive,
)


def _value_key(value):
    """A hashable stand-in for a field value (unknown custom fields may hold lists or dicts)."""
    try:
        hash(value)
    except TypeError:
        return ("unhashable", repr(value))
    return (type(value).__name__, value)


# `_id` of a stored participant's current values fed back as a row: it ranks them above any row
# of the same instant (ties keep them).
STORED_VALUES_ID = "\uffff"
# The rank of values that only fill what no row has (below every row).
LOWEST_RANK = (datetime.min, "")


class PersonMerge:
    """Accumulates one person's source rows in any order; `result()` does not depend on it.

    Rows are ranked by (synced_at, _id). For every field the top-ranked non-empty value wins;
    each other distinct value is kept once in `field_history`, with the latest row that had it.
    Memory: one small tuple per row plus one entry per distinct field value, not the rows.
    """

    __slots__ = (
        "contact_id",
        "engagements",
        "winners",
        "losers",
        "status",
        "email",
        "phone",
        "stored_synced_at",
    )

    def __init__(self, contact_id):
        self.contact_id = contact_id
        self.engagements = []
        self.winners = {}  # field → (rank, value, source_id, campaign_id, synced_at)
        self.losers = {}  # (field, value key) → same tuple
        self.status = None  # (rank, status)
        self.email = None  # (rank, email)
        self.phone = None  # (rank, phone)
        self.stored_synced_at = None  # set by add_stored: a person's synced_at never goes back

    def add(self, doc, row=None):
        """Add one source row (pass its `parse_row` result when you have it).

        Rows that `parse_row` would reject are read leniently (broken parts as empty).
        """
        if row is None:
            row = Row(doc, strict=False)
        self.engagements.append(row.engagement())
        self._add_values(row)

    def add_stored(self, participant, *, current_wins=True):
        """Feed a stored participant's values back in, as rows without engagements.

        Its current fields, status and email become one row: with `current_wins`, ranked at
        its `synced_at` above any row of that same instant, so they win over every row that is
        not later; without, ranked below every row, so they only fill fields no row has and
        otherwise go to the history. Its `field_history` entries go to the history as recorded
        (value, source, campaign, time): they lost to the current values once and never win.
        Derived keys (zip5, ...) are left out: `result()` derives them again. Feeding the same
        participant twice changes nothing.
        """
        synced_at = stored_time(participant.get("synced_at"))
        values = {
            "_id": STORED_VALUES_ID,
            "email_address": participant.get("email_address"),
            "status": participant.get("status"),
            "fields": {
                key: value
                for key, value in (participant.get("fields") or {}).items()
                if key not in DERIVED_FIELD_KEYS
            },
            "synced_at": synced_at,
        }
        current = Row(values, strict=False)
        self._add_values(current, rank=None if current_wins else LOWEST_RANK)
        if synced_at is not None:
            self.stored_synced_at = max(synced_at, self.stored_synced_at or synced_at)
        for change in participant.get("field_history") or ():
            past = {
                "_id": change.get("source_id"),
                "campaign_id": change.get("campaign_id"),
                "fields": {change["field"]: change.get("value")},
                "synced_at": change.get("synced_at"),
            }
            self._add_past(Row(past, strict=False))

    def latest_at(self):
        """The latest `engaged_at` of the engagements added so far (None when there is none)."""
        synced = [e["engaged_at"] for e in self.engagements if e.get("engaged_at") is not None]
        return max(synced, key=utc_naive) if synced else None

    def _add_values(self, row, *, rank=None):
        """Let the row's values compete, at its own rank unless `rank` is given."""
        rank = rank or row.rank
        for field, value in row.fields.items():
            entry = (rank, value, row.source_id, row.campaign_id, row.synced_at)
            current = self.winners.get(field)
            if current is None:
                self.winners[field] = entry
                continue
            if rank > current[0]:
                self.winners[field], entry = entry, current
            key = (field, _value_key(entry[1]))
            previous = self.losers.get(key)
            if previous is None or entry[0] > previous[0]:
                self.losers[key] = entry
        if row.status is not None and (self.status is None or rank > self.status[0]):
            self.status = (rank, row.status)
        if row.email is not None and (self.email is None or rank > self.email[0]):
            self.email = (rank, row.email)
        if row.phone is not None and (self.phone is None or rank > self.phone[0]):
            self.phone = (rank, row.phone)

    def _add_past(self, row):
        """Add the row's values to the history only (the latest row of each value is kept)."""
        for field, value in row.fields.items():
            key = (field, _value_key(value))
            previous = self.losers.get(key)
            if previous is None or row.rank > previous[0]:
                self.losers[key] = (row.rank, value, row.source_id, row.campaign_id, row.synced_at)

    def result(self):
        """The migration-owned fields of this person's participant document."""
        cleaned = {field: entry[1] for field, entry in sorted(self.winners.items())}
        fields = typed_fields(cleaned)
        history = []
        for (field, value_key), entry in self.losers.items():
            if field in cleaned and value_key == _value_key(cleaned[field]):
                continue  # it lost once but won in the end
            _rank, value, source_id, campaign_id, synced_at = entry
            if source_id == STORED_VALUES_ID:
                source_id = None  # a stored value that lost: it came from no source row
            change = {
                "field": field,
                "value": value,
                "source_id": source_id,
                "campaign_id": campaign_id,
                "synced_at": synced_at,
            }
            history.append({key: item for key, item in change.items() if item is not None})
        history.sort(key=_change_sort_key)
        engagements = sorted(self.engagements, key=engagement_sort_key)
        email = self.email[1] if self.email else None
        phone = self.phone[1] if self.phone else None
        synced = [moment for moment in (self.latest_at(), self.stored_synced_at) if moment]
        document = {
            "contact_id": self.contact_id,
            "email_address": email,
            "phone_number": phone,
            "status": self.status[1] if self.status else None,
            "fields": fields,
            "field_history": history,
            "engagements": engagements,
            "totals": engagement_totals(engagements),
            "synced_at": max(synced, key=utc_naive) if synced else None,
            "search_text": search_text_for(fields=fields, email_address=email, phone_number=phone),
        }
        return document


def _change_sort_key(change):
    """Field, time, source row; then the value, for entries fed back without a source row."""
    return (
        change["field"],
        utc_naive(change.get("synced_at")),
        str(change.get("source_id") or ""),
        repr(change.get("value")),
    )


def merge_person(source_docs):
    """One participant (migration-owned fields) from all valid source rows of one person."""
    docs = list(source_docs)
    if not docs:
        raise ValueError("merge_person needs at least one source document")
    person = PersonMerge(contact_id_of(docs[0]))
    for doc in docs:
        if contact_id_of(doc) != person.contact_id:
            raise ValueError("merge_person got rows of more than one person")
        person.add(doc)
    return person.result()
