"""Daily sheets read from the journal: a day's or a month's, with their signatures and review.

Only records of the kinds a sheet shows are read (the closing record, excursions, probe
faults), by kind, so a day of readings is not decoded to print its sheet. Everything is read
inside one snapshot, so a sheet and its signatures are from the same moment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from monitor.journal import JournalReader, Record
from monitor.journal.streams import StreamKind, enclosure_day_stream, sheets_stream, stream_prefix
from monitor.sheets.model import (
    REVIEWED,
    SIGNED,
    SUMMARISED,
    Act,
    DailySheet,
    Excursion,
    Figures,
    MonthSheets,
    ProbeFault,
    integer,
    number,
    text,
)

STARTED, ALARMED, ENDED = "excursion_started", "excursion_alarmed", "excursion_ended"
FAULTS = {"probe_fault_raised": "fault", "probe_stale_raised": "stale",
          "probe_stuck_raised": "stuck"}  # fmt: skip
KINDS = (SUMMARISED, STARTED, ALARMED, ENDED, *FAULTS)


def read_sheet(reader: JournalReader, enclosure: str, day: date) -> DailySheet:
    """The sheet of ``enclosure`` for ``day``; an unrecorded day reads as an empty sheet."""
    stream = enclosure_day_stream(enclosure, day)
    previous = enclosure_day_stream(enclosure, day - timedelta(days=1))
    with reader.snapshot():
        found = _Found(set(reader.stream_names()))
        found.add(reader, stream)
        found.sides(reader, previous)
        acts = reader.stream_records(sheets_stream(enclosure, day.replace(day=1)))
    reviews = [Act.of(r) for r in acts if r.kind == REVIEWED]
    return replace(found.sheet(enclosure, day, acts), month_review=reviews[-1] if reviews else None)


def read_month(reader: JournalReader, enclosure: str, month: date) -> MonthSheets:
    """Every recorded sheet of ``enclosure`` in ``month``, and the month's reviews."""
    month = month.replace(day=1)
    prefix = f"{stream_prefix(StreamKind.ENCLOSURE_DAY)}{enclosure}:{month:%Y-%m}-"
    enclosure_day_stream(enclosure, month)  # a malformed enclosure id is refused here
    stream = sheets_stream(enclosure, month)
    with reader.snapshot():
        found = _Found(set(reader.stream_names()))
        found.add(reader, prefix)
        found.sides(reader, enclosure_day_stream(enclosure, month - timedelta(days=1)))
        acts = reader.stream_records(stream)
    days = sorted(d for n in found.names if n.startswith(prefix) and (d := _day_of(n)))
    sheets = tuple(found.sheet(enclosure, d, acts) for d in days)
    reviews = tuple(Act.of(r) for r in acts if r.kind == REVIEWED)
    return MonthSheets(enclosure, month, stream, sheets, reviews)


def recorded_enclosures(reader: JournalReader) -> set[str]:
    """The enclosures the journal holds days of (one no longer configured included)."""
    prefix = stream_prefix(StreamKind.ENCLOSURE_DAY)
    names = [n.removeprefix(prefix) for n in reader.stream_names() if n.startswith(prefix)]
    return {n.rsplit(":", 1)[0] for n in names}


@dataclass
class _Found:
    """The records of the sheets' kinds, by stream, and the side of each excursion."""

    names: set[str]
    by_stream: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))
    side_at: dict[int, str] = field(default_factory=dict)

    def add(self, reader: JournalReader, prefix: str) -> None:
        records = [r for kind in KINDS for r in reader.records_of_kind(kind, prefix)]
        for record in sorted(records, key=lambda r: (r.stream, r.seq)):
            self.by_stream[record.stream].append(record)
            if record.kind in (STARTED, ALARMED):
                since = record.ts if record.kind == STARTED else integer(record.fields, "since_ts")
                if since is not None:
                    self.side_at.setdefault(since, text(record.fields, "side"))

    def sides(self, reader: JournalReader, stream: str) -> None:
        """Sides of excursions that began in ``stream`` (the day before) and went on."""
        for record in reader.records_of_kind(STARTED, stream):
            self.side_at.setdefault(record.ts, text(record.fields, "side"))

    def sheet(self, enclosure: str, day: date, acts: list[Record]) -> DailySheet:
        stream = enclosure_day_stream(enclosure, day)
        records = self.by_stream.get(stream, [])
        summary = next((r for r in records if r.kind == SUMMARISED), None)
        signatures = tuple(
            Act.of(r) for r in acts if r.kind == SIGNED and text(r.fields, "day") == day.isoformat()
        )
        figures = Figures.of(summary) if summary is not None else None
        return DailySheet(enclosure, day, stream, stream in self.names, figures,
                          self._excursions(records), _faults(records),
                          signatures)  # fmt: skip

    def _excursions(self, records: list[Record]) -> tuple[Excursion, ...]:
        found: dict[int, Excursion] = {}
        starts = {r.ts for r in records if r.kind == STARTED}
        for record in records:
            f = record.fields
            since = record.ts if record.kind == STARTED else integer(f, "since_ts")
            if record.kind not in (STARTED, ALARMED, ENDED) or since is None:
                continue
            entry = found.get(since) or Excursion(
                since, self.side_at.get(since, ""), since not in starts, False
            )
            if record.kind == ALARMED:
                entry = replace(entry, alarmed=True)
            elif record.kind == ENDED:
                entry = replace(
                    entry, alarmed=entry.alarmed or f.get("alarmed") is True, ended_ts=record.ts,
                    worst_c=number(f, "worst_c"), measured_out_s=number(f, "measured_out_s"),
                    unmeasured_out_s=number(f, "unmeasured_out_s"),
                )  # fmt: skip
            found[since] = entry
        return tuple(sorted(found.values(), key=lambda e: e.since_ts))


def _day_of(stream: str) -> date | None:
    try:
        return date.fromisoformat(stream.rsplit(":", 1)[1])
    except ValueError:
        return None


def _faults(records: list[Record]) -> tuple[ProbeFault, ...]:
    out = []
    for record in records:
        what = FAULTS.get(record.kind)
        if what is None:
            continue
        f = record.fields
        if what == "fault":
            detail = text(f, "detail")
        elif what == "stale":
            limit = number(f, "stale_after_s")
            detail = f"no reading for more than {limit:g} s" if limit is not None else ""
        else:
            value = number(f, "value_c")
            detail = f"the same {value:.2f} °C for too long" if value is not None else ""
        out.append(ProbeFault(record.ts, text(f, "subject"), what, detail))
    return tuple(out)
