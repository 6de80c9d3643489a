"""Precomputed dashboard figures, kept in the `dashboard_rollups` collection of the target DB.

The dashboard never aggregates the participants collection per request. Every participant
contributes fixed amounts to a handful of small rollup documents (its campaigns, its ZIP, its
county, its energy figures, the totals). A full rebuild sums those contributions over the whole
collection, streamed once; an incremental update `$inc`s the difference between a participant's
contribution after and before a change. Both use `participant_contributions`, so they agree.
The rollups follow participants only through participants.announcements: `follow_participants`,
registered in DashboardConfig.ready, turns every batch a service writes into one
`record_participant_changes` (one bulk write of `$inc`s), and a Reset (the collection dropped,
or a write that a killed process left unannounced) into one `refresh_rollups`.

Rollup documents (`_id` → fields):
- `totals`: participants, engagements, residence, demographic, no_zip, quality.<q>
- `campaign:<id>`: campaign_id, sent, opened, clicked, bounced, complained, unsubscribed
- `zip:<zip5>`: zip, participants, sent, opened, clicked, residence (matched to a parcel)
- `county:<name>`: county, participants, residence, demographic, quality.<q>
- `energy:<county>`: county, kwh_cost.{count,sum,hist.<bucket>}, burden.{count,sum,hist.<bucket>}
- `meta`: refreshed_at (last full rebuild)

Energy histograms are sparse maps from a value rounded to three significant digits to a count,
so they need no fixed bin edges, stay small and can be re-binned and summarised at display time.
"""

import math
from collections import defaultdict

from pymongo import ReplaceOne, UpdateOne

from empowersave import mongodb
from participants import announcements
from participants.documents import EngagementFlag, Participant
from participants.fields import normalize_zip
from participants.stored_numbers import finite_number

COLLECTION = "dashboard_rollups"
NOT_MATCHED = "unmatched"  # quality key for participants whose `match` is still None
UNKNOWN_COUNTY = "(no county)"

TOTALS_ID = "totals"
META_ID = "meta"
CAMPAIGN_PREFIX = "campaign:"
ZIP_PREFIX = "zip:"
COUNTY_PREFIX = "county:"
ENERGY_PREFIX = "energy:"

ENERGY_FIELDS = {"kwh_cost": "annual_kwh_cost", "burden": "total_energy_burden"}
SIGNIFICANT_DIGITS = 3
# Paths per `$inc` of one update: SecantusDB 0.7 checks every path of an update against every
# other (twice), so one update of a batch's ~1,000 histogram buckets of a county costs the
# quadratic check; the same amounts in updates of at most 100 paths cost it a tenth. The seven
# batches of a full-scale migration (32,655 participants): server CPU 3.8 s in 568 updates (one
# per rollup document and batch), 1.1 s in 747 (30 paths: 1.4 s; 50: 1.2 s; 200: 1.2-1.5 s).
MAX_INC_PATHS = 100

PROJECTION = {
    "engagements": 1,
    "match.quality": 1,
    "residence_ref.county": 1,
    "residence_ref.parcel_zip": 1,
    "demographic_ref.county": 1,
    "demographic_ref.annual_kwh_cost": 1,
    "demographic_ref.total_energy_burden": 1,
    "fields.zip5": 1,
    "fields.ZIP": 1,
}


def rollup_collection():
    return mongodb.target_collection(COLLECTION)


def value_bucket(value):
    """Key of a histogram bucket: `value` to three significant digits, e.g. 1234.5 → "123e1".

    The key has no dot (MongoDB field names must not) and `float(key)` gives the bucket value.
    """
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value))) - (SIGNIFICANT_DIGITS - 1)
    mantissa = round(value / 10**exponent)
    if abs(mantissa) >= 10**SIGNIFICANT_DIGITS:  # 999.6 rounds up a digit
        mantissa //= 10
        exponent += 1
    return f"{mantissa}e{exponent}"


def _part(doc, name):
    """A sub-document of a raw participant; {} when it is missing or not a document."""
    value = doc.get(name)
    return value if isinstance(value, dict) else {}


def _text(value):
    return value if isinstance(value, str) and value else None


def participant_zip(doc):
    """The ZIP a participant is counted under: the matched parcel's, else their own."""
    fields = _part(doc, "fields")
    return (
        normalize_zip(_part(doc, "residence_ref").get("parcel_zip"))
        or _text(fields.get("zip5"))
        or normalize_zip(fields.get("ZIP"))
    )


def participant_county(doc):
    return (
        _text(_part(doc, "residence_ref").get("county"))
        or _text(_part(doc, "demographic_ref").get("county"))
        or UNKNOWN_COUNTY
    )


def participant_quality(doc):
    return _text(_part(doc, "match").get("quality")) or NOT_MATCHED


