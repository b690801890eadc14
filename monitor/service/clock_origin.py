"""An accelerated clock that goes on where its journal stands, across restarts.

At ``[clock] speed`` above 1 (the simulator, the demo, tests), time is simulated from an
origin. A restarted daemon must not begin a new timeline at its own start, or its time would
be hours behind its journal: it would refuse its own readings as "older than the last one"
and take the simulator's next cycle for this cycle's hold. So the origin is a record
(``clock_origin`` in the ``device`` stream): a restart in the same boot takes it back as it
is (Linux's monotonic clock is system-wide, so the timeline is the one the simulator
follows), and a restart after a reboot goes on from the journal's last record.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from monitor.clock import Clock, ScaledClock, SystemClock
from monitor.journal import DEVICE_STREAM, Journal, JournalError, JournalReader, Record

log = logging.getLogger(__name__)
CLOCK_ORIGIN = "clock_origin"
_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def boot_id() -> str:
    try:
        return _BOOT_ID.read_text(encoding="ascii").strip()
    except OSError:
        return ""


def continued_clock(speed: float, journal_path: Path) -> Clock:
    """The real clock at speed 1; else the journal's timeline, or a new one after it."""
    if speed == 1.0:
        return SystemClock()
    origin: Record | None = None
    last_ts = 0
    if Path(journal_path).exists():
        try:
            with JournalReader(Path(journal_path)) as reader:
                found = reader.last_of_kind(DEVICE_STREAM, CLOCK_ORIGIN)
                origin = found[1] if found else None
                last_ts = reader.last_ts()
        except JournalError as exc:  # the daemon itself says what is wrong with the file
            log.debug("clock origin not read: %s", exc)
    if origin is not None:
        f = origin.fields
        same_run = f.get("speed") == float(speed) and f.get("boot_id") == boot_id()
        real_start, origin_ns = f.get("real_start"), f.get("origin_ns")
        if same_run and isinstance(real_start, float) and isinstance(origin_ns, int):
            clock = ScaledClock(speed, origin_ns, real_start=real_start)
            if clock.now_ns() >= last_ts:
                return clock
    return ScaledClock(speed, max(time.time_ns(), last_ts + 1))


def record_clock_origin(journal: Journal, clock: Clock) -> Record | None:
    """Put an accelerated clock's origin on record, unless the journal's latest is it."""
    if not isinstance(clock, ScaledClock):
        return None
    fields: dict[str, str | int | float] = {
        "speed": clock.speed,
        "origin_ns": clock.origin_ns,
        "real_start": clock.real_start,
        "boot_id": boot_id(),
    }
    journal.flush()
    with JournalReader(journal.path) as reader:
        found = reader.last_of_kind(DEVICE_STREAM, CLOCK_ORIGIN)
    if found is not None and all(found[1].fields.get(k) == v for k, v in fields.items()):
        return None
    return journal.append_event(DEVICE_STREAM, CLOCK_ORIGIN, fields, ts=clock.now_ns())
