"""Announcements of what changed in `participants`, for what is derived from it (the rollups).

participants.services are the only writers of the collection, and each batch they write is
announced here once, as one `Changed`: parallel lists of raw documents before and after (None
before: created; None after: deleted), each carrying at least ANNOUNCED_PROJECTION. When the whole
collection may differ from what followers derived (it was dropped, or a process died between a
write and its announcement), `Reset` is announced instead, and followers rebuild.

Followers register once, in their AppConfig.ready, with `follow(callback)`; the callback runs
in the writer's process, right after the write, with each Changed or Reset. An exception in a
follower reaches the writer. Such a write stays recorded as unannounced (`announcing`), and the
next batch command (participants.services.catch_up, at the start of the migration, the sync and
rematching) announces
a Reset, so a follower never stays behind for good.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from empowersave import mongodb

# What every announced document carries (beside `_id`), whole unless a path is named: what the
# followers read (the rollups: dashboard.rollups.PROJECTION).
ANNOUNCED_PROJECTION = {
    "contact_id": 1,
    "engagements": 1,
    "fields.zip5": 1,
    "fields.ZIP": 1,
    "residence_ref": 1,
    "demographic_ref": 1,
    "match": 1,
}
# One document per write whose announcement has not completed: {_id, since}.
UNANNOUNCED_COLLECTION = "participants_unannounced"


@dataclass(frozen=True)
class Changed:
    """One batch of writes: `before[i]` became `after[i]` (raw documents or None)."""

    before: list
    after: list


@dataclass(frozen=True)
class Reset:
    """The collection may differ in any way from what followers derived: rebuild from it."""

    now: datetime


_followers = []


def follow(callback):
    """Call `callback(event)` with every Changed and Reset from now on (once per callback)."""
    if callback not in _followers:
        _followers.append(callback)


def announce(event):
    for callback in list(_followers):
        callback(event)


def _unannounced():
    return mongodb.target_collection(UNANNOUNCED_COLLECTION)


@contextmanager
def announcing(*, now):
    """Around one write and its announcement: a marker that outlives a process killed between
    the two (two small writes per batch), so that the next batch command knows to announce a
    Reset."""
    # Journaled, so that it is on disk before the write it stands for (see mongodb.journaled).
    marker = mongodb.journaled(_unannounced()).insert_one({"since": now}).inserted_id
    yield
    _unannounced().delete_one({"_id": marker})


def unannounced_writes():
    """The markers of writes whose announcement never came (a process killed in between)."""
    return [doc["_id"] for doc in _unannounced().find({}, {"_id": 1})]


def announce_reset(*, now, markers):
    """Announce a Reset for the writes of `markers` (unannounced_writes), then forget them.

    Meant for the start of a batch command (participants.services.catch_up), when no other
    batch runs: a review saved in the same milliseconds may cause one needless rebuild.
    """
    announce(Reset(now=now))
    _unannounced().delete_many({"_id": {"$in": markers}})
