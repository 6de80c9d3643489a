"""The candidate a reviewer sees first, for people whose own address is not where they said:
matching ranks the parcel their household record places them at first; what only the review
blocks (their number elsewhere in the city, their name elsewhere or misspelt) find waits for
review."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from matching.services import match_participants
from participants.documents import MatchQuality, Participant
from tests.factories import household, insert_county, parcel
from tests.review.review_data import NOW, person

pytestmark = pytest.mark.django_db

HEADER = re.compile(r'Candidate \d+ <span class="score"[^>]*>[^<]*</span><br>'
                    r'<span class="quiet">[^<]* · ([^<]*)</span>')  # fmt: skip


def newark(parcel_id, address, zip_code=7102):
    return parcel(parcel_id=parcel_id, address=address, parcel_city="NEWARK", parcel_zip=zip_code)


@pytest.fixture
def rc(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


def shown(rc, participant):
    """The parcel ids of the change page's candidate columns, left to right."""
    page = rc.get(reverse("review:change", args=[participant.id]))
    assert page.status_code == 200
    return HEADER.findall(page.content.decode())


def left_for_review(participant):
    stored = Participant.objects.get(id=participant.id)
    return stored.match.quality in (MatchQuality.PENDING, MatchQuality.NO_MATCH) and (
        stored.residence_ref is None
    )


def test_the_same_address_in_another_town_does_not_hide_their_household_on_their_street(rc):
    insert_county(
        parcels=[
            parcel(parcel_id="EO-52", address="52 BADIMARA ST", parcel_city="EAST ORANGE",
                   parcel_zip=7018),
            newark("NW-50", "50 BADIMARA ST"),
            newark("NW-54", "54 BADIMARA ST"),
        ],
        households=[household(parcel_id="NW-50", customer_name="WEBB, CALEB"),
                    household(parcel_id="NW-54", customer_name="DOE, JANE")],
    )  # fmt: skip
    caleb = person("caleb@example.org", "Caleb", "Webb", "52 Badimara Street", "Newark", "07102")
    match_participants(now=NOW)
    assert shown(rc, caleb)[:2] == ["NW-50", "EO-52"]  # was EO-52 alone
    # Their name, street and ZIP carry it, as they did when no other town had 52 BADIMARA ST.
    assert Participant.objects.get(id=caleb.id).residence_ref.parcel_id == "NW-50"


def test_no_street_and_a_misspelt_name_in_their_zip(rc):
    insert_county(
        parcels=[newark("NW-7", "7 ELM ST"), newark("NW-9", "9 ELM ST")],
        households=[household(parcel_id="NW-7", customer_name="CANAVNA, AMBER"),
                    household(parcel_id="NW-9", customer_name="SMITH, JOHN")],
    )  # fmt: skip
    amber = person("amber@example.org", "Amber", "Canavan", "", "Newark", "07102")
    match_participants(now=NOW)
    assert shown(rc, amber) == ["NW-7"]  # was no candidate at all
    assert left_for_review(amber)


def test_a_wrong_zip_and_an_unknown_street_find_their_house_number_in_the_city(rc):
    insert_county(
        parcels=[newark("NW-10", "10 N MAIN ST"), newark("NW-10B", "10 OAK RD"),
                 newark("NW-11", "11 N MAIN ST", zip_code=7103)],
        households=[household(parcel_id="NW-10", customer_name="LEON, GILLIAB"),
                    household(parcel_id="NW-10B", customer_name="SMITH, JOHN")],
    )  # fmt: skip
    gillian = person("gillian@example.org", "Gillian", "Leon", "10 Armbruster St", "Newark",
                     "07103")  # fmt: skip
    match_participants(now=NOW)
    assert shown(rc, gillian)[:2] == ["NW-10", "NW-10B"]  # the misspelt name ranks it first
    assert left_for_review(gillian)


@pytest.mark.parametrize("records", [1, 2])
def test_a_name_only_one_household_record_carries_places_them_anywhere(rc, records):
    insert_county(
        parcels=[newark("NW-1", "1 LAMINGTON ST"), newark("NW-3", "3 LAMINGTON ST", 7103)],
        households=[household(parcel_id=parcel_id, customer_name="GODFREY, ANGUS")
                    for parcel_id in ("NW-1", "NW-3")[:records]],
    )  # fmt: skip
    angus = person("angus@example.org", "Angus", "Godfrey", "", "Bloomfield", "07003")
    match_participants(now=NOW)
    # Two records of the name do not single one out: neither is shown.
    assert shown(rc, angus) == (["NW-1"] if records == 1 else [])
    assert left_for_review(angus)
