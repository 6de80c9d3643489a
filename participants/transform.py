"""Pure source→participant transform: one EmailOctopus row, and the merge of one person's rows.

Nothing here touches a database. The migration streams rows through `PersonMerge`; the API sync
and the tests call the same functions, so a person built from the same rows is the same document
whichever path built it. Output dicts are in the stored (MongoDB) shape of `Participant`; embedded
dicts leave None values out, as MongoEngine stores them.
"""

import hashlib
from datetime import UTC, datetime

from participants.documents import EngagementFlag
from participants.fields import (
    DERIVED_FIELD_KEYS,
    clean_fields,
    clean_text,
    is_empty,
    typed_fields,
)
from participants.identity import contact_id_for, normalize_email, normalize_phone

# --- quarantine reasons ------------------------------------------------------------------------

MISSING_CAMPAIGN_ID = "MISSING_CAMPAIGN_ID"
MISSING_ENGAGEMENT = "MISSING_ENGAGEMENT"
INVALID_ENGAGEMENT = "INVALID_ENGAGEMENT"
FIELDS_NOT_DICT = "FIELDS_NOT_DICT"
INVALID_EMAIL = "INVALID_EMAIL"  # an email that is not an address, and no usable phone
MISSING_CONTACT = "MISSING_CONTACT"  # neither email nor phone

_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}


# --- one source row ------------------------------------------------------------------------------


def _flag(value):
    """An engagement flag as bool, or raises ValueError when it is not one."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ValueError(f"{value!r} is not a yes/no value")


def parse_engagement(raw):
    """The five flags of a source `engagement`, in EngagementFlag.ALL order.

    A missing flag is False (exports leave out keys that are false); a value that is not a
    yes/no raises ValueError.
    """
    if not isinstance(raw, dict):
        raise ValueError(f"engagement is {type(raw).__name__}, not an object")
    flags = []
    for name in EngagementFlag.ALL:
        try:
            flags.append(_flag(raw.get(name)))
        except ValueError as error:
            raise ValueError(f"engagement.{name}: {error}") from None
    return tuple(flags)


def parse_datetime(raw):
    """`synced_at` as stored, or parsed from ISO text; None when unusable."""
    if isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return datetime.fromisoformat(raw.strip())
        except ValueError:
            return None
    return None


def campaign_id_of(doc):
    value = doc.get("campaign_id")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return clean_text(value) if isinstance(value, str) else None


class RowProblem(ValueError):
    """Why a source row cannot become a participant: a quarantine reason and a readable detail."""

    def __init__(self, reason, detail):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class Row:
    """What the merge needs from one source row, parsed once."""

    __slots__ = (
        "source_id",
        "campaign_id",
        "eo_contact_id",
        "flags",
        "fields",
        "email",
        "phone",
        "contact_id",
        "status",
        "synced_at",
        "rank",
    )

    def __init__(self, doc, *, strict):
        """Parse `doc`; with `strict`, raise RowProblem when it cannot become a participant.

        Checked in this order, so each row gets one reason: campaign, engagement, fields
        shape, contact (email, else phone). Without `strict` a broken part is read as empty.
        """
        self.campaign_id = campaign_id_of(doc)
        if strict and self.campaign_id is None:
            raise RowProblem(MISSING_CAMPAIGN_ID, f"campaign_id is {doc.get('campaign_id')!r}")
        engagement = doc.get("engagement")
        if strict and engagement is None:
            raise RowProblem(MISSING_ENGAGEMENT, "the row has no engagement object")
        try:
            self.flags = parse_engagement(engagement if engagement is not None else {})
        except ValueError as error:
            if strict:
                raise RowProblem(INVALID_ENGAGEMENT, str(error)) from None
            self.flags = (False,) * len(EngagementFlag.ALL)
        fields = doc.get("fields")
        if fields is not None and not isinstance(fields, dict):
            if strict:
                raise RowProblem(
                    FIELDS_NOT_DICT, f"fields is {type(fields).__name__}, not an object"
                )
            fields = None
        self.fields = clean_fields(fields)
        self.email = normalize_email(doc.get("email_address"))
        self.phone = normalize_phone(self.fields.get("Phone"))
        self.contact_id = self.email or self.phone
        if strict and self.contact_id is None:
            email = doc.get("email_address")
            if is_empty(email):
                raise RowProblem(MISSING_CONTACT, "no email address and no valid phone number")
            raise RowProblem(
                INVALID_EMAIL, f"email {email!r} is not a valid address and no valid phone"
            )
        self.source_id = doc.get("_id")
        self.eo_contact_id = clean_text(doc.get("contact_id"))
        self.status = clean_text(doc.get("status"))
        self.synced_at = parse_datetime(doc.get("synced_at"))
        self.rank = (_utc_naive(self.synced_at), str(self.source_id))

    def engagement(self):
        """The stored engagement of this row."""
        engagement = {
            "campaign_id": self.campaign_id,
            "source_id": self.source_id,
            "eo_contact_id": self.eo_contact_id,
            **dict(zip(EngagementFlag.ALL, self.flags, strict=True)),
            "engaged_at": self.synced_at,
        }
        return {key: value for key, value in engagement.items() if value is not None}


def parse_row(doc):
    """The parsed row of a valid source document; raises RowProblem for the quarantine."""
    return Row(doc, strict=True)


def quarantine_reason(doc):
    """(REASON, detail) when a source row cannot become a participant, else None."""
    try:
        parse_row(doc)
    except RowProblem as problem:
        return problem.reason, problem.detail
    return None


def phone_of(doc):
    """The row's phone, E.164, from `fields.Phone` (any key case), else None."""
    fields = doc.get("fields")
    return normalize_phone(clean_fields(fields).get("Phone")) if isinstance(fields, dict) else None