def participant_contributions(doc):
    """{(rollup _id, field path): amount} that one raw participant document adds to the rollups."""
    out = defaultdict(float)
    residence = _part(doc, "residence_ref") or None
    demographic = _part(doc, "demographic_ref") or None
    engagements = [e for e in doc.get("engagements") or () if isinstance(e, dict)]
    quality = participant_quality(doc)

    out[(TOTALS_ID, "participants")] += 1
    out[(TOTALS_ID, "engagements")] += len(engagements)
    out[(TOTALS_ID, f"quality.{quality}")] += 1
    if residence:
        out[(TOTALS_ID, "residence")] += 1
    if demographic:
        out[(TOTALS_ID, "demographic")] += 1

    for engagement in engagements:
        key = CAMPAIGN_PREFIX + str(engagement.get("campaign_id"))
        out[(key, "sent")] += 1
        for flag in EngagementFlag.ALL:
            if engagement.get(flag):
                out[(key, flag)] += 1

    zip5 = participant_zip(doc)
    if zip5:
        key = ZIP_PREFIX + zip5
        out[(key, "participants")] += 1
        out[(key, "sent")] += len(engagements)
        out[(key, "opened")] += sum(1 for e in engagements if e.get(EngagementFlag.OPENED))
        out[(key, "clicked")] += sum(1 for e in engagements if e.get(EngagementFlag.CLICKED))
        if residence:
            out[(key, "residence")] += 1
    else:
        out[(TOTALS_ID, "no_zip")] += 1

    key = COUNTY_PREFIX + participant_county(doc)
    out[(key, "participants")] += 1
    out[(key, f"quality.{quality}")] += 1
    if residence:
        out[(key, "residence")] += 1
    if demographic:
        out[(key, "demographic")] += 1

    if demographic:
        key = ENERGY_PREFIX + (_text(demographic.get("county")) or UNKNOWN_COUNTY)
        for name, source in ENERGY_FIELDS.items():
            value = finite_number(demographic.get(source))
            if value is None:
                continue
            out[(key, f"{name}.count")] += 1
            out[(key, f"{name}.sum")] += value
            out[(key, f"{name}.hist.{value_bucket(value)}")] += 1
    return out


def _labels(rollup_id):
    """The descriptive fields a rollup document carries besides its counters."""
    for prefix, field in (
        (CAMPAIGN_PREFIX, "campaign_id"),
        (ZIP_PREFIX, "zip"),
        (COUNTY_PREFIX, "county"),
        (ENERGY_PREFIX, "county"),
    ):
        if rollup_id.startswith(prefix):
            return {"kind": prefix[:-1], field: rollup_id[len(prefix) :]}
    return {"kind": rollup_id}


def _as_number(amount):
    return int(amount) if float(amount).is_integer() else amount


def _nest(flat):
    """{"a.b": 1} → {"a": {"b": 1}}."""
    doc = {}
    for path, amount in flat.items():
        node = doc
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = _as_number(amount)
    return doc


def refresh_rollups(*, now, batch_size=2000):
    """Rebuild every rollup from the participants collection (one streamed pass)."""
    sums = defaultdict(lambda: defaultdict(float))
    for doc in mongodb.collection_for(Participant).find({}, PROJECTION, batch_size=batch_size):
        for (rollup_id, path), amount in participant_contributions(doc).items():
            sums[rollup_id][path] += amount

    docs = [{"_id": TOTALS_ID, **_labels(TOTALS_ID)}] if TOTALS_ID not in sums else []
    for rollup_id, flat in sums.items():
        docs.append({"_id": rollup_id, **_labels(rollup_id), **_nest(flat)})
    docs.append({"_id": META_ID, "kind": META_ID, "refreshed_at": now})

    # Replace in place, then drop what no longer exists: readers never see an empty dashboard.
    collection = rollup_collection()
    collection.bulk_write([ReplaceOne({"_id": doc["_id"]}, doc, upsert=True) for doc in docs])
    collection.delete_many({"_id": {"$nin": [doc["_id"] for doc in docs]}})
    return {"rollups": len(docs) - 1, "participants": int(sums[TOTALS_ID]["participants"])}


def record_participant_changes(*, before, after):
    """Apply the change of participants `before` → `after` (parallel lists of raw documents).

    `before[i]` is None for a created participant, `after[i]` None for a deleted one. Each
    rollup document gets atomic `$inc`s (one per MAX_INC_PATHS of its paths), so concurrent
    writers do not lose updates.
    """
    if len(before) != len(after):
        raise ValueError("before and after must be parallel lists")
    delta = defaultdict(lambda: defaultdict(float))
    for old, new in zip(before, after, strict=True):
        if new is not None:
            for (rollup_id, path), amount in participant_contributions(new).items():
                delta[rollup_id][path] += amount
        if old is not None:
            for (rollup_id, path), amount in participant_contributions(old).items():
                delta[rollup_id][path] -= amount

    operations = []
    for rollup_id, flat in delta.items():
        changes = [(path, _as_number(amount)) for path, amount in flat.items() if amount != 0]
        for start in range(0, len(changes), MAX_INC_PATHS):
            operations.append(
                UpdateOne(
                    {"_id": rollup_id},
                    {
                        "$inc": dict(changes[start : start + MAX_INC_PATHS]),
                        "$set": _labels(rollup_id),
                    },
                    upsert=True,
                )
            )
    if operations:  # journaled: a saved decision's figures must survive a crash with it
        mongodb.journaled(rollup_collection()).bulk_write(operations, ordered=False)
    return len(operations)


def follow_participants(event):
    """The rollups' follower of participants.announcements (see the module docstring)."""
    if isinstance(event, announcements.Reset):
        refresh_rollups(now=event.now)
    else:
        record_participant_changes(before=event.before, after=event.after)
