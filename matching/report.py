"""Match quality against the demo ground truth (`demo_ground_truth` in the county database).

Residence: a link is correct when (county, parcel_id) equals the person's true parcel.
precision = correct links / links; recall = correct links / people who truly live at a parcel.
Demographic: the same with the true household record's parcel (`demographic_parcel_id`).
"""

from collections import Counter, defaultdict

from empowersave import mongodb
from matching.households import parcel_docs
from matching.index import by_parcel, email_key, name_key, phone_key
from matching.scoring import participant_query
from participants.documents import MatchQuality, Participant

OUTCOMES = ("correct", "wrong_parcel", "linked_no_truth", "missed", "correctly_unlinked")
PROJECTION = {
    "contact_id": 1,
    "fields.Address": 1,
    "fields.City": 1,
    "fields.ZIP": 1,
    "match.quality": 1,
    "residence_ref": 1,
    "demographic_ref.county": 1,
    "demographic_ref.parcel_id": 1,
}
LEFT_PROJECTION = {
    "match.candidates": 1,
    "email_address": 1,
    "phone_number": 1,
    **{
        f"fields.{name}": 1 for name in ("Address", "City", "ZIP", "FirstName", "LastName", "Phone")
    },
}


def _ratio(numerator, denominator):
    return round(numerator / denominator, 4) if denominator else None


