"""What people read about lots: where each is, a lot's whole dossier, and traces (L7, L8).

Every read is from the journal after a commit, so it shows what was just done; a journal that
cannot commit now (a full disk) is read as it stands. Traceability (Arrêté 1995 glossary 7):
from a donor's code, the lots her milk went into and where each went; from a lot, its
donors, cycles, stays and recipients.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from datetime import date, timedelta

from config import Settings
from monitor.clock import Clock
from monitor.errors import NotFound
from monitor.evaluation.lot_life import StayLimit, stay_limit
from monitor.evaluation.params import EnclosureKind
from monitor.journal import Journal, JournalError, JournalReader, fold_lot, lot_stream
from monitor.journal.dossier import LotDossier
from monitor.journal.errors import RecordError
from monitor.journal.lot_excursions import EXPOSURE_KINDS, Exposure, lot_exposures
from monitor.journal.lot_state import LotStatus
from monitor.journal.streams import parse_enclosure_day
from monitor.service import wiring
from monitor.service.lot_json import Json, dossier_json, status_json
from monitor.service.lot_registry import LotRegistry, lot_names

DAY_NS = 86_400 * 1_000_000_000


class LotViews:
    """The reads of the lot routes."""

    def __init__(
        self, journal: Journal, settings: Settings, registry: LotRegistry, clock: Clock
    ) -> None:
        self.journal, self.settings, self.registry, self.clock = journal, settings, registry, clock
        self.kinds = {e.id: e.kind for e in settings.enclosures}

    def lots(self, include_closed: bool) -> Json:
        """The open lots (every lot with ``include_closed``), each with its state and place."""
        with self._reader() as reader:
            if include_closed:
                names = lot_names(reader)
                statuses = [
                    self._status(reader, fold_lot(n, reader.stream_records(lot_stream(n))))
                    for n in names
                ]
            else:
                self.registry.refresh(reader)
                statuses = [self._status(reader, e.dossier) for e in self.registry.lots.values()]
        return {"lots": [status_json(s) for s in sorted(statuses, key=lambda s: s.lot)]}

    def enclosure(self, enclosure: str) -> Json:
        """The lots in ``enclosure`` now."""
        kind = self.kinds.get(enclosure)
        if kind is None:
            raise NotFound(unknown_enclosure(self.settings, enclosure))
        with self._reader() as reader:
            self.registry.refresh(reader)
            lots = [self.registry.lots[lot].dossier for lot in self.registry.lots_in(enclosure)]
            statuses = [self._status(reader, dossier) for dossier in lots]
        return {"enclosure": enclosure, "kind": kind, "lots": [status_json(s) for s in statuses]}

    def show(self, lot: str) -> Json:
        """The lot's dossier, its excursions and its deadlines."""
        with self._reader() as reader:
            return self._dossier(reader, lot, with_exposures=True)

    def trace_lot(self, lot: str) -> Json:
        with self._reader() as reader:
            return {"lot": self._dossier(reader, lot, with_exposures=False)}

    def trace_donor(self, donor: str) -> Json:
        """The lots whose sub-lots include ``donor``'s, and where each went."""
        found = []
        with self._reader() as reader:
            for name in lot_names(reader):
                dossier = fold_lot(name, reader.stream_records(lot_stream(name)))
                if donor in dossier.sub_lots:
                    found.append(self._dossier(reader, name, with_exposures=False))
        if not found:
            raise NotFound(f"no lot holds milk of donor {donor!r}")
        return {"donor": donor, "lots": found}

    def read_dossier(self, reader: JournalReader, lot: str) -> Json:
        """``show`` from a reader the caller holds (a web page's, in its worker thread)."""
        return self._dossier(reader, lot, with_exposures=True)

    # -- internals --------------------------------------------------------------------------

    def _dossier(self, reader: JournalReader, lot: str, with_exposures: bool) -> Json:
        try:
            records = reader.stream_records(lot_stream(lot))
        except RecordError:  # no stream can have that name: no lot has it
            records = []
        if not records:
            raise NotFound(f"unknown lot {lot!r}")
        dossier = fold_lot(lot, records)
        outcomes = self.registry.outcomes(dossier.linked_cycles, reader)
        status = self.registry.status_of(dossier, reader)
        now = self.clock.now_ns()
        exposures = read_exposures(reader, dossier, self.settings.site.timezone, now)
        limit = limit_of(status, self.kinds, self.registry)
        return dossier_json(dossier, status, outcomes, exposures if with_exposures else [], limit)

    def _status(self, reader: JournalReader, dossier: LotDossier) -> LotStatus:
        return self.registry.status_of(dossier, reader)

    def _reader(self) -> JournalReader:
        with suppress(JournalError):  # what is committed is still worth reading
            self.journal.flush()
        return JournalReader(self.journal.path)


def limit_of(
    status: LotStatus, kinds: Mapping[str, EnclosureKind], registry: LotRegistry
) -> StayLimit | None:
    """The deadline of the lot's current stay (docs/RULES.md, L10–L11), or None."""
    stay, created = status.stay, status.created_ns
    if stay is None or created is None or status.closed or stay.enclosure not in kinds:
        return None
    frozen = status.frozen_since_pasteurisation
    kind = kinds[stay.enclosure]
    return stay_limit(kind, created, status.pasteurised_ns, frozen, registry.limits)


def read_exposures(
    reader: JournalReader, dossier: LotDossier, timezone: str, now_ns: int
) -> list[Exposure]:
    """The excursions and probe faults of the lot's enclosures during its stays, read from
    the enclosure-days the stays cover (and the day on each side, for what began before)."""
    wanted: set[str] = set()
    spans = [
        (
            s.enclosure,
            _day(s.in_ts, timezone) - timedelta(days=1),
            _day(s.out_ts if s.out_ts is not None else now_ns, timezone) + timedelta(days=1),
        )
        for s in dossier.stays
    ]
    if not spans:
        return []
    for name in reader.stream_names():
        parsed = parse_enclosure_day(name)
        if parsed is None:
            continue
        enclosure, day = parsed
        if any(e == enclosure and first <= day <= last for e, first, last in spans):
            wanted.add(name)
    records = reader.records_of_kinds(EXPOSURE_KINDS, sorted(wanted))
    return lot_exposures(dossier.stays, records, now_ns)


def unknown_enclosure(settings: Settings, enclosure: str) -> str:
    known = ", ".join(e.id for e in settings.enclosures) or "none configured"
    return f"unknown enclosure {enclosure!r} (known: {known})"


def _day(ts_ns: int, timezone: str) -> date:
    return date.fromisoformat(wiring.day_key(ts_ns, timezone))
