"""Bulk review actions are batch operations: a fixed number of queries whatever the selection,
and the same records, audit rows, conflicts and rollups as deciding the rows one by one."""

import functools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from mongoengine.connection import get_db

from dashboard.rollups import refresh_rollups, rollup_collection
from dashboard.selectors import rollup_snapshot
from empowersave import mongodb
from matching import demographics, households
from matching.county_index import load_index
from participants.documents import MatchQuality, Participant
from review import services
from review.models import ReviewDecision
from tests.factories import candidate
from tests.review.review_data import AGREE_ALL, NOW, person, queued, raw

pytestmark = pytest.mark.django_db

COUNTED_METHODS = (
    "aggregate",
    "bulk_write",
    "count_documents",
    "delete_many",
    "delete_one",
    "distinct",
    "find",
    "find_one",
    "find_one_and_update",
    "insert_many",
    "insert_one",
    "replace_one",
    "update_many",
    "update_one",
)
# Which household rule links participant i (i % 4): its parcel's record, a record carrying its
# email in another county, a record under its name on a neighbouring parcel of its ZIP, none.
RULES = ("PARCEL", "CONTACT", "NAME", None)


def _name(i):
    return "Ann", "Doe" + "".join(chr(ord("a") + int(digit)) for digit in str(i))


def seed_street(count):
    """`count` queue items, one per parcel of one street, each with one candidate (score 90)."""
    parcels, households = [], []
    for i in range(count):
        first, last = _name(i)
        own = {
            "county": "Essex",
            "parcel_id": f"S-{i}",
            "address": f"{2 * i + 1} ELM ST",
            "parcel_city": "SPRINGFIELD",
            "parcel_zip": 1104,
        }
        parcels.append(own)
        household = {"customer_name": f"{last.upper()}, {first.upper()}", "annual_kwh_cost": 100.0}
        rule = RULES[i % 4]
        if rule == "PARCEL":
            households.append({**household, "county": "Essex", "parcel_id": f"S-{i}"})
        elif rule == "CONTACT":
            email = {"email": f"P{i}@Example.org", "customer_name": "SOMEONE, ELSE"}
            households.append({**household, **email, "county": "Morris", "parcel_id": f"M-{i}"})
        elif rule == "NAME":
            parcels.append({**own, "parcel_id": f"N-{i}", "address": f"{2 * i + 2} ELM ST"})
            households.append({**household, "county": "Essex", "parcel_id": f"N-{i}"})
    mongodb.county_residential_collection().insert_many([dict(p) for p in parcels])
    mongodb.county_demographic_collection().insert_many(households)
    for i in range(count):
        first, last = _name(i)
        parcel = next(p for p in parcels if p["parcel_id"] == f"S-{i}")
        top = candidate(parcel, score=90.0, agreement=AGREE_ALL)
        match = queued(MatchQuality.PENDING, score=90.0, candidates=[top])
        person(f"p{i}@example.org", first, last, f"{2 * i + 1} Elm St", "Springfield", "01104",
               match=match)  # fmt: skip
    refresh_rollups(now=NOW)
    return list(Participant.objects.order_by("contact_id"))


def wipe():
    for alias in (mongodb.DEFAULT_ALIAS, mongodb.COUNTY_ALIAS):
        db = get_db(alias)
        for name in db.list_collection_names():
            db.drop_collection(name)
    ReviewDecision.objects.all().delete()


@pytest.fixture
def mongo_calls(monkeypatch):
    """The MongoDB calls made (outermost only: a driver method calling another counts once)."""
    log, depth = [], [0]

    def counted(method, name):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            depth[0] += 1
            try:
                return method(self, *args, **kwargs)
            finally:
                depth[0] -= 1
                if not depth[0]:
                    log.append(f"{self.name}.{name}")

        return wrapper

    collections = (
        mongodb.collection_for(Participant),
        mongodb.county_residential_collection(),
        rollup_collection(),
    )
    for cls in {type(collection) for collection in collections}:
        for name in COUNTED_METHODS:
            monkeypatch.setattr(cls, name, counted(getattr(cls, name), name))
    return log


