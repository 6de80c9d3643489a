"""Read functions for the dashboard pages (rollups only; no per-request aggregation)."""

from dashboard.rollups import META_ID, rollup_collection


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
