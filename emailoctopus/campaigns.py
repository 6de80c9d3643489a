"""The campaigns' names, for every page and export that shows a campaign."""

from datetime import datetime

from emailoctopus.state import synced_campaigns
from empowersave.mongodb import source_campaigns_collection
from empowersave.text_format import as_text


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
