"""The review audit trail, kept in SQL next to Django's users (participants live in MongoDB)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

REVIEWERS_GROUP = "reviewers"
REVIEW_PERMISSION = "review.review_participants"


class ReviewDecision(models.Model):
    """One reviewer decision on one participant, with the state before and after it.

    `before` / `after` hold `residence_ref`, `demographic_ref` and `match` in MongoDB extended
    JSON (dates as `{"$date": …}`) so that an undo can restore them exactly.
    """

    class Action(models.TextChoices):
        ACCEPT = "ACCEPT", "Accepted candidate"
        MANUAL_PICK = "MANUAL_PICK", "Picked parcel by hand"
        NO_MATCH = "NO_MATCH", "Marked no match"
        SKIP = "SKIP", "Skipped (can't tell)"
        UNDO = "UNDO", "Undid a decision"

    CHANGING_ACTIONS = (Action.ACCEPT, Action.MANUAL_PICK, Action.NO_MATCH)

    # The decision's key in the participant's `review_history` (review.audit), which this row is
    # written from; None for rows from before that history and for skips (which change nothing).
    key = models.CharField(max_length=32, unique=True, null=True, blank=True, editable=False)
    participant_id = models.CharField(max_length=24, db_index=True)
    contact_id = models.CharField(max_length=320, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_decisions"
    )
    created_at = models.DateTimeField(db_index=True)
    reason = models.TextField(blank=True)
    county = models.CharField(max_length=100, blank=True)
    parcel_id = models.CharField(max_length=100, blank=True)
    before = models.JSONField(encoder=DjangoJSONEncoder, null=True, blank=True)
    after = models.JSONField(encoder=DjangoJSONEncoder, null=True, blank=True)
    undone_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undoes"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("review_participants", "Can review participant matches")]
        indexes = [models.Index(fields=["reviewer", "created_at"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.participant_id} by {self.reviewer_id}"

    @property
    def can_be_undone(self):
        return self.action in self.CHANGING_ACTIONS and self.undone_by_id is None
