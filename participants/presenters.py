"""The words every page and export uses for a participant's data: campaign names, flag labels.

One place, so the dashboard, the review workspace and the CSV exports say the same thing: a
campaign by its name (its id only when no name is known), an engagement flag as "Yes" / "No",
a match quality by its label.
"""

from participants.documents import EngagementFlag, MatchQuality

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
