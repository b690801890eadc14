"""A week of the demo lab in a journal, for the web application's benchmarks.

The lab of ``test_demo_footprint.write_lab`` (3 pasteuriser probes read every second, 8
fridges and freezers every 10 s), written as the daemon writes it: each reading in the
stream the pipeline puts it in (its pasteuriser's idle day or running cycle, its
enclosure's day, named in the site's time zone) with its equipment tag, one commit per
simulated minute. Every day at 08:00 local time P1 pasteurises a lot in a 90-minute cycle
(``test_dossier_speed._cycle_value``: 5,400 readings on each probe), passed and sealed; the
lot is created, linked, released and stored in a fridge, as people do. ``add_reader`` adds
the technician the benchmarks sign in as; ``prime`` has the daemon replay the week once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher

from config import Settings
from monitor.journal import (
    Journal,
    JournalOptions,
    LotBook,
    cycle_stream,
    generate_key_file,
    load_key_file,
)
from monitor.journal.keys import DeviceKey
from monitor.journal.lot_book import signed
from monitor.journal.streams import StreamKind, day_stream, lot_stream
from monitor.reading import Quality, Reading
from monitor.signature import Signature
from monitor.users import Role, UserStore
from tests.benchmarks.test_demo_footprint import BIN, running, wait_for_line
from tests.benchmarks.test_dossier_speed import CYCLE_S, _Clock, _cycle_value

S = 1_000_000_000
DAYS = 7
CYCLE_AT = time(8, 0)
ANNE = Signature("anne", "Anne Martin", "recorded")
SOPHIE = Signature("sophie", "Dr Sophie Bernard", "released")
# A commit per simulated minute (or 10,000 records): the daemon's records, not its commits
# of every second, whose syncs would take longer than the rest of the week.
BUILD = JournalOptions(commit_interval_s=60, cold_commit_interval_s=60)
OFFSETS = {"bath": 1.0, "reference": 0.0, "bottle": 0.1}
STORE = "F2"  # the fridge of pasteurised milk
USER, PASSWORD = "anne", "correct horse battery"
PRIME_TIMEOUT_S = 600.0  # the replay of a week: about 30 s on a quiet machine


@dataclass(frozen=True, slots=True)
class Week:
    """What was written: the cycles (oldest first), their lots, and the number of readings."""

    cycles: list[str]
    lots: list[str]
    readings: int


def write_week(settings: Settings, end_ns: int, days: int = DAYS) -> Week:
    """``days`` of the lab's records up to ``end_ns`` in the journal of ``settings``."""
    zone = ZoneInfo(settings.site.timezone)
    start_ns = end_ns - days * 86_400 * S
    starts = _cycle_starts(start_ns, end_ns, zone)
    (pasteuriser,) = settings.pasteurisers
    probes = [(p.probe, OFFSETS[str(p.role)]) for p in pasteuriser.probes]
    cold = [
        (probe, e.id, -20.0 if str(e.kind) == "freezer" else 3.0)
        for e in settings.enclosures
        for probe in e.probes
    ]
    clock = _Clock(start_ns)
    cycles: list[str] = []
    lots: list[str] = []
    readings = 0
    with Journal(settings.journal.path, _key(settings), clock, BUILD) as journal:
        book = LotBook(journal, settings.site.lot_number_pattern)
        cycle: str | None = None
        cycle_start = 0
        for s in range((end_ns - start_ns) // S):
            now = clock.now = start_ns + s * S
            if cycle is None and starts and now >= starts[0]:
                cycle_start = starts.pop(0)
                lot = f"L{datetime.fromtimestamp(now / S, zone):%Y}-{len(lots) + 1:03d}"
                cycle = _start_cycle(journal, book, pasteuriser.id, lot, now)
                cycles.append(cycle)
                lots.append(lot)
            t = (now - cycle_start) // S
            if cycle is not None:
                value = _cycle_value(t)
                stream = cycle
            else:
                value = 20.0 + (s % 11) / 10
                stream = day_stream(StreamKind.PASTEURISER_DAY, pasteuriser.id, _day(now, zone))
            for probe, offset in probes:
                reading = Reading(probe, now, value + offset, Quality.OK)
                journal.append_reading(stream, reading, {"equipment": pasteuriser.id})
            readings += len(probes)
            if cycle is not None:
                if t == 15 * 60:
                    journal.append_event(cycle, "hold_started", {"coldest_c": value, "attempt": 1})
                elif t == 45 * 60:
                    journal.append_event(cycle, "hold_completed", {"held_s": 1800.0})
                elif t == CYCLE_S - 1:
                    _end_cycle(journal, book, cycle, lots[-1], STORE, now)
                    cycle = None
            # Each enclosure once every 10 s, in turn (as their sensors publish).
            for i, (probe, enclosure, base) in enumerate(cold):
                if s % 10 == i % 10:
                    stream = day_stream(StreamKind.ENCLOSURE_DAY, enclosure, _day(now, zone))
                    reading = Reading(probe, now, base + (s % 7) / 10, Quality.OK)
                    journal.append_reading(stream, reading, {"equipment": enclosure})
                    readings += 1
        clock.now = end_ns
    return Week(cycles, lots, readings)


def _key(settings: Settings) -> DeviceKey:
    path = settings.signing.key_file
    return load_key_file(path) if path.exists() else generate_key_file(path)


def _day(ts: int, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(ts // S, zone).date().isoformat()


def _cycle_starts(start_ns: int, end_ns: int, zone: ZoneInfo) -> list[int]:
    """08:00 local time each day of the span, whose cycle ends before the span does."""
    first = datetime.fromtimestamp(start_ns // S, zone).date()
    out = []
    for n in range((end_ns - start_ns) // (86_400 * S) + 2):
        at = int(datetime.combine(first + timedelta(days=n), CYCLE_AT, zone).timestamp()) * S
        if start_ns <= at and at + CYCLE_S * S <= end_ns:
            out.append(at)
    return out


def _start_cycle(journal: Journal, book: LotBook, pasteuriser: str, lot: str, now: int) -> str:
    book.create(lot, ["D001", "D002"], ANNE)
    book.record_bacteriology(lot, "before", 5e3, 10, ANNE, "LAB-1")
    cycle = cycle_stream(pasteuriser, now)
    journal.append_event(cycle, "cycle_started", {
        "subject": cycle, "program": "holder63", "setpoint_c": 63.0, "hold_s": 1800.0,
        "lots": lot, "judged_probes": f"{pasteuriser}-ref", "judged_on_bath": False,
        "gap_limit_s": 3.0, "cooling_target_c": 6.0}, ts=now)  # fmt: skip
    return cycle


def _end_cycle(
    journal: Journal, book: LotBook, cycle: str, lot: str, fridge: str, now: int
) -> None:
    journal.append_event(cycle, "cycle_passed", {
        "subject": cycle, "outcome": "pass", "reasons": "", "to_mark_s": 780.0,
        "to_setpoint_s": 900.0, "plateau_s": 3000.0, "hold_min_c": 63.4, "hold_max_c": 63.6,
        "above_mark_s": 3300.0, "hold_restarts": 0, "overshoots": 0,
        "cooling_s": 1100.0})  # fmt: skip
    journal.seal(cycle, "cycle pass")
    book.link_cycle(lot, cycle, ANNE)
    book.record_bacteriology(lot, "after", 0, 0, ANNE, "LAB-2")
    journal.append_event(lot_stream(lot), "lot_released", {"lot": lot, **signed(SOPHIE)})
    book.start_stay(lot, fridge, now, ANNE)


def add_reader(settings: Settings) -> None:
    """The technician the benchmarks sign in as (``USER``, ``PASSWORD``)."""
    users = UserStore(
        settings.users.path, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    users.add(0, USER, "Anne Martin", Role.TECHNICIAN, PASSWORD, by="bench")
    users.close()


def prime(settings_file: Path, log: Path) -> None:
    """Start ``lactamon run`` on the week and stop it once running: the first start replays
    the whole week (the journal holds no machine state yet), and the clean stop journals
    the machines' state, as a daemon that ran all week would have; the next start is quick."""
    with running([str(BIN / "lactamon"), "run", "--config", str(settings_file)], log) as daemon:
        wait_for_line(daemon, log, "lactamon running", PRIME_TIMEOUT_S)
    assert daemon.returncode == 0, log.read_text()
