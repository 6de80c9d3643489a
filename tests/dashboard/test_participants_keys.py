"""The participants page's ids pass through the listing's keys (participants.listing): the same
people, count and order as the listing's own filter, and kept in step by every writer."""

import itertools
import re
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from dashboard.models import ANALYSTS_GROUP
from dashboard.rollups import refresh_rollups
from emailoctopus.sync import SyncOptions, sync_emailoctopus
from empowersave import mongodb
from matching.services import MatchScope, match_participants
from participants import announcements, listing, services
from participants.documents import MatchQuality, Participant
from review import services as review_services
from tests import factories
from tests.dashboard.test_dashboard_pages import names
from tests.emailoctopus.fake_emailoctopus import CAMPAIGN_1, client_for
from tests.emailoctopus.test_emailoctopus_sync import older_person
from tests.factories import NOW, engagement, insert_participants, match, participant_doc
from tests.matching.test_matching import add_participant, county  # noqa: F401 - a fixture
from tests.review.review_data import make_user as make_reviewer
from tests.review.review_data import seed_queue
from tests.users import make_user

pytestmark = pytest.mark.django_db

COUNTIES = ("Essex", "Kent|Sussex")  # a "|" in a value is listed as any other
QUALITIES = ("exact", "fuzzy", "manual", "pending", "no_match", "unmatched")
CAMPAIGNS = ("C1", "C2")


@pytest.fixture
def analyst(client):
    client.force_login(make_user("analyst", groups=[ANALYSTS_GROUP]))
    return client


def count(response):
    found = re.search(r'id="match-count"[^>]*><strong>([\d,]+)</strong>', response.content.decode())
    return int(found.group(1).replace(",", "")) if found else 0


def page(client, **query):
    response = client.get("/participants/", query)
    assert response.status_code == 200
    return names(response), count(response)


def people():
    """One person for each county, quality and pair of campaigns, in a shuffled name order, and
    a few without a county or a campaign."""
    docs = []
    combinations = itertools.product(COUNTIES, QUALITIES, ((), ("C1",), ("C2",), CAMPAIGNS))
    for n, (county_name, quality, campaigns) in enumerate(combinations):
        quality_match = None if quality == "unmatched" else match(quality, candidates=[])
        docs.append(
            participant_doc(
                f"p{n}@example.org",
                fields=factories.participant_fields(first=f"F{n % 7}", last=f"L{(n * 37) % 11}"),
                engagements=[engagement(campaign) for campaign in campaigns],
                match=quality_match,
                residence_ref=factories.residence_ref(
                    factories.parcel(county=county_name, parcel_id=f"P{n}")
                ),
            )
        )
    docs.append(participant_doc("nowhere@example.org", engagements=[engagement("C1")]))
    return docs


def expected(docs, county_name, quality, campaign):
    chosen = [
        doc
        for doc in docs
        if (doc.get("residence_ref") or {}).get("county") == county_name
        and ((doc.get("match") or {}).get("quality") or "unmatched") == quality
        and campaign in {e["campaign_id"] for e in doc["engagements"]}
    ]
    chosen.sort(key=lambda doc: (doc["fields"]["LastName"], doc["fields"]["FirstName"], doc["_id"]))
    return [f"{doc['fields']['FirstName']} {doc['fields']['LastName']}" for doc in chosen]


def test_each_county_quality_and_campaign_lists_its_people_in_name_order(analyst):
    docs = insert_participants(*people())
    refresh_rollups(now=NOW)
    for county_name, quality, campaign in itertools.product(COUNTIES, QUALITIES, CAMPAIGNS):
        want = expected(docs, county_name, quality, campaign)
        query = {"county": county_name, "match_quality": quality, "campaign": campaign}
        assert page(analyst, **query) == (want, len(want)), query
        listed, _ = page(analyst, **query, sort="-name")
        assert listed == want[::-1]


def test_everyone_is_listed_by_name_and_by_zip_with_blanks_last(analyst):
    docs = insert_participants(
        participant_doc(
            "a@example.org", fields=factories.participant_fields(first="Al", last="Zed")
        ),
        participant_doc(
            "b@example.org",
            fields=factories.participant_fields(first="Bo", last="Ash", zip_raw="02134"),
        ),
        participant_doc(
            "c@example.org",
            fields=factories.participant_fields(first="Cy", last="Moe", zip_raw="01002"),
        ),
    )
    assert page(analyst) == (["Bo Ash", "Cy Moe", "Al Zed"], len(docs))
    assert page(analyst, sort="-zip")[0] == ["Bo Ash", "Cy Moe", "Al Zed"]
    assert page(analyst, sort="zip")[0] == ["Cy Moe", "Bo Ash", "Al Zed"]


def test_a_listing_of_an_older_version_is_asked_itself(analyst):
    """Until a batch command rebuilds it, the keys of an older store are not trusted."""
    docs = insert_participants(*people())
    refresh_rollups(now=NOW)
    mongodb.target_collection(listing.STATE_COLLECTION).update_many({}, {"$set": {"version": 2}})
    listing.keys_collection().drop()
    want = expected(docs, "Essex", "exact", "C1")
    assert page(analyst, county="Essex", match_quality="exact", campaign="C1") == (want, len(want))
    assert page(analyst)[1] == len(docs)


