"""The committer, and the alarms about the journal's disk: full or failing, and filling up.

Every commit interval of real time at most (the bounds of what a power cut can take are in
real time, whatever the simulation speed) the committer commits what is due
(``Journal.commit_when_due``): what is urgent at once, the cold chain's readings once the
oldest has waited the cold commit interval, which it wakes up for (``next_commit_in``). A commit
that fails does not stop the daemon: monitoring goes on, readings are judged and alarms
raised and notified, and the records wait in the writer's bounded buffer (monitor/journal/
buffer.py) while it retries. Meanwhile a HIGH ``journal:disk`` alarm says why, how full the
buffer is and how long it lasts at the current rate, then what was lost once it overflows.
It clears when a commit goes through: the buffer is written in order, and what did not fit
is on record as ``records_lost``.

Before it comes to that, a MEDIUM ``journal:space`` alarm warns when the room left
(``os.statvfs`` of the journal's folder, or what its size limit leaves) lasts fewer than
``journal.warn_days_left`` days at the rate the journal grows, measured over the last hour
once ``MIN_SPAN_S`` of it is known. It clears at a quarter more than the limit, so a rate
that wavers around it does not flap. While commits fail the journal cannot grow and its rate
says nothing, so the warning is left as it stands.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Callable

from config.service import JournalSettings
from monitor.alarms import Priority
from monitor.clock import Clock, ns_to_datetime
from monitor.journal import Journal, JournalError
from monitor.journal.buffer import BufferState
from monitor.service.alarm_desk import AlarmDesk

log = logging.getLogger(__name__)

DISK_KEY = "journal:disk"
SPACE_KEY = "journal:space"
SOURCE = "journal"
SPACE_CHECK_S = 10.0
GROWTH_WINDOW_S = 3600.0
MIN_SPAN_S = 60.0
APPEND_WINDOW_S = 600.0  # the buffer's rate: recent, so a change of activity shows soon
APPEND_MIN_SPAN_S = 5.0
CLEAR_MARGIN = 1.25
_DAY_S = 86400.0


class Rate:
    """Growth per second of a running total, over a sliding window of samples."""

    def __init__(self, window_s: float, min_span_s: float) -> None:
        self.window_s, self.min_span_s = window_s, min_span_s
        self._samples: deque[tuple[float, int]] = deque()

    def add(self, now: float, total: int) -> None:
        samples = self._samples
        samples.append((now, total))
        while len(samples) > 2 and now - samples[1][0] >= self.window_s:
            samples.popleft()

    def per_s(self) -> float | None:
        """None until the samples span ``min_span_s``."""
        if len(self._samples) < 2:
            return None
        (t0, v0), (t1, v1) = self._samples[0], self._samples[-1]
        if t1 - t0 < self.min_span_s:
            return None
        return max(0.0, (v1 - v0) / (t1 - t0))


class JournalCommitter:
    """Commits on the timer and keeps ``journal:disk`` and ``journal:space``; ``run`` forever."""

    def __init__(
        self,
        journal: Journal,
        desk: AlarmDesk,
        clock: Clock,
        settings: JournalSettings,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.journal, self.desk, self.clock, self.settings = journal, desk, clock, settings
        self._monotonic = monotonic
        # Restored from the record: this run clears them once the disk is well.
        self.disk_alarmed = desk.is_active(DISK_KEY)
        self.space_alarmed = desk.is_active(SPACE_KEY)
        self.appended = Rate(APPEND_WINDOW_S, APPEND_MIN_SPAN_S)
        self.growth = Rate(GROWTH_WINDOW_S, MIN_SPAN_S)
        self._next_space_check = 0.0

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.journal.next_commit_in())
            self.step()

    def step(self) -> None:
        """Commit if due, then update both alarms."""
        self.journal.commit_when_due()
        now = self._monotonic()
        state = self.journal.buffer_state()
        self.appended.add(now, state.appended_bytes)
        failing = state.failing_since is not None
        if failing or self.disk_alarmed:
            self._disk(state, failing)
        if not failing and now >= self._next_space_check:
            self._next_space_check = now + SPACE_CHECK_S
            self._space(now)

    def _disk(self, state: BufferState, failing: bool) -> None:
        if failing:
            message = disk_message(state, self.appended.per_s())
        else:
            message = "the journal is written again: what waited in memory is on disk"
        if failing != self.disk_alarmed:
            (log.error if failing else log.info)("journal: %s", message)
        self.disk_alarmed = failing
        now = self.clock.now_ns()
        self.desk.condition(now, DISK_KEY, failing, SOURCE, Priority.HIGH, message)

    def _space(self, now: float) -> None:
        try:
            space = self.journal.file.space()
        except JournalError as exc:
            log.warning("journal: cannot measure the room left: %s", exc)
            return
        self.growth.add(now, space.used_bytes)
        rate = self.growth.per_s()
        if rate is None:
            return
        days = space.room_bytes / rate / _DAY_S if rate > 0 else math.inf
        limit = self.settings.warn_days_left
        if days >= limit * (CLEAR_MARGIN if self.space_alarmed else 1.0):
            if self.space_alarmed:
                log.info("journal: room enough again, %s", _days(days))
                self._space_condition(False, f"room enough again for the journal: {_days(days)}")
            return
        message = (
            f"{_size(space.room_bytes)} left for the journal in {self.journal.path.parent}: "
            f"{_days(days)} at the current rate ({_size(rate)}/s), fewer than {limit:g}; "
            "free some space or move the journal to a larger disk"
        )
        if not self.space_alarmed:
            log.warning("journal: %s", message)
        self._space_condition(True, message)

    def _space_condition(self, active: bool, message: str) -> None:
        self.space_alarmed = active
        now = self.clock.now_ns()
        self.desk.condition(now, SPACE_KEY, active, SOURCE, Priority.MEDIUM, message)


def disk_message(state: BufferState, rate: float | None) -> str:
    """What ``journal:disk`` says: the failure, the buffer, and how long it lasts."""
    text = (
        f"the journal cannot be written ({state.last_error}); records wait in memory: "
        f"{_size(state.pending_bytes)} of {_size(state.limit_bytes)}"
    )
    if state.lost_records and state.lost_since_ns is not None:
        since = ns_to_datetime(state.lost_since_ns).strftime("%Y-%m-%d %H:%M:%S UTC")
        return (
            f"{text}; the buffer is full: {state.lost_records} records lost since {since} "
            "(a records_lost record will name them), alarms and events are kept while room lasts"
        )
    left = max(0, state.readings_limit_bytes - state.pending_bytes)
    if rate is None or rate <= 0:
        return f"{text}; its rate is not known yet"
    return (
        f"{text}; at the current rate ({_size(rate)}/s) it holds readings for about "
        f"{_duration(left / rate)} more, alarms and events for longer"
    )


def _size(n: float) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n:.0f} B"


def _duration(seconds: float) -> str:
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} h"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def _days(days: float) -> str:
    return "no end in sight" if math.isinf(days) else f"about {days:.1f} days"
