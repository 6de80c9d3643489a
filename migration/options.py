"""The options of a migration run (`migrate_participants`, see its --help)."""

from dataclasses import dataclass

# Each batch written is followed by one journaled rollup update per rollup document it touches
# (dashboard.rollups: a batch of 1,000 people touches most of the 389 ZIPs). At full scale
# (32,655 people, local store, load 7-8) the writes took 46 s in batches of 1,000 (rollups 21 s)
# and 21 s in batches of 5,000 (rollups 4.8 s).
DEFAULT_BATCH_SIZE = 5000


@dataclass(frozen=True)
class MigrationOptions:
    batch_size: int = DEFAULT_BATCH_SIZE  # rows per fetch from the source, people per bulk write
    limit: int | None = None  # only the first N source rows by `_id`
    dry_run: bool = False  # do everything, write nothing
    skip_matching: bool = False
    backup_dir: str | None = None  # export the source here first
    progress: bool = True  # progress bars on a terminal
