"""The review queue's sort keys, stored on each participant that waits for review.

A participant waits for review while matching could not settle it (`match.quality` pending or
no_match) and no reviewer has decided (`match.reviewed_by` unset). Such a participant carries
`review_order`, {order: key}, one string key per queue order; everyone else carries none. Each
key is unique: the participant's `contact_id` (unique too) ends it, rather than the `_id`, so
that a person matched the same way carries the same keys in any store. So the queue is one
single-field range on a key, sorted by the same field: an index walk on SecantusDB, which
serves an index only when it covers the whole filter and gives its order only for a
single-field filter on the sort field itself; and the item after another is one `$gt` on the
same index (review.selectors).

participants.services writes the keys with every change of a match (`set_references`), from
the match it writes, so they never disagree with it.

- `probability`: the best candidate's probability, highest first. The key is its weight in bits
  (log2 of the odds, the same order as the probability, without its rounding to 1.0 at the top).
- `uncertain`: the best candidate's probability nearest 0.5 first, as |weight| smallest first: a
  decision the matcher is least sure of, whose label also teaches `calibrate_matching` most.
  (The weight gap to the runner-up would put first two hopeless candidates a bit apart, and
  it has no value at all for a participant with one candidate.)

A participant without candidates sorts last in both orders.
"""

import math

from participants.documents import MatchQuality
from participants.stored_numbers import finite_number, stored_probability

FIELD = "review_order"
PROBABILITY = "probability"
UNCERTAIN = "uncertain"
ORDERS = (PROBABILITY, UNCERTAIN)
_LAST = "~"  # after every digit
_BOUND = 999.0  # bits; weights lie far inside (the prior of one parcel among millions is -25)


def waits_for_review(match):
    """Whether a raw `match` leaves its participant in the review queue."""
    match = match or {}
    return match.get("quality") in MatchQuality.NEEDS_REVIEW and not match.get("reviewed_by")


def best_weight(match):
    """The best candidate's weight in bits, or None without candidates. A match stored before
    candidates had weights gives it from its probability (or score, in percent); a value that
    is not a number (odd data) counts as none."""
    candidates = match.get("candidates") or []
    top = candidates[0] if isinstance(candidates, list) and candidates else None
    if not isinstance(top, dict):
        return None
    weight = finite_number(top.get("weight"))
    if weight is not None:
        return weight
    probability = stored_probability(top)
    if probability is None:
        return None
    probability = min(max(probability, 1e-12), 1 - 1e-12)
    return math.log2(probability / (1 - probability))


def review_order(doc, match):
    """{order: key} of the participant `doc` (a raw dict with its `contact_id`, else its `_id`)
    with this raw `match`, or None when it does not wait."""
    if not waits_for_review(match):
        return None
    weight = best_weight(match)
    suffix = str(doc.get("contact_id") or doc["_id"])
    if weight is None:
        return {order: _LAST + suffix for order in ORDERS}
    weight = min(max(weight, -_BOUND), _BOUND)
    return {
        PROBABILITY: _key_number(PROBABILITY, _BOUND - weight) + suffix,  # highest first
        UNCERTAIN: _key_number(UNCERTAIN, abs(weight)) + suffix,  # nearest 0.5 first
    }


# Characters of a key's number, and its largest value: 0000.000 … 1998.000 for PROBABILITY,
# 000.000 … 999.000 for UNCERTAIN, zero-padded so that the keys sort as their numbers do.
_NUMBER_WIDTH = {PROBABILITY: 8, UNCERTAIN: 7}
_LARGEST = {PROBABILITY: 2 * _BOUND, UNCERTAIN: _BOUND}


def _key_number(order, number):
    return f"{number:0{_NUMBER_WIDTH[order]}.3f}"


def bound_after(order, key, bits):
    """A string above every key of `order` whose number is less than `key`'s plus `bits` (and
    below the others): the end of a window of the queue after `key`. None when there is no
    such bound: `key` has no number (a participant without candidates) or the window reaches
    past the largest number."""
    if key.startswith(_LAST):
        return None
    number = float(key[: _NUMBER_WIDTH[order]]) + bits
    return None if number > _LARGEST[order] else _key_number(order, number)


def key_path(order):
    """The stored path of an order's key."""
    return f"{FIELD}.{order}"
