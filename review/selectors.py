"""Read-only queries of the review workspace: the queue, its counts, the next item, history."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.cache import cache

from emailoctopus.campaigns import campaign_names
from empowersave import mongodb
from participants import review_order
from participants.documents import Participant
from participants.presenters import campaign_label
from participants.selectors import parse_participant_id, review_queue_order
from participants.stored_numbers import stored_probability

from .models import ReviewDecision

# Participants matching could not settle and no reviewer has decided yet: those that carry the
# queue's sort keys (participants.review_order; a reviewer's "no match" keeps the quality
# `no_match` but sets `match.reviewed_by`, which takes the keys away until a rematch writes a
# fresh, unreviewed match). The queue in an order is one range on that order's key, sorted by it:
# an index walk on SecantusDB (the index on the key serves the filter and gives the order).
QUEUE_ORDERS = {
    review_order.PROBABILITY: "Highest probability first",
    review_order.UNCERTAIN: "Most uncertain first (probability nearest 0.5)",
}
DEFAULT_ORDER = review_order.PROBABILITY
CHOICES_CACHE_SECONDS = 300
CHOICES_CACHE_KEY = "review:queue:choices"
# Windows the item after another is looked for in, narrowest first (in bits of the key's weight,
# after the current key), before the rest of the queue: SecantusDB reads every document of an
# index range, whatever the limit, so each look costs the queued participants of its window.
NEXT_WINDOWS = (0.25, 2.0, 16.0)


def queue_query(order=DEFAULT_ORDER, *, after=None, before=None):
    """The filter of the queue in `order` (one of QUEUE_ORDERS), of the items after the key
    `after` and below the bound `before` when given: one range on one field either way."""
    condition = {"$gt": after} if after else {"$gte": ""}
    if before is not None:
        condition["$lt"] = before
    return {review_order.key_path(order): condition}


def review_queue(order=DEFAULT_ORDER, *, after=None, before=None):
    """The queue (see queue_query) in `order`: best candidate first, or most uncertain first.

    Without `before`, the queue is read through its key's index by a hint (mongodb.hinted), so
    that any filter added to it (county, campaign, a search…) walks the queued participants
    only: on SecantusDB a search's `$or` read every participant (4.5 s at full scale, 0.7–1.3 s
    hinted), and `explain` reported the other filters as a COLLSCAN. A window (`before`) is not
    hinted: the store would walk the whole index, where the range alone reads only the
    window's participants (but a search's `$or` still every participant: next_queue_item_id).
    """
    path = review_order.key_path(order)
    queue = Participant.objects(__raw__=queue_query(order, after=after, before=before))
    if before is None:
        queue = mongodb.hinted(queue, [(path, 1)])
    return queue.order_by(path.replace(".", "__"))


# The filter choices' paths: the counties of the queue's candidates, its campaigns.
CHOICE_PATHS = ("match.candidates.county", "engagements.campaign_id")


def queue_choice_values():
    """{path: sorted values} of CHOICE_PATHS in the queue, cached CHOICES_CACHE_SECONDS (the
    queue page asks first, before its rows).

    Read with the whole queue's order when that is not remembered yet (the first request after
    a write: one pass over the queued participants for both), else in a projected pass of their
    own (mongodb.distinct_values). At full scale (4,527 queued) each such pass takes about
    0.6 s (load 1.2), where an `$unwind` + `$group` of each path took 7.3 and 0.8 s (load 3.5).
    """
    values = cache.get(CHOICES_CACHE_KEY)
    if values is None:
        found = {}

        def compute():
            paths = [path.replace(".", "__") for path in CHOICE_PATHS]
            docs = list(review_queue().only("id", *paths).as_pymongo())
            found.update(mongodb.values_by_path(docs, CHOICE_PATHS))
            return [doc["_id"] for doc in docs]

        _whole_queue_ids(compute)
        if not found:  # the order was remembered: the choices alone
            collection = mongodb.collection_for(Participant)
            found = mongodb.distinct_values(collection, CHOICE_PATHS, query=queue_query())
        values = {path: sorted(value for value in found[path] if value) for path in CHOICE_PATHS}
        cache.set(CHOICES_CACHE_KEY, values, CHOICES_CACHE_SECONDS)
    return values


def queue_county_choices():
    """Counties of the queue's candidates (cached: reading them reads the whole queue)."""
    return [(c, c) for c in queue_choice_values()["match.candidates.county"]]


