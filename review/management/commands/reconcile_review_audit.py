"""`manage.py reconcile_review_audit`: write the audit row of every decision that lacks one."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from empowersave import mongodb
from review.services import reconcile_audit


class Command(BaseCommand):
    help = (
        "Write the SQL audit row (ReviewDecision) of every review decision that a participant's "
        "history holds without one: a decision whose audit insert failed, or whose process "
        "died between the two writes. The review pages do the same before they read the trail."
    )

    def handle(self, *args, **options):
        mongodb.connect()
        written = reconcile_audit(now=timezone.now())
        self.stdout.write(f"Reconciled {written} review decision(s).")
