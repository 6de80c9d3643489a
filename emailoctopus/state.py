"""Sync bookkeeping in the `sync_state` collection (target DB).

- `campaign:<id>`: the report cursor per status. Cursors are saved only after the writes of the
  pages before them have landed, so a run killed at any point re-fetches at most the pages whose
  writes may be missing; applying a page twice changes nothing.
- `pending`: work that a killed run may have left behind: participants created or re-addressed
  whose matching has not run yet. The next run matches them. (A write whose rollup update a
  killed run missed is caught up by participants.announcements.)
"""

from empowersave import mongodb

COLLECTION = "sync_state"
CAMPAIGN_PREFIX = "campaign:"
PENDING_ID = "pending"


def state_collection():
    return mongodb.target_collection(COLLECTION)


def load_cursors(campaign_id):
    """{status: cursor} saved for a campaign ({} when never synced)."""
    doc = state_collection().find_one({"_id": CAMPAIGN_PREFIX + campaign_id}, {"cursors": 1})
    return dict((doc or {}).get("cursors") or {})


def save_cursors(*, campaign_id, cursors, now):
    """Move the given {status: cursor} of a campaign (one atomic update)."""
    changes = {f"cursors.{status}": cursor for status, cursor in cursors.items()}
    state_collection().update_one(
        {"_id": CAMPAIGN_PREFIX + campaign_id},
        {"$set": {**changes, "campaign_id": campaign_id, "synced_at": now}},
        upsert=True,
    )


def mark_campaign_synced(*, campaign, sent_at, now):
    """Remember the campaign's name and when its reports were last read to the end."""
    state_collection().update_one(
        {"_id": CAMPAIGN_PREFIX + campaign["id"]},
        {
            "$set": {
                "campaign_id": campaign["id"],
                "name": campaign.get("name"),
                "subject": campaign.get("subject"),
                "sent_at": sent_at,
                "completed_at": now,
            }
        },
        upsert=True,
    )


def synced_campaigns():
    """{campaign_id: {name, sent_at}} of the campaigns the API sync has read.

    The migrated campaigns' names live in the source DB; campaigns sent after the migration
    are known only from here.
    """
    found = state_collection().find(
        {"_id": {"$regex": f"^{CAMPAIGN_PREFIX}"}}, {"campaign_id": 1, "name": 1, "sent_at": 1}
    )
    return {
        doc["campaign_id"]: {"name": doc.get("name"), "sent_at": doc.get("sent_at")}
        for doc in found
        if doc.get("campaign_id")
    }


def load_pending():
    """The participants waiting for matching, each once (`mark_pending` may list one twice)."""
    doc = state_collection().find_one({"_id": PENDING_ID}) or {}
    return {"match_contact_ids": list(dict.fromkeys(doc.get("match_contact_ids") or []))}


def mark_pending(*, contact_ids):
    """Before a batch's writes: those participants need matching.

    `$push`, not `$addToSet`: the local store checks each id added against every id held
    (the benchmark's first sync, 1,500 new people: about 1.7 s of its CPU, sampled by py-spy), and a
    repeat is harmless (`load_pending` lists each once, `$pullAll` removes every copy).
    """
    state_collection().update_one(
        {"_id": PENDING_ID},
        {"$push": {"match_contact_ids": {"$each": sorted(contact_ids)}}},
        upsert=True,
    )


def clear_pending_matches(contact_ids):
    state_collection().update_one(
        {"_id": PENDING_ID}, {"$pullAll": {"match_contact_ids": sorted(contact_ids)}}
    )