def queue_campaign_choices():
    """Campaigns of the queue's participants, by name (the id when no name is known)."""
    names = campaign_names()
    ids = queue_choice_values()["engagements.campaign_id"]
    choices = [(campaign_id, campaign_label(campaign_id, names)) for campaign_id in ids]
    return sorted(choices, key=lambda choice: choice[1].lower())


def queue_name(order, *, county=None, match_quality=None, campaign=None, zip=None):
    """The name the queue in `order` with these filter values (as the filter form cleans them)
    is remembered under."""
    filters = {"county": county, "match_quality": match_quality, "campaign": campaign, "zip": zip}
    return urlencode({"order": order, **{key: value or "" for key, value in filters.items()}})


def queue_memory(name):
    """`remember(order, compute)` for the queue `name` (queue_name): its `_id`s in order are
    read from one remembered document until a match, the queue's keys or the listing is next
    written, instead of from every queued participant on each request (participants.selectors.
    review_queue_order; at full scale, 4,527 queued: the page 0.31 s against 1.4 s). None (no
    name: a search, whose text is unbounded) computes them each time."""
    return None if name is None else review_queue_order(name=name)


def _whole_queue_ids(compute=None):
    """The `_id`s of the whole queue in DEFAULT_ORDER, remembered in the unfiltered queue
    page's document: `compute()` (by default the `_id`s alone, as that page reads them)."""
    remember = queue_memory(queue_name(DEFAULT_ORDER))
    return remember(
        [], compute or (lambda: [doc["_id"] for doc in review_queue().only("id").as_pymongo()])
    )


def queue_size():
    """How many participants wait: the length of the whole queue's remembered order, so a
    filtered page does not count it again."""
    return len(_whole_queue_ids())


def best_probability(participant):
    """The best candidate's probability (0–1), or None without candidates."""
    candidates = participant.match.candidates if participant.match else None
    return stored_probability(candidates[0]) if candidates else None


def _first_id(queryset, exclude):
    """The first id of `queryset` not in `exclude` (reads at most len(exclude) + 1 ids)."""
    for doc in queryset.only("id").limit(len(exclude) + 1).as_pymongo():
        if doc["_id"] not in exclude:
            return str(doc["_id"])
    return None


def next_queue_item_id(*, queue, order=DEFAULT_ORDER, current=None, skipped_ids=(), narrow=True):
    """The id of the item to show after `current` (a participant) in the filtered queue.

    `queue(after=None, before=None)` gives the filtered queue in `order`, from the item after
    the key `after` and below the bound `before` when given. Items after the current one in
    queue order come first (looked for in NEXT_WINDOWS first when `narrow`: not for a search,
    which the store reads whole in each window, 9–13 s for the four looks at full scale,
    against one walk of the queue's index, review_queue), then the queue wraps around.
    Items this reviewer skipped in the session come only when nothing else is left. The queue's
    own filter is not narrowed by the exclusions (an `_id` condition beside the key would keep
    the index from serving it): the few excluded ids are passed over as read.
    """
    skipped = [oid for oid in map(parse_participant_id, skipped_ids) if oid is not None]
    exclude = set(skipped)
    if current is not None:
        exclude.add(current.id)
    key = _order_key(current, order)
    looks = []
    if key is not None and narrow:
        bounds = [review_order.bound_after(order, key, bits) for bits in NEXT_WINDOWS]
        looks = [queue(after=key, before=bound) for bound in dict.fromkeys(bounds) if bound]
    if key is not None:
        looks.append(queue(after=key))
    for queryset in [*looks, queue()]:
        found = _first_id(queryset, exclude)
        if found is not None:
            return found
    skipped_others = [oid for oid in skipped if current is None or oid != current.id]
    if skipped_others:
        item = queue().filter(id__in=skipped_others).only("id").first()
        return str(item.id) if item is not None else None
    return None


def _order_key(participant, order):
    """The participant's key in `order`: the stored one, or the one its match gave before a
    decision took it out of the queue (the reviewed match keeps the candidates it had)."""
    if participant is None:
        return None
    stored = (participant.review_order or {}).get(order)
    if stored is not None:
        return stored
    match = participant.match.to_mongo().to_dict() if participant.match else {}
    doc = {"_id": participant.id, "contact_id": participant.contact_id}
    keys = review_order.review_order(doc, {**match, "reviewed_by": None})
    return keys[order] if keys else None


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
        "to_review": queue_size() if to_review is None else to_review,
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
