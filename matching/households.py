"""Household records for participants placed at a parcel by a reviewer, and county lookups.

`link_demographics_for_parcels` links a batch of placements with one query per linking rule,
whatever its size (the review's bulk accept); `parcel_docs` and `demographic_records_for` read
county documents by key in one query each.
"""

import re
from typing import NamedTuple

from django.conf import settings

from empowersave import mongodb
from matching import demographics
from matching.index import build_index, by_parcel, email_key, name_key, phone_key


def _exactly(value):
    return re.compile(f"^{re.escape(value)}$", re.IGNORECASE)


def _phone_pattern(phone):
    digits = phone_key(phone)
    return re.compile(r"\D*".join(digits) + r"\D*$") if digits else None


def _name_pattern(first_name, last_name):
    """A regex that finds every customer_name holding all the words of the participant's name
    (either order); the exact comparison is name_key's, in demographics.link."""
    words = (name_key(first_name, last_name) or "").split(" ")
    if not all(words) or len(words) < 2:
        return None
    lookaheads = "".join(f"(?=.*\\b{re.escape(word)}\\b)" for word in words)
    return re.compile(f"^{lookaheads}", re.IGNORECASE)


def _finds(pattern, value):
    return pattern is not None and isinstance(value, str) and pattern.search(value) is not None


class ParcelLink(NamedTuple):
    """A participant placed at a parcel, as `link_demographics_for_parcels` takes it."""

    county: str
    parcel_id: str
    email: str | None = None
    phones: tuple = ()
    first_name: str | None = None
    last_name: str | None = None
    contact: dict | None = None  # the participant's stored `match.contact`, when there is one


def parcel_link(participant, *, county, parcel_id):
    """The ParcelLink of a participant document placed at a parcel, with the email and phones
    matching compared (demographics.participant_phones), so its stored answer's key fits."""
    fields = participant.get("fields")
    fields = fields if isinstance(fields, dict) else {}
    return ParcelLink(
        county=county,
        parcel_id=parcel_id,
        email=participant.get("email_address"),
        phones=tuple(demographics.participant_phones(participant)),
        first_name=fields.get("FirstName"),
        last_name=fields.get("LastName"),
        contact=(participant.get("match") or {}).get("contact"),
    )


class _Ask:
    """What one request asks the household records for, rule by rule: compiled patterns, so
    that the query and the split of its answer between requests use the same test."""

    def __init__(self, link, by_name):
        self.link = link
        self.email = _exactly(email_key(link.email)) if email_key(link.email) else None
        phones = {pattern for pattern in map(_phone_pattern, link.phones) if pattern is not None}
        self.phone = _any_pattern(phones) if phones else None
        self.name = _name_pattern(link.first_name, link.last_name) if by_name else None
        self.records = {}  # _id → household record, each once whichever rule found it
        # The contact rule's answer stored with the match, when it still holds (no query then).
        self.contact_known, self.contact_record = demographics.stored_contact(
            link.contact, email=link.email, phones=link.phones
        )

    def neighbour_keys(self):
        """The other parcels (same county) of the records found so far."""
        own = self.link.parcel_id
        return {
            (self.link.county, doc["parcel_id"])
            for doc in self.records.values()
            if doc["parcel_id"] != own
        }

    def wants(self, rule):
        if rule == demographics.PARCEL:
            return True
        if rule == demographics.CONTACT:
            return not self.contact_known and (self.email is not None or self.phone is not None)
        return self.name is not None

    def owns(self, rule, doc):
        link = self.link
        if rule == demographics.PARCEL:
            return doc.get("county") == link.county and doc.get("parcel_id") == link.parcel_id
        if rule == demographics.CONTACT:
            return _finds(self.email, doc.get("email")) or _finds(self.phone, doc.get("mobile"))
        return doc.get("county") == link.county and _finds(self.name, doc.get("customer_name"))


def _any_of(values):
    """A condition on one field: the value itself when there is one (the cheaper test on the
    embedded store, which has no index), else `$in`. Keys go most selective first: the
    embedded store stops at the first that fails."""
    values = list(values)
    return values[0] if len(values) == 1 else {"$in": values}


def _any_pattern(patterns):
    """One regex for a set of regexes sharing their flags: one test per document (a `$in` of
    regexes tests each of them in turn)."""
    patterns = sorted(patterns, key=lambda pattern: pattern.pattern)
    if len(patterns) == 1:
        return patterns[0]
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)