def bulk_accept(participants, reviewer):
    return services.bulk_accept_top(
        participant_ids=[p.id for p in participants], probability=0.8, reviewer=reviewer, now=NOW
    )


def test_bulk_accept_costs_the_same_queries_for_4_and_for_24_rows(reviewer, mongo_calls):
    calls = {}
    for count in (4, 24):
        wipe()
        participants = seed_street(count)
        mongo_calls.clear()
        with CaptureQueriesContext(connection) as sql:
            stats = bulk_accept(participants, reviewer)
        assert stats == {"changed": count, "conflicts": 0, "left": 0}
        calls[count] = (list(mongo_calls), len(sql.captured_queries))
    assert calls[4] == calls[24]
    mongo, sql = calls[24]
    # Participants read; parcels, 3 household rules, neighbours; write, read back; listing;
    # rollups; the two small writes that mark the write as not announced yet, and the two that
    # mark its decisions as not audited yet (review.audit).
    assert len(mongo) <= 14, mongo
    assert sql <= 4  # one audit insert (plus the transaction's savepoint)


def stored_state():
    """Participants, audit rows and rollups, without ids and the decision's method label."""

    def label_free(doc):
        doc = {key: value for key, value in (doc or {}).items() if key != "_id"}
        if doc.get("match"):
            doc["match"] = {k: v for k, v in doc["match"].items() if k != "method"}
        if "review_history" in doc:  # each decision has a key of its own
            doc["review_history"] = [
                {**entry, "key": None, "after": label_free(entry["after"])}
                for entry in doc["review_history"]
            ]
        return doc

    records = {
        doc["contact_id"]: label_free(doc) for doc in mongodb.collection_for(Participant).find()
    }
    audit = sorted(
        (row.contact_id, row.action, row.county, row.parcel_id, row.reviewer_id,
         label_free(row.before), label_free(row.after))
        for row in ReviewDecision.objects.all()
    )  # fmt: skip
    return records, audit, rollup_snapshot()


def test_bulk_accept_writes_what_accepting_each_row_writes(reviewer, settings):
    settings.MATCH_LINK_BY_NAME = True  # every household rule, the name rule (off by default) too
    participants = seed_street(12)
    assert bulk_accept(participants, reviewer)["changed"] == 12
    bulk = stored_state()

    wipe()
    for participant in seed_street(12):
        top = participant.match.candidates[0]
        services.accept_candidate(
            participant_id=participant.id,
            county=top.county,
            parcel_id=top.parcel_id,
            expected_version=0,
            reviewer=reviewer,
            now=NOW,
        )
    assert bulk == stored_state()
    linked_by = [
        (record.get("demographic_ref") or {}).get("linked_by")
        for _contact, record in sorted(bulk[0].items(), key=lambda item: int(item[0][1:-12]))
    ]
    assert linked_by == [RULES[i % 4] for i in range(12)]
    refresh_rollups(now=NOW)
    assert bulk[2] == rollup_snapshot()  # and both equal a full rebuild


def test_bulk_accept_leaves_a_row_changed_meanwhile_and_counts_it(reviewer, store_faults):
    participants = seed_street(6)
    raced = participants[2]
    collection = mongodb.collection_for(Participant)
    store_faults.race(
        "participants",
        lambda: collection.update_one({"_id": raced.id}, {"$set": {"match.version": 7}}),
    )
    before = raw(raced)
    stats = bulk_accept(participants, reviewer)

    assert stats == {"changed": 5, "conflicts": 1, "left": 0}
    assert raw(raced) == {**before, "match": {**before["match"], "version": 7}}
    audited = set(ReviewDecision.objects.values_list("participant_id", flat=True))
    assert audited == {str(p.id) for p in participants} - {str(raced.id)}
    incremental = rollup_snapshot()
    refresh_rollups(now=NOW)
    assert incremental == rollup_snapshot()


