"""The options of a migration run (`migrate_participants`, see its --help)."""

from dataclasses import dataclass

DEFAULT_BATCH_SIZE = 1000


@dataclass(frozen=True)
class MigrationOptions:
    batch_size: int = DEFAULT_BATCH_SIZE  # rows per fetch from the source, people per bulk write
    limit: int | None = None  # only the first N source rows by `_id`
    dry_run: bool = False  # do everything, write nothing
    skip_matching: bool = False
    backup_dir: str | None = None  # export the source here first
    progress: bool = True  # progress bars on a terminal
