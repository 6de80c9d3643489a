"""One person's participant, merged from all their source rows (and what is stored of them).

Pure, like participants.transform: the migration streams each person's rows through
`PersonMerge`, the API sync feeds it the stored participant and its new rows, so a person built
from the same rows is the same document whichever path built it.
"""

from datetime import datetime

from empowersave.storekeys import escape_keys, unescape_key, unescape_keys
from participants.fields import DERIVED_FIELD_KEYS, shortened, stored_key, typed_fields, value_size
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
    """A hashable stand-in for a field value (unknown custom fields may hold lists or dicts);
    equal for equal values, NaN included."""
    if isinstance(value, float):
        return ("float", repr(value))
    try:
        hash(value)
    except TypeError:
        return ("unhashable", repr(value))
    return (type(value).__name__, value)


# BSON bytes of whole values one participant keeps (MongoDB refuses a document over 16 MB): past
# it an entry keeps its length and source row, not the value (`omitted`).
ORIGINALS_BUDGET = 4_000_000
# `originals[].part`: where the stored participant holds a shortened form of the value
# (FIELDS, HISTORY, STATUS), or ROW: a value of a source row's own column that could not be
# taken as it came (an email that is not an address...), kept here whole.
FIELDS, HISTORY, STATUS, ROW = "fields", "field_history", "status", "row"


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
        "originals",
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
        self.originals = {}  # (part, field, value key) → (rank, value, source_id, campaign, at)

    def add(self, doc, row=None):
        """Add one source row (pass its `parse_row` result when you have it).

        Rows that `parse_row` would reject are read leniently (broken parts as empty).
        """
        if row is None:
            row = Row(doc, strict=False)
        engagement = row.engagement()
        self._add_values(row)
        for column, value in row.unread.items():
            self._keep_original(ROW, column, value, row.rank, row)
        self.engagements.append(engagement)

    def add_stored(self, participant, *, current_wins=True):
        """Feed a stored participant's values back in, as rows without engagements.

        Its current fields, status and email become one row: with `current_wins`, ranked at
        its `synced_at` above any row of that same instant, so they win over every row that is
        not later; without, ranked below every row, so they only fill fields no row has and
        otherwise go to the history. Its `field_history` entries go to the history as recorded
        (value, source, campaign, time): they lost to the current values once and never win.
        Derived keys (zip5, ...) are left out: `result()` derives them again. Values are read
        back as the source gave them: keys unescaped, and a value stored shortened replaced by
        its whole original (`originals`). Feeding the same participant twice changes nothing.
        """
        synced_at = stored_time(participant.get("synced_at"))
        whole = self._stored_originals(participant.get("originals"))
        stored_fields = participant.get("fields")
        values = {
            "_id": STORED_VALUES_ID,
            "email_address": participant.get("email_address"),
            "status": whole(STATUS, None, participant.get("status")),
            "fields": {
                unescape_key(key): whole(FIELDS, unescape_key(key), value)
                for key, value in (stored_fields if isinstance(stored_fields, dict) else {}).items()
                if key not in DERIVED_FIELD_KEYS
            },
            "synced_at": synced_at,
        }
        current = Row(values, strict=False)
        self._add_values(current, rank=None if current_wins else LOWEST_RANK)
        if synced_at is not None:
            self.stored_synced_at = max(synced_at, self.stored_synced_at or synced_at)
        for change in participant.get("field_history") or ():
            field = change.get("field")
            past = {
                "_id": change.get("source_id"),
                "campaign_id": change.get("campaign_id"),
                "fields": {field: whole(HISTORY, field, change.get("value"))},
                "synced_at": change.get("synced_at"),
            }
            self._add_past(Row(past, strict=False))

    def _stored_originals(self, originals):
        """Keep a stored participant's ROW originals; return a function that gives a stored
        value back as the source had it (the whole original of a shortened one)."""
        restore = {}
        for original in originals or ():
            if "value" not in original:
                continue  # omitted (ORIGINALS_BUDGET): the source row holds it
            part, field = original.get("part"), original.get("field")
            value = unescape_keys(original.get("value"))
            if part == ROW:
                at = original.get("synced_at")
                rank = (utc_naive(stored_time(at)), str(original.get("source_id")))
                self._keep_original(ROW, field, value, rank, None, original)
                continue
            short = shortened(value)
            if short is not None:
                restore[(part, field, short)] = value

        def whole(part, field, stored):
            stored = unescape_keys(stored)
            if isinstance(stored, str) and restore:
                return restore.get((part, field, stored), stored)
            return stored

        return whole

    def _keep_original(self, part, field, value, rank, row, stored=None):
        """Keep `value` whole (once per part, field and value: the latest row that had it)."""
        key = (part, field, _value_key(value))
        previous = self.originals.get(key)
        if previous is not None and previous[0] >= rank:
            return
        if row is not None:
            source = (row.source_id, row.campaign_id, row.synced_at)
        else:
            source = tuple(stored.get(name) for name in ("source_id", "campaign_id", "synced_at"))
        self.originals[key] = (rank, value, *source)

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
        """The migration-owned fields of this person's participant document.

        What is stored is bounded and safe to store: custom-field names under their stored keys
        (participants.fields.stored_key), keys inside values escaped (empowersave.storekeys),
        and a value too long to store whole (participants.fields.shortened: a name over 1,000
        characters...) stored shortened, with its whole original in `originals`.
        """
        originals = dict(self.originals)
        cleaned = {field: entry[1] for field, entry in sorted(self.winners.items())}
        names = {stored_key(field): field for field in cleaned}
        fields = {}
        for key, value in typed_fields(cleaned).items():
            field = names.get(key)
            if field is not None:
                value = _stored(originals, FIELDS, field, self.winners[field])
            fields[key] = value
        history = []
        for (field, value_key), entry in self.losers.items():
            if field in cleaned and value_key == _value_key(cleaned[field]):
                continue  # it lost once but won in the end
            _rank, value, source_id, campaign_id, synced_at = entry
            if source_id == STORED_VALUES_ID:
                source_id = None  # a stored value that lost: it came from no source row
            change = {
                "field": field,
                "value": _stored(originals, HISTORY, field, entry),
                "source_id": source_id,
                "campaign_id": campaign_id,
                "synced_at": synced_at,
            }
            history.append({key: item for key, item in change.items() if item is not None})
        history.sort(key=_change_sort_key)
        status = None
        if self.status is not None:
            status = _stored(originals, STATUS, None, (self.status[0], self.status[1], None))
        engagements = sorted(self.engagements, key=engagement_sort_key)
        email = self.email[1] if self.email else None
        phone = self.phone[1] if self.phone else None
        synced = [moment for moment in (self.latest_at(), self.stored_synced_at) if moment]
        document = {
            "contact_id": self.contact_id,
            "email_address": email,
            "phone_number": phone,
            "status": status,
            "fields": fields,
            "field_history": history,
            "originals": _originals_list(originals),
            "engagements": engagements,
            "totals": engagement_totals(engagements),
            "synced_at": max(synced, key=utc_naive) if synced else None,
            "search_text": search_text_for(fields=fields, email_address=email, phone_number=phone),
        }
        return document