def _scores(outcomes):
    """Precision, recall and F1 of one kind of link from its Counter of _outcome()s."""
    correct = outcomes["correct"]
    linked = correct + outcomes["wrong_parcel"] + outcomes["linked_no_truth"]
    truths = correct + outcomes["wrong_parcel"] + outcomes["missed"]
    precision, recall = _ratio(correct, linked), _ratio(correct, truths)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision and recall else None
    return {
        "links": linked,
        "correct": correct,
        "wrong": linked - correct,
        "truth_links": truths,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def _outcome(predicted, truth):
    if predicted is not None:
        if predicted == truth:
            return "correct"
        return "wrong_parcel" if truth is not None else "linked_no_truth"
    return "missed" if truth is not None else "correctly_unlinked"


def _key(ref):
    if not ref or not ref.get("parcel_id"):
        return None
    return (ref.get("county"), str(ref["parcel_id"]))


def quality_report(*, sample_size=10):
    """Precision, recall and F1 for residence and demographic links, a confusion table by
    quality, coverage, a sample of wrong residence links with both addresses, and of the matchable
    people left unlinked (for review), how many have their true parcel as the first candidate."""
    truth = {}
    for doc in mongodb.ground_truth_collection().find({}, {"_id": 0}):
        county = doc.get("county")
        parcel = (county, str(doc["parcel_id"])) if doc.get("parcel_id") else None
        household_id = doc.get("demographic_parcel_id")
        household = (county, str(household_id)) if household_id else None
        truth[doc.get("contact_id")] = (parcel, household)
    residence, household = Counter(), Counter()
    confusion = defaultdict(Counter)
    qualities = Counter()
    participants = without_truth = residence_linked = demographic_linked = 0
    missed = {}  # _id → true parcel of the matchable people left unlinked
    wrong = []
    for doc in mongodb.collection_for(Participant).find({}, PROJECTION):
        participants += 1
        quality = (doc.get("match") or {}).get("quality") or "unmatched"
        qualities[quality] += 1
        predicted_parcel = _key(doc.get("residence_ref"))
        predicted_household = _key(doc.get("demographic_ref"))
        residence_linked += predicted_parcel is not None
        demographic_linked += predicted_household is not None
        if doc.get("contact_id") not in truth:
            without_truth += 1
            continue
        true_parcel, true_household = truth[doc["contact_id"]]
        outcome = _outcome(predicted_parcel, true_parcel)
        if outcome == "missed":
            missed[doc["_id"]] = true_parcel
        residence[outcome] += 1
        confusion[quality][outcome] += 1
        household[_outcome(predicted_household, true_household)] += 1
        if outcome in ("wrong_parcel", "linked_no_truth") and len(wrong) < sample_size:
            wrong.append((doc, true_parcel, quality))
    return {
        "participants": participants,
        "scored": participants - without_truth,
        "without_ground_truth": without_truth,
        "match_quality": dict(sorted(qualities.items())),
        "coverage": {
            "residence": _ratio(residence_linked, participants),
            "demographic": _ratio(demographic_linked, participants),
        },
        "residence": _scores(residence),
        "demographic": _scores(household),
        "confusion": {
            quality: {outcome: confusion[quality][outcome] for outcome in OUTCOMES}
            for quality in (*MatchQuality.CHOICES, "unmatched")
            if quality in confusion
        },
        "wrong_links": _describe_wrong(wrong),
        "left_for_review": _left_for_review(missed),
    }


def _left_for_review(missed):
    """Of the matchable people left unlinked, how many have their true parcel as the first
    candidate kept for review (one query by _id for their candidates), in all and among those
    whose own details point at that parcel: a street, or their name, email or phone on the
    parcel's household record. Without either, nothing they gave names the parcel (no street,
    and a household record of someone else or none), so no order can put it first."""
    left, with_evidence = Counter(), Counter()
    if missed:
        docs = list(
            Participant._get_collection().find({"_id": {"$in": list(missed)}}, LEFT_PROJECTION)
        )
        queries = {doc["_id"]: participant_query(doc) for doc in docs}
        people = _household_people(
            {missed[_id] for _id, query in queries.items() if query.street is None}
        )
        for doc in docs:
            true_parcel, query = missed[doc["_id"]], queries[doc["_id"]]
            shown = _shown(doc, true_parcel)
            left[shown] += 1
            if query.street is not None or _names_them(query, people.get(true_parcel, ())):
                with_evidence[shown] += 1
    return {
        "matchable": sum(left.values()),
        "truth_first": left["first"],
        "truth_first_share": _ratio(left["first"], sum(left.values())),
        "truth_among_candidates": left["first"] + left["among"],
        "with_evidence": sum(with_evidence.values()),
        "with_evidence_truth_first": with_evidence["first"],
        "with_evidence_truth_first_share": _ratio(
            with_evidence["first"], sum(with_evidence.values())
        ),
    }


def _household_people(parcels):
    """{(county, parcel_id): [(name, email, phone) keys of its household records]}, one query."""
    people = defaultdict(list)
    if parcels:
        projection = {"county": 1, "parcel_id": 1, "customer_name": 1, "email": 1, "mobile": 1}
        for doc in mongodb.county_demographic_collection().find(by_parcel(parcels), projection):
            key = (doc.get("county"), str(doc.get("parcel_id")))
            if key in parcels:
                people[key].append(
                    (
                        name_key(doc.get("customer_name")),
                        email_key(doc.get("email")),
                        phone_key(doc.get("mobile")),
                    )
                )
    return people


def _names_them(query, people):
    """Whether one of the household records is the participant: their full name, email or
    phone (matching.index keys)."""
    return any(
        (query.name and name == query.name)
        or (query.email and email == query.email)
        or (phone and phone in query.phones)
        for name, email, phone in people
    )


def _shown(doc, true_parcel):
    """Where a missed person's true parcel stands among the candidates kept for review."""
    keys = [_key(c) for c in (doc.get("match") or {}).get("candidates") or []]
    if keys and keys[0] == true_parcel:
        return "first"
    return "among" if true_parcel in keys else "absent"


def _describe_wrong(wrong):
    """Both addresses of each sampled wrong link: what the participant typed, the parcel it got,
    and the true parcel."""
    true_parcels = parcel_docs({parcel for _doc, parcel, _quality in wrong if parcel})
    addresses = {key: _parcel_line(doc) for key, doc in true_parcels.items()}
    rows = []
    for doc, true_parcel, quality in wrong:
        fields = doc.get("fields") or {}
        typed = ", ".join(str(fields.get(k) or "") for k in ("Address", "City", "ZIP"))
        rows.append(
            {
                "contact_id": doc.get("contact_id"),
                "quality": quality,
                "typed": typed,
                "linked": _parcel_line(doc.get("residence_ref") or {}),
                "truth": addresses.get(true_parcel) if true_parcel else None,
            }
        )
    return rows


def _parcel_line(ref):
    parts = (ref.get("address"), ref.get("parcel_city"), ref.get("parcel_zip"))
    return f"{ref.get('county')} {ref.get('parcel_id')}: " + ", ".join(str(p) for p in parts)
