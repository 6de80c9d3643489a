"""Read functions for the dashboard pages.

The dashboard figures come from the rollups only (no per-request aggregation). Participants
themselves are read through participants.selectors.
"""

from datetime import datetime

from dashboard.rollups import (
    CAMPAIGN_PREFIX,
    COUNTY_PREFIX,
    ENERGY_PREFIX,
    META_ID,
    NOT_MATCHED,
    TOTALS_ID,
    UNKNOWN_COUNTY,
    ZIP_PREFIX,
    rollup_collection,
)
from emailoctopus.state import synced_campaigns
from empowersave.mongodb import source_campaigns_collection
from empowersave.text_format import as_text
from participants.documents import EngagementFlag, MatchQuality

QUALITY_ORDER = (*MatchQuality.CHOICES, NOT_MATCHED)
QUALITY_LABELS = {
    MatchQuality.EXACT: "Exact",
    MatchQuality.FUZZY: "Fuzzy",
    MatchQuality.MANUAL: "Manual",
    MatchQuality.NO_MATCH: "No match",
    MatchQuality.PENDING: "Pending review",
    NOT_MATCHED: "Not matched yet",
}
ZIP_SORTS = {
    "opened": "Opened",
    "clicked": "Clicked",
    "sent": "Sent",
    "open_rate": "Open rate",
    "click_rate": "Click rate",
    "zip": "ZIP code",
}


def _prune(node):
    """Drop counters an incremental update left at zero (absent and zero mean the same)."""
    if isinstance(node, dict):
        pruned = {key: _prune(value) for key, value in node.items()}
        return {key: value for key, value in pruned.items() if value not in (0, {})}
    return node


def rollup_snapshot():
    """Every rollup document by `_id`, zero counters pruned, empty rollups left out."""
    snapshot = {}
    for doc in rollup_collection().find({"_id": {"$ne": META_ID}}):
        labels = {
            key: doc.pop(key)
            for key in ("_id", "kind", "campaign_id", "zip", "county")
            if key in doc
        }
        counters = _prune(doc)
        if counters:
            snapshot[labels["_id"]] = {**labels, **counters}
    return snapshot


def rollups_refreshed_at():
    meta = rollup_collection().find_one({"_id": META_ID}) or {}
    return meta.get("refreshed_at")


def _rate(part, whole):
    return part / whole if whole else None


def _campaign_info(name, sent_at):
    """A campaign's name as text (None when it has none) and its sent_at when it is a date."""
    return {
        "name": as_text(name) or None,
        "sent_at": sent_at if isinstance(sent_at, datetime) else None,
    }


def campaign_names():
    """{campaign_id: {name, sent_at}}: the source DB's `campaigns`, then those the API sync read."""
    campaigns = {
        str(doc["_id"]): _campaign_info(doc.get("name"), doc.get("sent_at"))
        for doc in source_campaigns_collection().find({}, {"name": 1, "sent_at": 1})
    }
    for campaign_id, info in synced_campaigns().items():
        if info.get("name"):
            campaigns[campaign_id] = _campaign_info(info["name"], info.get("sent_at"))
    return campaigns


def _by_prefix(snapshot, prefix):
    return [doc for key, doc in snapshot.items() if key.startswith(prefix)]


def campaign_rows(snapshot, campaigns):
    """Per-campaign figures, newest campaign first (by id when the source has no details)."""
    rows = []
    for doc in _by_prefix(snapshot, CAMPAIGN_PREFIX):
        campaign_id = doc["campaign_id"]
        info = campaigns.get(campaign_id, {})
        row = {
            "campaign_id": campaign_id,
            "name": info.get("name") or campaign_id,
            "sent_at": info.get("sent_at"),
            "sent": doc.get("sent", 0),
        }
        for flag in EngagementFlag.ALL:
            row[flag] = doc.get(flag, 0)
            row[f"{flag}_rate"] = _rate(row[flag], row["sent"])
        rows.append(row)
    rows.sort(key=lambda row: row["name"].lower())
    rows.sort(key=lambda row: row["sent_at"].timestamp() if row["sent_at"] else 0.0, reverse=True)
    return rows


def zip_rows(snapshot, *, sort="opened"):
    rows = []
    for doc in _by_prefix(snapshot, ZIP_PREFIX):
        row = {key: doc.get(key, 0) for key in ("participants", "sent", "opened", "clicked")}
        row["zip"] = doc["zip"]
        row["open_rate"] = _rate(row["opened"], row["sent"]) or 0.0
        row["click_rate"] = _rate(row["clicked"], row["sent"]) or 0.0
        rows.append(row)
    if sort == "zip":
        return sorted(rows, key=lambda row: row["zip"])
    return sorted(rows, key=lambda row: (-row[sort], row["zip"]))


