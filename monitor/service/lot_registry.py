"""The lots still open, held in memory: which enclosure each is in, and their cycles' verdicts.

The daemon needs them at moments when it must not read or commit the journal: an alarm
raised while a reading is being recorded names the lots in its enclosure at once
(``excursion_lots``). So the registry is filled from the journal at the start, then kept by
the lot desk after each act (from the records it read and appended, committed or not) and
by the lot watch every minute (from what is committed). A lot's records are only ever taken
for newer ones, so a read of what is committed never hides what an act has just appended.
A closed lot (destroyed, or all of it distributed) leaves the registry.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.evaluation.lot_life import LotLimits
from monitor.journal import JournalError, JournalReader, Record, fold_lot, lot_stream
from monitor.journal.dossier import LotDossier
from monitor.journal.lot_state import (
    CLOSING,
    CycleOutcome,
    LotStatus,
    cycle_outcome,
    lot_status,
)
from monitor.journal.streams import StreamKind, stream_prefix

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OpenLot:
    """A lot's records as last taken, and its dossier."""

    records: tuple[Record, ...]
    dossier: LotDossier

    @property
    def seq(self) -> int:
        return self.records[-1].seq if self.records else 0


class LotRegistry:
    """Open lots by number; cycle outcomes by cycle, kept once the cycle is closed."""

    def __init__(self, limits: LotLimits, freezers: Iterable[str]) -> None:
        self.limits = limits
        self.freezers = frozenset(freezers)
        self.lots: dict[str, OpenLot] = {}
        self._closed: set[str] = set()  # seen closed: not read again each minute
        self._outcomes: dict[str, CycleOutcome] = {}

    # -- filling ----------------------------------------------------------------------------

    def load(self, reader: JournalReader) -> None:
        """Every lot of the journal; the open ones are kept."""
        for lot in lot_names(reader):
            self.take(lot, reader.stream_records(lot_stream(lot)), reader)

    def load_quietly(self, path: Path) -> None:
        """``load`` from the journal at ``path``; a journal that cannot be read leaves the
        registry empty and says so in the log (the lot watch tries again each minute)."""
        try:
            with JournalReader(path) as reader:
                self.load(reader)
        except JournalError as exc:
            log.error("lots not read from the journal (%s): the lot watch tries again", exc)

    def refresh(self, reader: JournalReader) -> None:
        """Take what the journal holds of every lot not seen closed, when newer than what is
        held: the cycles linked when they started, a lot missed at the start."""
        for lot in lot_names(reader):
            if lot in self._closed:
                continue
            held = self.lots.get(lot)
            head = reader.stream_head(lot_stream(lot))
            if head is None or (held is not None and head[0] <= held.seq):
                continue
            self.take(lot, reader.stream_records(lot_stream(lot)), reader)

    def take(
        self, lot: str, records: Sequence[Record], reader: JournalReader | None = None
    ) -> LotStatus | None:
        """The lot's records, if newer than those held; its status, or None when unknown."""
        held = self.lots.get(lot)
        if not records or (held is not None and records[-1].seq < held.seq):
            return None if held is None else self.status_of(held.dossier, reader)
        dossier = fold_lot(lot, records)
        status = self.status_of(dossier, reader)
        if status.closed:
            self.lots.pop(lot, None)
            self._closed.add(lot)
        else:
            self.lots[lot] = OpenLot(tuple(records), dossier)
            self._closed.discard(lot)
        return status

    # -- reading ----------------------------------------------------------------------------

    def status_of(self, dossier: LotDossier, reader: JournalReader | None = None) -> LotStatus:
        return lot_status(
            dossier, self.outcomes(dossier.linked_cycles, reader), self.limits, self.freezers
        )

    def outcomes(
        self, cycles: Iterable[str], reader: JournalReader | None = None
    ) -> dict[str, CycleOutcome]:
        """Each cycle's outcome: a closed one from memory, the others from ``reader``."""
        found = {}
        for cycle in cycles:
            outcome = self._outcomes.get(cycle)
            if outcome is None and reader is not None:
                # Its closing records alone: a cycle holds some 16,000 readings, which read
                # whole for each lot at a start left the daemon 15 MB larger for good.
                outcome = cycle_outcome(reader.records_of_kinds(CLOSING, [cycle]))
                if outcome.verdict:  # a verdict is final: its stream is closed with it
                    self._outcomes[cycle] = outcome
            found[cycle] = outcome or CycleOutcome()
        return found

    def statuses(self) -> list[LotStatus]:
        return [self.status_of(entry.dossier) for _, entry in sorted(self.lots.items())]

    def lots_in(self, enclosure: str) -> list[str]:
        """The open lots in ``enclosure`` now, by number."""
        return sorted(
            lot
            for lot, entry in self.lots.items()
            if any(s.enclosure == enclosure and s.out_ts is None for s in entry.dossier.stays)
        )


def lot_names(reader: JournalReader) -> list[str]:
    """Every lot number the journal holds, in order."""
    prefix = stream_prefix(StreamKind.LOT)
    return [name.removeprefix(prefix) for name in reader.stream_names() if name.startswith(prefix)]