def test_bulk_no_match_is_one_write_and_one_audit_insert(reviewer, mongo_calls):
    participants = seed_street(8)
    mongo_calls.clear()
    with CaptureQueriesContext(connection) as sql:
        stats = services.bulk_no_match(
            participant_ids=[p.id for p in participants],
            reason="PO box",
            reviewer=reviewer,
            now=NOW,
        )
    assert stats == {"changed": 8, "conflicts": 0}
    assert sorted(mongo_calls) == sorted(
        ["participants.find", "participants.bulk_write", "participants.find",
         "participant_listing.bulk_write", "participant_listing_state.update_one",
         "dashboard_rollups.bulk_write", "participants_unannounced.insert_one",
         "participants_unannounced.delete_one",
         "review_audit_pending.insert_many",
         "review_audit_pending.delete_many"]
    )  # fmt: skip
    assert len(sql.captured_queries) <= 4
    assert ReviewDecision.objects.filter(action=ReviewDecision.Action.NO_MATCH).count() == 8


def test_batched_household_linking_answers_each_request_as_alone(settings):
    settings.MATCH_LINK_BY_NAME = True
    seed_street(8)
    links = [
        households.ParcelLink("Essex", f"S-{i}", f"p{i}@example.org", (), *_name(i))
        for i in range(8)
    ]
    links.append(households.ParcelLink("Essex", "no-such-parcel", "p1@example.org"))
    alone = [households.link_demographics_for_parcels([link])[0] for link in links]
    assert households.link_demographics_for_parcels(links) == alone
    assert [(ref or {}).get("linked_by") for ref in alone] == [*RULES, *RULES, None]
    settings.MATCH_LINK_BY_NAME = False
    refs = households.link_demographics_for_parcels(links)
    assert [(ref or {}).get("linked_by") for ref in refs] == [
        "PARCEL", "CONTACT", None, None, "PARCEL", "CONTACT", None, None, None
    ]  # fmt: skip


def store_contact_answers():
    """`match.contact` as matching stores it, on the queue items seed_street made by hand."""
    index = load_index()
    participants = mongodb.collection_for(Participant)
    for doc in participants.find():
        email, phones = doc.get("email_address"), demographics.participant_phones(doc)
        row = demographics.contact_row(index, email=email, phones=phones)
        answer = demographics.contact_answer(index, email=email, phones=phones, row=row)
        participants.update_one({"_id": doc["_id"]}, {"$set": {"match.contact": answer}})


def contact_record(participant):
    """The household record of the stored contact answer, its unset fields left out."""
    record = (raw(participant)["match"].get("contact") or {}).get("record") or {}
    return {key: value for key, value in record.items() if value is not None}


def test_bulk_accept_takes_the_contact_rule_from_the_match_and_links_as_the_query_did(
    reviewer, mongo_calls
):
    household_finds = f"{mongodb.county_demographic_collection().name}.find"
    linked = {}
    for stored_answers in (False, True):
        wipe()
        participants = seed_street(8)
        if stored_answers:
            store_contact_answers()
        answers = [contact_record(p) for p in participants]
        mongo_calls.clear()
        assert bulk_accept(participants, reviewer)["changed"] == 8
        assert [contact_record(p) for p in participants] == answers  # a decision keeps it
        linked[stored_answers] = (
            [raw(p).get("demographic_ref") for p in participants],
            mongo_calls.count(household_finds),
        )
    (queried, queries), (stored, lookups) = linked[False], linked[True]
    assert (queries, lookups) == (2, 1)  # parcels' records, then the contact scan; parcels' only
    assert stored == queried
    assert [(ref or {}).get("linked_by") for ref in stored] == [
        "PARCEL", "CONTACT", None, None, "PARCEL", "CONTACT", None, None
    ]  # fmt: skip
