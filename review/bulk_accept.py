"""Which selected queue items a bulk "accept at probability ≥ p" links (read only).

The matcher's own acceptance rule, with the reviewer's p in place of MATCH_ACCEPT_PROBABILITY:
the top candidate (the best by weight, as matching kept them) is linked when

- its probability is at least p,
- it leads the runner-up by at least MATCH_MIN_WEIGHT_GAP bits (`match.weight_gap`; a lone
  candidate leads), so that of two identical addresses in two towns neither is taken, and
- the matcher's evidence rule holds for it (matching.explanations.evidence_holds, which runs
  matching.scoring.evidence_holds on the candidate's stored levels): a candidate whose house
  number differs is never linked on its address alone, only when the household record's
  person carries it; a candidate stored without its field weights is not linked;
- matching did not find it by one of the review's wider searches alone (matching.scoring
  REVIEW_ONLY: the house number elsewhere in the city, the participant's name on a record
  anywhere, a misspelt name in the ZIP), which matching never accepts by itself either: such a
  find ranks a candidate for a reviewer's eyes, one participant at a time.

The plan is what the confirmation page counts and lists, and what the service then writes
(review.services.bulk_accept_top), so the two cannot disagree. One query: the selected
participants by `_id` (a point lookup), those no longer waiting for review left out.
"""

from dataclasses import dataclass, field

from bson import ObjectId
from django.conf import settings

from empowersave import mongodb
from matching.explanations import evidence_holds, probability_text
from matching.scoring import REVIEW_ONLY
from participants import review_order
from participants import services as participant_services
from participants.documents import Participant
from participants.stored_numbers import stored_probability

BELOW = "below"
NO_EVIDENCE = "no_evidence"
UNCLEAR = "unclear"
NO_CANDIDATE = "no_candidate"
WIDER_SEARCH = "wider_search"
LEFT_REASONS = {
    BELOW: "best probability under the threshold",
    NO_EVIDENCE: "the evidence rule does not hold (e.g. the house number differs and no "
    "household record names the participant)",
    UNCLEAR: "the runner-up is too close (ambiguous)",
    WIDER_SEARCH: "found only by a wider search (the name, or the house number elsewhere), "
    "so each is confirmed on its own page",
    NO_CANDIDATE: "no candidate",
}


@dataclass(frozen=True)
class Planned:
    """A participant the bulk accept will link, to its top candidate."""

    doc: dict
    top: dict

    @property
    def participant_id(self):
        return str(self.doc["_id"])

    @property
    def seen(self):
        """ "id:version": what the confirmation page showed (see forms.BulkActionForm)."""
        return f"{self.doc['_id']}:{participant_services.match_version(self.doc)}"

    @property
    def probability_text(self):
        return probability_text(stored_probability(self.top))


@dataclass(frozen=True)
class BulkAcceptPlan:
    probability: float
    to_link: list = field(default_factory=list)  # Planned, in selection order
    left: dict = field(default_factory=dict)  # reason → how many are left in the queue
    gone: int = 0  # selected, but no longer waiting for review

    @property
    def left_rows(self):
        """(reason text, count) of the items left in the queue, in LEFT_REASONS order."""
        return [(text, self.left[key]) for key, text in LEFT_REASONS.items() if self.left.get(key)]


def queue_documents(participant_ids):
    """The raw documents of those participants that still wait for review, in the given order."""
    oids = [ObjectId(str(pid)) for pid in participant_ids]
    found = {
        doc["_id"]: doc
        for doc in mongodb.collection_for(Participant).find({"_id": {"$in": oids}})
        if doc.get(review_order.FIELD)
    }
    return [found[oid] for oid in dict.fromkeys(oids) if oid in found]


def why_left(doc, *, probability, min_gap):
    """None when the bulk accept links this queue item's top candidate, else the reason."""
    match = doc.get("match") or {}
    candidates = match.get("candidates") or []
    if not candidates:
        return NO_CANDIDATE
    top = candidates[0]
    if (stored_probability(top) or 0.0) < probability:
        return BELOW
    gap = match.get("weight_gap")
    if len(candidates) > 1 and (gap is None or gap < min_gap):
        return UNCLEAR
    if not evidence_holds(top):
        return NO_EVIDENCE
    if match.get("method") in REVIEW_ONLY:
        return WIDER_SEARCH
    return None


def bulk_accept_plan(*, participant_ids, probability, min_gap=None):
    """The BulkAcceptPlan of the selected participants at probability ≥ `probability`."""
    min_gap = settings.MATCH_MIN_WEIGHT_GAP if min_gap is None else min_gap
    docs = queue_documents(participant_ids)
    plan = BulkAcceptPlan(probability=probability, gone=len(set(participant_ids)) - len(docs))
    for doc in docs:
        reason = why_left(doc, probability=probability, min_gap=min_gap)
        if reason is None:
            plan.to_link.append(Planned(doc=doc, top=doc["match"]["candidates"][0]))
        else:
            plan.left[reason] = plan.left.get(reason, 0) + 1
    return plan