def test_other_filters_still_list_the_right_people(analyst):
    docs = insert_participants(*people())
    refresh_rollups(now=NOW)
    in_essex = [doc for doc in docs if (doc.get("residence_ref") or {}).get("county") == "Essex"]
    assert page(analyst, county="Essex")[1] == len(in_essex)
    exact_c2 = expected(docs, "Essex", "exact", "C2") + expected(docs, "Kent|Sussex", "exact", "C2")
    assert page(analyst, match_quality="exact", campaign="C2")[1] == len(exact_c2)
    assert page(analyst, county="Essex", match_quality="exact", campaign="C2", opened="true") == (
        [],
        0,
    )


def test_after_an_accept_the_person_is_listed_under_the_new_quality(analyst):
    queue = seed_queue()
    refresh_rollups(now=NOW)
    query = {"county": "Essex", "campaign": "spring"}
    assert page(analyst, **query, match_quality="manual") == ([], 0)
    review_services.accept_candidate(
        participant_id=queue["jane"].id,
        county="Essex",
        parcel_id="E-100",
        expected_version=0,
        reviewer=make_reviewer("rev", reviewer=True),
        now=NOW,
    )
    assert page(analyst, **query, match_quality="manual") == (["Jane Smith"], 1)
    assert page(analyst, **query, match_quality="exact") == (["Dora Done"], 1)


def test_after_a_rematch_the_person_is_listed_under_the_new_quality(analyst, county):  # noqa: F811
    add_participant(
        "a@example.org", "30 Maple Ave", "Newark", "07102", engagements=[engagement("C1")]
    )
    match_participants(now=NOW, scope=MatchScope())
    mongodb.county_residential_collection().insert_one(
        {"county": "Essex", "parcel_id": "E9", "address": "30 MAPLE AVE", "parcel_city": "NEWARK",
         "parcel_zip": 7102}
    )  # fmt: skip
    refresh_rollups(now=NOW)
    query = {"county": "Essex", "match_quality": "exact", "campaign": "C1"}
    assert page(analyst, **query) == ([], 0)
    call_command("rematch_participants", "--county", "Essex", stdout=StringIO())
    assert page(analyst, **query) == (["Sam Rowe"], 1)


def test_after_a_sync_the_person_is_listed_under_the_new_quality(analyst, api):
    carla = older_person("carla.nguyen@example.com", city="Chicopee")
    carla["match"] = match(MatchQuality.NO_MATCH, candidates=[])
    insert_participants(carla)
    factories.insert_county(
        parcels=[
            factories.parcel(county="Hampden", parcel_id="H-7", address="7 ELM ST",
                   parcel_city="CHICOPEE", parcel_zip=1013)
        ]
    )  # fmt: skip
    refresh_rollups(now=NOW)
    options = SyncOptions(campaign_ids=(CAMPAIGN_1,))
    sync_emailoctopus(client=client_for(api), now=datetime(2025, 7, 1, tzinfo=UTC), options=options)
    stored = Participant.objects.get(contact_id="carla.nguyen@example.com")
    assert stored.residence_ref.county == "Hampden"
    query = {"county": "Hampden", "campaign": CAMPAIGN_1, "match_quality": stored.match.quality}
    assert page(analyst, **query) == (["Carla Nguyen"], 1)


def test_a_remembered_order_gives_way_to_every_write(analyst):
    """Each list's order is remembered until the listing is next written: a person stored, a
    match changed or everyone dropped shows on the very next request."""
    docs = insert_participants(*people())
    refresh_rollups(now=NOW)
    query = {"county": "Essex", "match_quality": "exact", "campaign": "C1"}
    want = expected(docs, "Essex", "exact", "C1")
    for _ in range(2):  # the second request is answered from the remembered order
        assert page(analyst, **query) == (want, len(want))
        assert page(analyst)[1] == len(docs)
    newcomer = participant_doc(
        "new@example.org",
        fields=factories.participant_fields(first="Aa", last="Aa"),
        engagements=[engagement("C1")],
        match=match("exact", candidates=[]),
        residence_ref=factories.residence_ref(factories.parcel(county="Essex", parcel_id="N1")),
    )
    campaign_page = analyst.get("/campaigns/C1/")
    insert_participants(newcomer)
    assert page(analyst, **query) == (["Aa Aa", *want], len(want) + 1)
    after = analyst.get("/campaigns/C1/")
    assert names(after) == ["Aa Aa", *names(campaign_page)][: len(names(after))]
    assert count(after) == count(campaign_page) + 1
    assert page(analyst) == (["Aa Aa", *page(analyst)[0][1:]], len(docs) + 1)
    services.drop_migrated_collections(now=NOW)
    assert page(analyst, **query) == ([], 0)
    assert page(analyst)[1] == 0


def test_a_write_left_without_its_follow_up_is_listed_at_once(analyst):
    """A process killed between a write and its follow-up leaves its marker: until the next
    batch command rebuilds the listing, no remembered order is used."""
    docs = insert_participants(*people())
    refresh_rollups(now=NOW)
    query = {"county": "Essex", "match_quality": "exact", "campaign": "C1"}
    want = expected(docs, "Essex", "exact", "C1")
    assert page(analyst, **query) == (want, len(want))
    gone = next(
        doc
        for doc in docs
        if doc["fields"]["FirstName"] + " " + doc["fields"]["LastName"] == want[0]
    )
    mongodb.target_collection(announcements.UNANNOUNCED_COLLECTION).insert_one({"since": NOW})
    listing.keys_collection().delete_one({"_id": gone["_id"]})  # the killed writer's last step
    assert page(analyst, **query) == (want[1:], len(want) - 1)
