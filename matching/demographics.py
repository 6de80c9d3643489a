"""Demographic linking: which household record goes with a participant.

Rules, in order (the first that links wins; `demographic_ref.linked_by` records it):
1. PARCEL: the record of the matched parcel (county + parcel_id);
2. CONTACT: the one record whose email or mobile equals the participant's email or phone;
3. NAME: the one record in the matched parcel's ZIP whose customer_name is the participant's
   name ("LAST, FIRST" or "First Last").
A rule that finds several records does not link (except PARCEL, which prefers the record
carrying the participant's name, then the first). Setting MATCH_LINK_BY_NAME=0 turns rule 3 off.

Rule 2 does not depend on the parcel, so matching, which holds every household record in memory,
stores its answer with each match (`contact_answer`, `match.contact`): a reviewer who places the
participant at a parcel later takes it from there (matching.households) instead of testing every
household record for the email and phone, which no index serves (4.25 s of a 4.67 s bulk accept
of 45 at full scale on the local store).
"""

from matching.index import DEMOGRAPHIC_FIELDS, email_key, name_key, phone_key, rows_of

PARCEL = "PARCEL"
CONTACT = "CONTACT"
NAME = "NAME"


def _one(rows):
    distinct = set(rows)
    return next(iter(distinct)) if len(distinct) == 1 else None


def participant_phones(row):
    """The phones rule 2 compares for a participant document: its phone_number and its Phone
    field, each that is given (both when both are, even when they are equal)."""
    fields = row.get("fields")
    field = fields.get("Phone") if isinstance(fields, dict) else None
    return phones_of(row.get("phone_number"), field)


def phones_of(phone, field):
    """participant_phones of a participant's phone_number and Phone field, which
    matching.scoring reads from the row and its fields, a C dict: participant_phones(row) took
    6.1 M instructions in a pass over the 20k demo, phones_of 0.7 M (callgrind, 2026-12-03)."""
    # No comprehension: its function and frame cost 4,100 instructions a participant (callgrind).
    if phone and field:
        return [phone, field]
    return [phone] if phone else [field] if field else []


def contact_row(index, *, email, phones):
    """The row of the one household record whose email or mobile is the participant's (rule 2),
    or None (no such record, or several)."""
    demographics = index.demographics
    contact_rows = list(rows_of(demographics.by_email, email_key(email))) if email else []
    for phone in phones:
        contact_rows.extend(rows_of(demographics.by_mobile, phone_key(phone)))
    return _one(contact_rows)


def contact_key(*, email, phones):
    """The participant's email and phones as rule 2 compares them, as one string: a stored answer
    holds only while the participant's contact still gives the same key."""
    phone_keys = sorted({key for key in map(phone_key, phones) if key})
    return f"{email_key(email) or ''}|{','.join(phone_keys)}"  # phone keys are digits only


def contact_answer(index, *, email, phones, row):
    """What rule 2 gives for a participant (`row`, from contact_row), as `match.contact` stores
    it: {"key": contact_key, "record": the demographic_ref it links}, without "record" when it
    links none."""
    answer = {"key": contact_key(email=email, phones=phones)}
    if row is not None:
        answer["record"] = index.demographics.reference(row, CONTACT)
    return answer


def stored_contact(answer, *, email, phones):
    """(known, demographic_ref or None) from a stored `match.contact`: known is False when there
    is none (a match stored before it existed, or a failed decision) or it was decided on
    another email or phone than the participant's now; then rule 2 must be asked of the store."""
    if not isinstance(answer, dict) or answer.get("key") != contact_key(email=email, phones=phones):
        return False, None
    record = answer.get("record")
    if not isinstance(record, dict):
        return True, None
    return True, {name: record.get(name) for name in DEMOGRAPHIC_FIELDS} | {"linked_by": CONTACT}


def link(index, *, parcel_row, contact, first_name, last_name, by_name=True):
    """(record row, rule) or (None, None); pure, on a CountyIndex. `contact` is rule 2's row
    (contact_row, or None), asked once by the caller, who also stores it (contact_answer)."""
    demographics, parcels = index.demographics, index.parcels
    if parcel_row is not None:
        county = demographics.by_parcel.get(parcels.county[parcel_row], {})
        rows = rows_of(county, parcels.parcel_id[parcel_row])
        if rows and len(rows) == 1:
            return rows[0], PARCEL
        if rows:
            name = name_key(first_name, last_name)
            named = [row for row in rows if name_key(demographics.records[row][2]) == name]
            return (named or rows)[0], PARCEL
    if contact is not None:
        return contact, CONTACT
    name = name_key(first_name, last_name) if by_name and parcel_row is not None else None
    if name:
        zip5 = parcels.zip5[parcel_row]
        row = _one(rows_of(demographics.by_zip_name, (zip5, name)))
        if row is not None:
            return row, NAME
    return None, None
