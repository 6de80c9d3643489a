"""Shapes a participant into what the change page shows: addresses, candidates side by side."""

from django.conf import settings

from emailoctopus.campaigns import campaign_names
from empowersave.number_format import money, percent_points
from empowersave.text_format import as_text
from matching.address_parser import parse_address
from matching.explanations import probability_text, waterfall
from matching.households import demographic_records_for
from matching.localities import normalize_city
from participants.fields import normalize_zip
from participants.presenters import FLAG_LABELS, engagement_rows, quality_label
from participants.stored_numbers import stored_probability

TOP_CANDIDATES = 3
COMPARED_FIELDS = (
    ("house_number", "House number"),
    ("street", "Street"),
    ("city", "City"),
    ("zip", "ZIP"),
)
# (field, label, how its value shows): dollars and percent as on the participant page.
DEMOGRAPHIC_FIELDS = (
    ("customer_name", "Customer name", None),
    ("email", "Email", None),
    ("mobile", "Mobile", None),
    ("annual_kwh_cost", "Annual kWh cost", money),
    ("total_energy_burden", "Energy burden", percent_points),
)


def _parts(address, city, zip_code):
    parsed = parse_address(address)
    return {
        "house_number": parsed.house_number,
        "street": parsed.street,
        "unit": parsed.unit,
        "city": normalize_city(city) or parsed.city,
        "zip": normalize_zip(zip_code) or parsed.zip5,
    }


def participant_address(participant):
    """As written, and normalised; a value of the wrong type (odd source data) is read as text."""
    fields = participant.fields
    address, city, zip_code = (
        as_text(value) or None for value in (fields.address, fields.city, fields.zip5 or fields.zip)
    )
    return {
        "written": {"address": fields.address, "city": fields.city, "zip": fields.zip},
        "normalised": _parts(address, city, zip_code),
    }


def top_candidates(participant):
    """The first candidates as matching ranked them (by weight, best first: the order the weight
    gap and the bulk accept read)."""
    candidates = participant.match.candidates if participant.match else []
    return list(candidates)[:TOP_CANDIDATES]


def comparison(candidates, normalised):
    """Rows of (field, participant value, one cell per candidate with value and agreement)."""
    parts = [_parts(c.address, c.parcel_city, c.parcel_zip) for c in candidates]
    rows = []
    for key, label in COMPARED_FIELDS:
        cells = [
            {"value": part[key], "agrees": (candidate.agreement or {}).get(key)}
            for candidate, part in zip(candidates, parts, strict=True)
        ]
        rows.append({"label": label, "participant": normalised[key], "cells": cells})
    return rows


def demographic_rows(candidates):
    """Rows of the household record each candidate parcel would bring by the PARCEL rule.

    A parcel with several records (a multi-unit building) shows the first and how many there are.
    """
    found = demographic_records_for([(c.county, c.parcel_id) for c in candidates])
    records = [found.get((c.county, str(c.parcel_id))) or [] for c in candidates]
    rows = []
    for key, label, shown in DEMOGRAPHIC_FIELDS:
        values = [(group[0] if group else {}).get(key) for group in records]
        cells = [shown(value) if shown else value for value in values]
        rows.append({"label": label, "cells": cells})
    if any(len(group) > 1 for group in records):
        rows.append({"label": "Records at parcel", "cells": [len(group) for group in records]})
    return rows


def candidate_headers(candidates):
    """What heads each candidate's column: its probability, as text."""
    return [
        {"candidate": candidate, "probability": probability_text(stored_probability(candidate))}
        for candidate in candidates
    ]


def explanations(candidates):
    """(caption, waterfall) of each candidate that stores how its weight was made."""
    found = []
    for number, candidate in enumerate(candidates, start=1):
        explained = waterfall(candidate)
        if explained is not None:
            caption = f"Candidate {number}: {candidate.county} {candidate.parcel_id}"
            found.append((caption, explained))
    return found


def change_page_context(participant, *, search_results=None):
    address = participant_address(participant)
    candidates = top_candidates(participant)
    return {
        "candidate_headers": candidate_headers(candidates),
        "match_probability": probability_text(stored_probability(participant.match)),
        "accept_probability": settings.MATCH_ACCEPT_PROBABILITY,
        "explanations": explanations(candidates),
        "participant": participant,
        "quality_label": quality_label(participant.match.quality if participant.match else None),
        "engagements": engagement_rows(participant.engagements, names=campaign_names()),
        "flag_labels": FLAG_LABELS.values(),
        "version": (participant.match.version or 0) if participant.match else 0,
        "address": address,
        "candidates": candidates,
        "comparison_rows": comparison(candidates, address["normalised"]),
        "demographic_rows": demographic_rows(candidates),
        "search_results": search_results,
    }
