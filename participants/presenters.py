"""The words every page and export uses for a participant's data: campaign names, flag labels.

One place, so the dashboard, the review workspace and the CSV exports say the same thing: a
campaign by its name (its id only when no name is known), an engagement flag as "Yes" / "No",
a match quality by its label.
"""

from empowersave.storekeys import unescape_key, unescape_keys
from participants.documents import EngagementFlag, MatchQuality
from participants.fields import DERIVED_FIELD_KEYS, KNOWN_FIELDS

YES = "Yes"
NO = "No"
FLAG_LABELS = {flag: flag.capitalize() for flag in EngagementFlag.ALL}  # "opened" → "Opened"
QUALITY_LABELS = {
    MatchQuality.EXACT: "Exact",
    MatchQuality.FUZZY: "Fuzzy",
    MatchQuality.MANUAL: "Manual",
    MatchQuality.NO_MATCH: "No match",
    MatchQuality.PENDING: "Pending review",
}
NOT_MATCHED_LABEL = "Not matched yet"


def yes_no(value):
    return YES if value else NO


def quality_label(quality):
    """The label of a `match.quality`; None (matching has not run) is "Not matched yet"."""
    if quality is None:
        return NOT_MATCHED_LABEL
    return QUALITY_LABELS.get(quality, quality)


def campaign_label(campaign_id, names):
    """The campaign's name from `emailoctopus.campaigns.campaign_names()`, else its id."""
    return (names.get(campaign_id) or {}).get("name") or campaign_id


def engagement_rows(engagements, *, names):
    """One row per engagement: campaign id and name, Yes/No per flag (FLAG_LABELS order), when."""
    return [
        {
            "campaign_id": engagement.campaign_id,
            "campaign": campaign_label(engagement.campaign_id, names),
            "flags": [yes_no(getattr(engagement, flag)) for flag in EngagementFlag.ALL],
            "engaged_at": engagement.engaged_at,
        }
        for engagement in engagements
    ]


def other_field_rows(fields):
    """The custom fields the pages have no place of their own for, by their source names (the
    stored key unescaped: "%24where" is shown as "$where"), in stored order: (name, value)."""
    stored = fields.to_mongo() if fields is not None else {}
    return [
        (unescape_key(key), unescape_keys(value))
        for key, value in stored.items()
        if key not in KNOWN_FIELDS and key not in DERIVED_FIELD_KEYS
    ]


ORIGINAL_PARTS = {
    "fields": "Custom field",
    "field_history": "Earlier value of",
    "status": "Status",
    "row": "Not taken from a source row:",
}


def original_rows(originals):
    """One row per whole original a participant keeps (participants.person): where it belongs,
    its size, and its index (the page that shows all of it)."""
    return [
        {
            "index": index,
            "part": ORIGINAL_PARTS.get(original.get("part"), original.get("part")),
            "field": original.get("field"),
            "length": original.get("length"),
            "unit": "characters" if isinstance(original.get("value"), str) else "bytes",
            "campaign_id": original.get("campaign_id"),
        }
        for index, original in enumerate(originals or ())
    ]


def original_text(originals, index):
    """The whole original number `index` as text (None when there is none)."""
    if not 0 <= index < len(originals or ()):
        return None
    original = originals[index]
    if "value" not in original:
        return (
            f"This value ({original.get('length')} long) is too large to keep with the "
            f"participant; source row {original.get('source_id')!r} holds it whole."
        )
    value = unescape_keys(original["value"])
    return value if isinstance(value, str) else repr(value)
