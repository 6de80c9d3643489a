"""Reads of participants for views and other apps (views never query collections directly)."""

from urllib.parse import quote

from bson import ObjectId
from bson.errors import InvalidId
from mongoengine.queryset.visitor import Q

from empowersave import mongodb
from participants import listing as listed
from participants.documents import ListingKeys, Participant, ParticipantListing

# `search_text` holds the lower-cased name, email, phone, given address, city and ZIP
# (participants.transform.search_text_for); the matched parcel's address is searched too.
SEARCH_FIELDS = ("search_text", "residence_ref__address")
# Longest search box value the forms accept: bounds the number of words (one regex each).
SEARCH_MAX_LENGTH = 100
# Longest ZIP filter value the forms accept: ZIP+4 with its dash ("02134-1111").
ZIP_MAX_LENGTH = 10


def parse_participant_id(raw):
    """An ObjectId from a URL segment (or an ObjectId), or None when it is not one."""
    try:
        return ObjectId(str(raw))
    except (InvalidId, TypeError):
        return None


def text_search_q(*, text):
    """A Q for participants in which every word of `text` appears, in any order, any case.

    The one free-text search of the dashboard and the review queue. Words are plain text:
    MongoEngine escapes each for the regex, so `.*` or `{"$ne": null}` are looked for literally.
    Empty text gives an empty Q, which filters nothing out.
    """
    condition = Q()
    for word in dict.fromkeys((text or "").lower().split()):
        any_field = Q()
        for field in SEARCH_FIELDS:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return condition


def get_participant(*, participant_id):
    """The participant with this id (str or ObjectId), or None (also for a malformed id)."""
    object_id = parse_participant_id(participant_id)
    if object_id is None:
        return None
    return Participant.objects(id=object_id).first()


def participant_by_contact_id(*, contact_id):
    return Participant.objects(contact_id=contact_id).first()


def listing():
    """Every participant as the lists see them (participants.listing), as a QuerySet to filter,
    sort and page: the participants page, the CSV export."""
    return ParticipantListing.objects.all()


def listing_keys(*, county=None, quality=None, campaign_id=None):
    """The listing's keys (participants.listing: names and ZIP) of everyone, or, with a county
    and a campaign, of those matched in the county with that match quality (None: not matched
    yet) and an engagement in the campaign: one indexed equality. A QuerySet for a table's ids
    pass (empowersave.adapters.MongoTableData); None while the listing is of an older version
    (the next batch command rebuilds it), so that the listing itself is asked."""
    if (county is None) != (campaign_id is None):
        raise ValueError("The keys serve a county and a campaign together, or neither.")
    if not listed.is_current():
        return None
    if county is None:
        return ListingKeys.objects.all()
    key = listed.filter_key(county=county, quality=quality, campaign_id=campaign_id)
    return ListingKeys.objects(keys=key)


def _remember_as(name):
    def remember(order, compute):
        return listed.remembered_order(name=name, order=order, compute=compute)

    return remember


def listing_keys_order(*, county=None, quality=None, campaign_id=None):
    """For the `listing_keys` of the same arguments: `remember(order, compute)`, the `_id`s of
    those participants in `order` ([(db path, descending)…]), `compute()` remembered until the
    listing is next written (participants.listing.remembered_order)."""
    if county is None:
        return _remember_as("")
    return _remember_as(listed.filter_key(county=county, quality=quality, campaign_id=campaign_id))


def listing_for_campaign_order(*, campaign_id):
    """`listing_keys_order` for `listing_for_campaign` (a name no filter key has: no `|`)."""
    return _remember_as(f"campaign:{quote(str(campaign_id), safe='')}")


def review_queue_order(*, name):
    """`remember(order, compute)` for the review queue `name` (its order and filters, in the
    caller's words): its `_id`s remembered until the listing, or a participant's match or
    queue keys, is next written (participants.listing.remembered_order)."""
    return _remember_as(f"review:{quote(str(name), safe='')}")


def listing_for_campaign(*, campaign_id):
    """The listing of everyone with an engagement in the campaign (a campaign's page)."""
    return ParticipantListing.objects(engagements__campaign_id=campaign_id)


def engagement_for_campaign(*, participant, campaign_id):
    """The participant's engagement with the campaign (the latest of several), or None."""
    found = [item for item in participant.engagements if item.campaign_id == campaign_id]
    if not found:
        return None
    return max(found, key=lambda item: (item.engaged_at is not None, item.engaged_at or 0))


def participant_document(*, participant_id):
    """The participant as stored (a raw dict), or None (also for a malformed id)."""
    object_id = parse_participant_id(participant_id)
    if object_id is None:
        return None
    return mongodb.collection_for(Participant).find_one({"_id": object_id})