def whole_fields(participant):
    """A raw participant's `fields` with each value stored shortened replaced by its whole
    original (from `originals`): what the source gave, for the exports."""
    fields = participant.get("fields")
    fields = dict(fields) if isinstance(fields, dict) else {}
    for original in participant.get("originals") or ():
        if original.get("part") != FIELDS:
            continue
        key = stored_key(original.get("field"))
        value = original.get("value")
        value = unescape_keys(value)
        if key in fields and fields[key] == shortened(value):
            fields[key] = value
    return fields


def _stored(originals, part, field, entry):
    """The stored form of the value of a winner, loser or status `entry` (rank, value, source_id,
    campaign_id, synced_at...): keys escaped, shortened when too long, its whole original then
    added to `originals`."""
    rank, value = entry[0], entry[1]
    short = shortened(value)
    if short is None:
        return escape_keys(value)
    key = (part, field, _value_key(value))
    previous = originals.get(key)
    if previous is None or rank > previous[0]:
        originals[key] = (rank, value, *entry[2:5], *(None,) * (5 - len(entry)))
    return short


def _originals_list(originals):
    """`originals` as stored: one entry per part, field and value, in a stable order."""
    entries = []
    for (part, field, _key), (_rank, value, source_id, campaign_id, at) in originals.items():
        if source_id == STORED_VALUES_ID:
            source_id = None
        entry = {
            "part": part,
            "field": field,
            "value": escape_keys(value),
            "length": len(value) if isinstance(value, str) else value_size(value),
            "source_id": source_id,
            "campaign_id": campaign_id,
            "synced_at": at,
        }
        entries.append({key: item for key, item in entry.items() if item is not None})
    entries.sort(
        key=lambda entry: (
            entry["part"],
            str(entry.get("field")),
            utc_naive(entry.get("synced_at")),
            str(entry.get("source_id") or ""),
            repr(entry["value"]),
        )
    )
    budget = ORIGINALS_BUDGET
    for entry in entries:
        size = value_size(entry["value"])
        if size > budget:  # the source row (`source_id`) still holds it whole
            del entry["value"]
            entry["omitted"] = True
        else:
            budget -= size
    return entries


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