def _records_selector(rule, asks):
    """One query for a rule's household records of many requests."""
    if rule == demographics.PARCEL:
        return by_parcel({(ask.link.county, ask.link.parcel_id) for ask in asks})
    if rule == demographics.CONTACT:
        alternatives = []
        for field, attribute in (("email", "email"), ("mobile", "phone")):
            patterns = {getattr(ask, attribute) for ask in asks} - {None}
            if patterns:
                alternatives.append({field: _any_pattern(patterns)})
        return {"$or": alternatives}
    counties = _any_of(sorted({ask.link.county for ask in asks}))
    return {"county": counties, "customer_name": _any_pattern({ask.name for ask in asks})}


def parcel_docs(keys):
    """{(county, parcel_id): residential document} for a set of keys, in one query."""
    if not keys:
        return {}
    found = {}
    for doc in mongodb.county_residential_collection().find(by_parcel(keys)):
        key = (doc.get("county"), doc.get("parcel_id"))
        if key in keys:
            found.setdefault(key, doc)
    return found


def link_demographics_for_parcels(links):
    """The `demographic_ref` dicts (or None) of participants placed at parcels, in order.

    Same rules as the migration (matching.demographics.link): the parcel's record, else the one
    record carrying the participant's email or phone, else the one record in the parcel's ZIP
    under the participant's name. Each rule is one query for all the requests the rules before
    it did not link, so a bulk decision costs a handful of queries whatever its size. Each
    request is decided only on the records its own patterns found (its answer does not depend
    on the other requests).

    The contact rule is asked of the store only for a request without a usable stored answer
    (`ParcelLink.contact`, matching.demographics.stored_contact): that query is a regex on
    email and mobile that no index serves, a test of every household record (4.25 s of a
    4.67 s bulk accept of 45 at full scale, local store); matched participants carry the answer.
    """
    links = list(links)
    results = [None] * len(links)
    demographic = mongodb.county_demographic_collection()
    parcels = parcel_docs({(link.county, link.parcel_id) for link in links})
    by_name = settings.MATCH_LINK_BY_NAME
    open_asks = {
        position: _Ask(link, by_name)
        for position, link in enumerate(links)
        if (link.county, link.parcel_id) in parcels
    }
    for rule in (demographics.PARCEL, demographics.CONTACT, demographics.NAME):
        if rule == demographics.CONTACT:
            for position, ask in list(open_asks.items()):
                if ask.contact_record is not None:
                    results[position] = ask.contact_record
                    del open_asks[position]
        asks = {position: ask for position, ask in open_asks.items() if ask.wants(rule)}
        if not asks:
            continue
        for doc in demographic.find(_records_selector(rule, asks.values())):
            for ask in asks.values():
                if ask.owns(rule, doc):
                    ask.records.setdefault(doc["_id"], doc)
        # The name rule compares ZIPs: it needs the parcels of the records it may choose.
        neighbours = {}
        if rule == demographics.NAME:
            wanted = set().union(*(ask.neighbour_keys() for ask in asks.values()))
            neighbours = parcel_docs(wanted)
        for position, ask in asks.items():
            link = ask.link
            nearby = [neighbours[key] for key in ask.neighbour_keys() if key in neighbours]
            index = build_index(
                residential_docs=[parcels[(link.county, link.parcel_id)], *nearby],
                demographic_docs=ask.records.values(),
            )
            row, linked_by = demographics.link(
                index,
                parcel_row=index.parcels.row_of(link.county, link.parcel_id),
                contact=demographics.contact_row(index, email=link.email, phones=link.phones),
                first_name=link.first_name,
                last_name=link.last_name,
                by_name=by_name,
            )
            if row is not None:
                results[position] = index.demographics.reference(row, linked_by)
                del open_asks[position]
    return results


def demographic_records_for(parcels):
    """{(county, parcel_id): [household record dicts]} for a list of (county, parcel_id)."""
    wanted = {(county, str(parcel_id)) for county, parcel_id in parcels}
    found = {key: [] for key in wanted}
    if not wanted:
        return found
    ids = list({parcel_id for _county, parcel_id in wanted})
    cursor = mongodb.county_demographic_collection().find({"parcel_id": {"$in": ids}})
    for doc in cursor:
        key = (doc.get("county"), str(doc.get("parcel_id")))
        if key in found:
            doc.pop("_id", None)
            found[key].append(doc)
    return found
