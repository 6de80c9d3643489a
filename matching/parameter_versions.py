"""The `match_parameters` collection (target database): versions of the matcher's parameters.

The only writer of that collection. One document per version, in the shape of
`weights.MatchParameters.to_document()`: `version`, `prior`, `fields` ({field: {level: {m,
u}}}), `source` (em | em+labels), `created_at`, `created_by`, `training`. Matching uses the
highest version (one indexed read per run), else the defaults in code
(`weights.DEFAULT_PARAMETERS`, version 1). A calibration (`calibrate_matching`) saves a new
version with `save_parameters`; older versions stay, so a decision can be traced to the
parameters that made it (`match.parameters_version`).
"""

from dataclasses import replace

from mongoengine.connection import get_db
from pymongo import DESCENDING

from empowersave import mongodb
from matching.weights import DEFAULT_PARAMETERS, MatchParameters

COLLECTION = "match_parameters"


def _collection():
    return get_db(mongodb.DEFAULT_ALIAS)[COLLECTION]


def active_parameters():
    """The highest saved version, or the defaults when none is saved."""
    doc = _collection().find_one({}, sort=[("version", DESCENDING)])
    return MatchParameters.from_document(doc) if doc else DEFAULT_PARAMETERS


def save_parameters(parameters, *, now, by):
    """Save `parameters` as the next version (after the defaults and every saved one), with who
    and when; returns the saved MatchParameters."""
    collection = _collection()
    collection.create_index("version", unique=True)
    latest = collection.find_one({}, {"version": 1}, sort=[("version", DESCENDING)])
    version = max(DEFAULT_PARAMETERS.version, latest["version"] if latest else 0) + 1
    saved = replace(parameters, version=version, created_at=now, created_by=by)
    collection.insert_one(saved.to_document())
    return saved
