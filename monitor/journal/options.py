"""The writer's commit and checkpoint policy."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class JournalOptions:
    """Commit and checkpoint policy (the names match ``config.service.JournalSettings``).

    ``commit_interval_s`` bounds how long an urgent record (an event, a cycle's reading)
    waits in memory, ``cold_commit_interval_s`` how long any other record (the cold chain's
    and an idle pasteuriser's readings) does: what a power cut can lose of each (writer.py).
    """

    commit_interval_s: float = 1.0
    cold_commit_interval_s: float = 10.0
    commit_every_records: int = 10_000
    checkpoint_every_records: int = 1000
    checkpoint_every_s: float = 300.0
    max_pending_records: int = 500_000
    max_bytes: int | None = None
    buffer_bytes: int = 16 * 2**20  # memory for records waiting while commits fail

    def __post_init__(self) -> None:
        if not 0 < self.commit_interval_s <= 60:
            raise ValueError("commit_interval_s must be > 0 and at most 60 seconds")
        if not self.commit_interval_s <= self.cold_commit_interval_s <= 60:
            raise ValueError(
                "cold_commit_interval_s must be at least commit_interval_s and at most 60 seconds"
            )
        if min(self.commit_every_records, self.checkpoint_every_records) < 1:
            raise ValueError("commit_every_records and checkpoint_every_records must be >= 1")
        if not self.checkpoint_every_s > 0:
            raise ValueError("checkpoint_every_s must be > 0")
        if self.buffer_bytes < 1:
            raise ValueError("buffer_bytes must be >= 1")
        if self.max_pending_records < self.commit_every_records:
            raise ValueError("max_pending_records must be >= commit_every_records")
