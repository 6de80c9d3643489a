"""`manage.py match_participants`: match every participant matching has not settled."""

from matching.management.commands import rematch_participants
from matching.services import DEFAULT_QUALITIES

UNMATCHED = "unmatched"  # --quality for participants matching has never seen (match None)


class Command(rematch_participants.Command):
    help = (
        "Match participants to county parcels and household records: those never matched, "
        "pending and no_match (never a staff decision), as migrate_participants does after "
        "migrating. Exit status: 0 done; 1 failed; 3 done, with participants whose matching "
        "raised (MATCH_ERROR: no_match with the error as its detail)."
    )
    QUALITIES = {UNMATCHED: None, **rematch_participants.Command.QUALITIES}
    DEFAULT = DEFAULT_QUALITIES
