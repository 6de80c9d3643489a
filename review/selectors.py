"""Read-only queries of the review workspace: the queue, its counts, the next item, history."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.cache import cache

from emailoctopus.campaigns import campaign_names
from empowersave import mongodb
from participants.documents import MatchQuality, Participant
from participants.presenters import campaign_label
from participants.selectors import parse_participant_id

from .models import ReviewDecision

# Best candidate first (matching keeps `match.candidates` best first); no candidates last.
BEST_SCORE = "match.candidates.0.score"
QUEUE_ORDER = (f"-{BEST_SCORE}", "id")
CHOICES_CACHE_SECONDS = 300


# Participants matching could not settle and no reviewer has decided yet. A reviewer's "no match"
# keeps the quality `no_match` but sets `match.reviewed_by`, which takes the participant out of
# the queue until a rematch writes a fresh, unreviewed match.
QUEUE_QUERY = {"match.quality": {"$in": list(MatchQuality.NEEDS_REVIEW)}, "match.reviewed_by": None}


def review_queue():
    """The queue (see QUEUE_QUERY), best candidate first."""
    return Participant.objects(__raw__=QUEUE_QUERY).order_by(*QUEUE_ORDER)


def _cached_distinct(key, path, *, array):
    values = cache.get(key)
    if values is None:
        found = mongodb.distinct_values(
            mongodb.collection_for(Participant), path, array=array, query=QUEUE_QUERY
        )
        values = sorted(value for value in found if value)
        cache.set(key, values, CHOICES_CACHE_SECONDS)
    return values


def queue_county_choices():
    """Counties of the queue's candidates (cached: a distinct scans the whole queue)."""
    return [
        (c, c)
        for c in _cached_distinct(
            "review:queue:counties", "match.candidates.county", array="match.candidates"
        )
    ]


def queue_campaign_choices():
    """Campaigns of the queue's participants, by name (the id when no name is known)."""
    names = campaign_names()
    ids = _cached_distinct("review:queue:campaigns", "engagements.campaign_id", array="engagements")
    choices = [(campaign_id, campaign_label(campaign_id, names)) for campaign_id in ids]
    return sorted(choices, key=lambda choice: choice[1].lower())


def best_score(participant):
    candidates = participant.match.candidates if participant.match else None
    return candidates[0].score if candidates else None


def _after(score, oid):
    """Condition for "comes after (score, id)" in QUEUE_ORDER (no score sorts last)."""
    missing = {BEST_SCORE: {"$exists": False}}
    if score is None:
        return {**missing, "_id": {"$gt": oid}}
    return {
        "$or": [
            {BEST_SCORE: {"$lt": score}},
            missing,
            {BEST_SCORE: score, "_id": {"$gt": oid}},
        ]
    }


def next_queue_item_id(*, queue, current=None, skipped_ids=()):
    """The id of the item to show after `current` (a participant) in the filtered `queue`.

    Items after the current one in queue order come first, then the queue wraps around.
    Items this reviewer skipped in the session come only when nothing else is left.
    """
    skipped = [oid for oid in map(parse_participant_id, skipped_ids) if oid is not None]
    exclude = list(skipped)
    if current is not None:
        exclude.append(current.id)
    fresh = queue.filter(id__nin=exclude)
    candidates = []
    if current is not None:
        candidates.append(fresh.filter(__raw__=_after(best_score(current), current.id)))
    candidates.append(fresh)
    skipped_others = [oid for oid in skipped if current is None or oid != current.id]
    if skipped_others:
        candidates.append(queue.filter(id__in=skipped_others))
    for queryset in candidates:
        item = queryset.only("id").first()
        if item is not None:
            return str(item.id)
    return None


def _day_start(now):
    return dt.datetime.combine(now.date(), dt.time.min, tzinfo=now.tzinfo)


def standing_decisions():
    """Decisions that changed a participant and have not been undone."""
    return ReviewDecision.objects.filter(
        action__in=ReviewDecision.CHANGING_ACTIONS, undone_by__isnull=True
    )


def queue_counts(*, reviewer, now, to_review=None):
    """The progress figures on the queue: to review, reviewed today, reviewed by me.

    `to_review` may be passed in when the caller has counted the whole queue already.
    """
    decisions = standing_decisions()
    return {
        "to_review": review_queue().count() if to_review is None else to_review,
        "reviewed_today": decisions.filter(created_at__gte=_day_start(now))
        .values("participant_id")
        .distinct()
        .count(),
        "reviewed_by_me": decisions.filter(reviewer=reviewer)
        .values("participant_id")
        .distinct()
        .count(),
    }


def participant_history(participant_id):
    return ReviewDecision.objects.filter(participant_id=str(participant_id)).select_related(
        "reviewer", "undone_by", "undoes"
    )


def decisions():
    """The audit trail, newest first, with the users it names (one query per page)."""
    return ReviewDecision.objects.select_related("reviewer", "undone_by__reviewer")


def decision_reviewers(_request=None):
    """Users who have made at least one decision, by user name (the decisions page's filter)."""
    return (
        get_user_model()
        .objects.filter(pk__in=ReviewDecision.objects.values("reviewer"))
        .order_by("username")
    )
