"""The `--report` / `--json` file that commands write beside what they print."""

import json
import sys
from pathlib import Path


def write_json_report(path, report):
    """Write `report` as indented JSON (dates and ObjectIds as text), creating the directory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")


# Exit statuses of the batch commands (migrate_participants, match_participants,
# rematch_participants, sync_emailoctopus): 0 every record was taken; 1 the command failed
# (CommandError: a failed validation, an unreachable store, an API error); 2 wrong arguments;
# 3 the run finished, validated and updated the rollups, but set records aside (quarantined rows,
# participants whose matching raised: MATCH_ERROR, campaigns the sync could not read).
EXIT_SET_ASIDE = 3


class SetAsideExitStatus:
    """A management command mixin: after `handle` has set `self.set_aside` to how many records
    the run set aside, the process exits with EXIT_SET_ASIDE when that is not 0. Only from the
    command line: `call_command` returns as usual (the report says what was set aside)."""

    set_aside = 0

    def run_from_argv(self, argv):
        super().run_from_argv(argv)
        if self.set_aside:
            sys.exit(EXIT_SET_ASIDE)
