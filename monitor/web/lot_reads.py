"""The lots as the pages read them: the list with each lot's state, and one lot's dossier.

Both are read in a worker thread (``read_journal``) with the lot desk's own rules (its
registry's cycle verdicts, its limits), so a page and ``lactamon lot show`` say the same.
"""

from __future__ import annotations

from typing import Any

from monitor.errors import NotFound
from monitor.journal import JournalReader, fold_lot, lot_stream
from monitor.journal.errors import RecordError
from monitor.service.facade import ServiceFacade
from monitor.service.lot_json import Json, status_json
from monitor.service.lot_registry import lot_names
from monitor.web.journal_reads import read_journal


async def read_lots(service: ServiceFacade, include_closed: bool) -> list[Json]:
    """The lots by number: the open ones, or every one with ``include_closed``."""
    desk = service.lot_desk
    # The open lots are those the registry holds: their names taken here, on the loop,
    # which the desk changes them on; the thread reads only their streams.
    held = sorted(desk.registry.lots)

    def read(reader: JournalReader) -> list[Json]:
        names = lot_names(reader) if include_closed else held
        found = []
        for name in names:
            records = reader.stream_records(lot_stream(name))
            if not records:
                continue
            status = desk.registry.status_of(fold_lot(name, records), reader)
            if include_closed or not status.closed:
                found.append(status_json(status))
        return sorted(found, key=lambda lot: str(lot["lot"]))

    return await read_journal(service, read)


async def read_lot(service: ServiceFacade, lot: str) -> Json:
    """The lot's dossier, excursions and deadline (``NotFound`` for an unknown lot), with
    ``records``: each record's number and kind, what a correction names."""
    views = service.lot_desk.views

    def read(reader: JournalReader) -> Json:
        dossier = views.read_dossier(reader, lot)
        records = reader.stream_records(lot_stream(lot))  # a known lot: its name is valid
        return {**dossier, "records": [(r.seq, r.kind) for r in records]}

    return await read_journal(service, read)


def lot_choices(service: ServiceFacade, dossier: Json) -> dict[str, Any]:
    """What the lot page's forms offer: the enclosures, the excursions to decide on."""
    enclosures = [
        {"id": e.id, "name": e.name or e.id, "kind": e.kind}
        for e in service.pipeline.settings.enclosures
    ]
    alarms = list(dict.fromkeys(x["alarm"] for x in dossier["excursions"]))
    return {"enclosures": enclosures, "excursion_alarms": alarms}


async def check_lot(service: ServiceFacade, lot: str) -> None:
    """``NotFound`` unless the journal holds the lot (a name no stream can have included)."""

    def read(reader: JournalReader) -> bool:
        try:
            return reader.stream_head(lot_stream(lot)) is not None
        except RecordError:
            return False

    if not await read_journal(service, read):
        raise NotFound(f"unknown lot {lot!r}")