def contact_id_of(doc):
    """The person a row belongs to: normalised email, else phone (see participants.identity)."""
    return contact_id_for(email=doc.get("email_address"), phone=phone_of(doc))


def engagement_totals(engagements):
    """`totals`: how many engagements there are (sent) and how many carry each flag."""
    totals = {"sent": len(engagements)}
    for name in EngagementFlag.ALL:
        totals[name] = sum(1 for engagement in engagements if engagement.get(name))
    return totals


def _utc_naive(moment):
    if moment is None:
        return datetime.min
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def stored_time(moment):
    """A datetime as MongoDB keeps it: naive UTC, millisecond precision."""
    if moment is None:
        return None
    moment = _utc_naive(moment)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def canonical(value):
    """A comparable form of stored data: key order, None keys, tz and sub-ms digits ignored."""
    if isinstance(value, dict):
        return tuple(
            sorted((key, canonical(item)) for key, item in value.items() if item is not None)
        )
    if isinstance(value, list | tuple):
        return tuple(canonical(item) for item in value)
    if isinstance(value, datetime):
        return ("datetime", stored_time(value))
    return value


def fingerprint(document, keys):
    """A digest of `document`'s `keys` that is equal when the stored data is equal."""
    owned = {key: document.get(key) for key in keys}
    return hashlib.sha256(repr(canonical(owned)).encode()).digest()


def engagement_sort_key(engagement):
    """Chronological, then by campaign and source id: a stable order for stored lists."""
    return (
        _utc_naive(engagement.get("engaged_at")),
        engagement.get("campaign_id") or "",
        str(engagement.get("source_id") or ""),
        engagement.get("eo_contact_id") or "",
    )


def search_text_for(*, fields, email_address, phone_number):
    parts = [
        fields.get("FirstName"),
        fields.get("LastName"),
        email_address,
        phone_number,
        fields.get("Address"),
        fields.get("City"),
        fields.get("zip5"),
    ]
    return " ".join(str(part) for part in parts if part).lower() or None


# --- one person ----------------------------------------------------------------------------------


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
        return max(synced, key=_utc_naive) if synced else None

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
            "synced_at": max(synced, key=_utc_naive) if synced else None,
            "search_text": search_text_for(fields=fields, email_address=email, phone_number=phone),
        }
        return document


def _change_sort_key(change):
    """Field, time, source row; then the value, for entries fed back without a source row."""
    return (
        change["field"],
        _utc_naive(change.get("synced_at")),
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
