"""The `--report` / `--json` file that commands write beside what they print."""

import json
from pathlib import Path


def write_json_report(path, report):
    """Write `report` as indented JSON (dates and ObjectIds as text), creating the directory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
