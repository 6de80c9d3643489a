"""The campaigns' names, for every page and export that shows a campaign."""

from emailoctopus.state import synced_campaigns
from empowersave.mongodb import source_campaigns_collection


def campaign_names():
    """{campaign_id: {name, sent_at}}: the source DB's `campaigns`, then those the API sync read."""
    campaigns = {
        str(doc["_id"]): {"name": doc.get("name"), "sent_at": doc.get("sent_at")}
        for doc in source_campaigns_collection().find({}, {"name": 1, "sent_at": 1})
    }
    for campaign_id, info in synced_campaigns().items():
        if info.get("name"):
            campaigns[campaign_id] = info
    return campaigns