def _quality_counts(doc):
    counts = doc.get("quality", {})
    return [(quality, counts.get(quality, 0)) for quality in QUALITY_ORDER]


def coverage(snapshot):
    """Match coverage overall and by county (counties by size, "(no county)" last)."""
    totals = snapshot.get(TOTALS_ID, {})
    participants = totals.get("participants", 0)
    overall = {
        "participants": participants,
        "engagements": totals.get("engagements", 0),
        "residence": totals.get("residence", 0),
        "residence_rate": _rate(totals.get("residence", 0), participants),
        "demographic": totals.get("demographic", 0),
        "demographic_rate": _rate(totals.get("demographic", 0), participants),
        "no_zip": totals.get("no_zip", 0),
        "quality": [
            {
                "quality": quality,
                "label": QUALITY_LABELS[quality],
                "count": count,
                "rate": _rate(count, participants),
            }
            for quality, count in _quality_counts(totals)
        ],
    }
    counties = []
    for doc in _by_prefix(snapshot, COUNTY_PREFIX):
        count = doc.get("participants", 0)
        counties.append(
            {
                "county": doc["county"],
                "participants": count,
                "residence": doc.get("residence", 0),
                "residence_rate": _rate(doc.get("residence", 0), count),
                "demographic": doc.get("demographic", 0),
                "demographic_rate": _rate(doc.get("demographic", 0), count),
                "quality": [c for _q, c in _quality_counts(doc)],
            }
        )
    counties.sort(key=lambda row: (row["county"] == UNKNOWN_COUNTY, -row["participants"]))
    return overall, counties


def _quantile(values, count, fraction):
    """The smallest bucket value with at least `fraction` of the count at or below it."""
    target = fraction * count
    running = 0
    for value, n in values:
        running += n
        if running >= target:
            return value
    return values[-1][0]


def distribution(summary):
    """count, mean, min, quartiles and max of one energy figure from its sparse histogram."""
    count = summary.get("count", 0)
    if not count:
        return None
    values = sorted((float(key), n) for key, n in summary.get("hist", {}).items() if n > 0)
    return {
        "count": count,
        "mean": summary.get("sum", 0.0) / count,
        "min": values[0][0],
        "q1": _quantile(values, count, 0.25),
        "median": _quantile(values, count, 0.5),
        "q3": _quantile(values, count, 0.75),
        "max": values[-1][0],
    }


def energy_rows(snapshot):
    rows = []
    for doc in _by_prefix(snapshot, ENERGY_PREFIX):
        kwh_cost = distribution(doc.get("kwh_cost", {}))
        burden = distribution(doc.get("burden", {}))
        if kwh_cost or burden:
            rows.append({"county": doc["county"], "kwh_cost": kwh_cost, "burden": burden})
    return sorted(rows, key=lambda row: row["county"])


def dashboard_figures(*, zip_sort):
    """Everything the dashboard home shows, from one read of the rollups collection."""
    snapshot = rollup_snapshot()
    overall, counties = coverage(snapshot)
    return {
        "overall": overall,
        "campaigns": campaign_rows(snapshot, campaign_names()),
        "zips": zip_rows(snapshot, sort=zip_sort),
        "counties": counties,
        "energy": energy_rows(snapshot),
    }


def campaign_choices():
    """(campaign_id, label) for every campaign that has engagements, by name."""
    snapshot = {
        doc["_id"]: doc
        for doc in rollup_collection().find(
            {"_id": {"$regex": f"^{CAMPAIGN_PREFIX}"}, "sent": {"$gt": 0}}
        )
    }
    return [(row["campaign_id"], row["name"]) for row in campaign_rows(snapshot, campaign_names())]


def county_choices():
    counties = rollup_collection().find(
        {"_id": {"$regex": f"^{COUNTY_PREFIX}"}, "residence": {"$gt": 0}}, {"county": 1}
    )
    names = sorted(doc["county"] for doc in counties if doc["county"] != UNKNOWN_COUNTY)
    return [(name, name) for name in names]


def campaign_summary(campaign_id):
    """The campaign's row of figures, or None when no participant has that campaign."""
    doc = rollup_collection().find_one({"_id": CAMPAIGN_PREFIX + campaign_id})
    if not doc or not doc.get("sent"):
        return None
    return campaign_rows({doc["_id"]: doc}, campaign_names())[0]
