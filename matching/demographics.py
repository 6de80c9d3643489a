"""Demographic linking: which household record goes with a participant.

Rules, in order (the first that links wins; `demographic_ref.linked_by` records it):
1. PARCEL: the record of the matched parcel (county + parcel_id);
2. CONTACT: the one record whose email or mobile equals the participant's email or phone;
3. NAME: the one record in the matched parcel's ZIP whose customer_name is the participant's
   name ("LAST, FIRST" or "First Last").
A rule that finds several records does not link (except PARCEL, which prefers the record
carrying the participant's name, then the first). Setting MATCH_LINK_BY_NAME=0 turns rule 3 off.
"""

from matching.index import email_key, name_key, phone_key, rows_of

PARCEL = "PARCEL"
CONTACT = "CONTACT"
NAME = "NAME"


def _one(rows):
    distinct = set(rows)
    return next(iter(distinct)) if len(distinct) == 1 else None


def link(index, *, parcel_row, email, phones, first_name, last_name, by_name=True):
    """(record row, rule) or (None, None); pure, on a CountyIndex."""
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
    contact_rows = list(rows_of(demographics.by_email, email_key(email))) if email else []
    for phone in phones:
        contact_rows.extend(rows_of(demographics.by_mobile, phone_key(phone)))
    row = _one(contact_rows)
    if row is not None:
        return row, CONTACT
    name = name_key(first_name, last_name) if by_name and parcel_row is not None else None
    if name:
        zip5 = parcels.zip5[parcel_row]
        row = _one(rows_of(demographics.by_zip_name, (zip5, name)))
        if row is not None:
            return row, NAME
    return None, None
