"""The lot watch: a lot left in a fridge too long, or near its use-by date, is an alarm.

docs/RULES.md, The lot's life, L10–L12. Every minute of the daemon's clock, and right after
each act on a lot, each open lot's stay is checked against its limit: ``lot:<L>:overstay``
(high) once a stay in a fridge outlasts it (raw milk 48 h from its collection, pasteurised
milk 48 h from the end of its cycle before it is frozen); ``lot:<L>:use_by`` (medium) from
3 days before the lot's use-by date. Each clears once it no longer holds: the lot left the
fridge, was frozen, distributed or destroyed. After a restart the desk holds the alarms as
the record left them, and the first check clears those that no longer hold.
"""

from __future__ import annotations

import asyncio
import logging

from monitor.alarms import Priority
from monitor.clock import Clock, ns_to_datetime
from monitor.journal import JournalError, JournalReader
from monitor.journal.lot_state import LotStatus
from monitor.service.alarm_desk import AlarmDesk
from monitor.service.lot_desk import LotDesk
from monitor.service.lot_views import limit_of
from monitor.service.supervisor import Component

log = logging.getLogger(__name__)
CHECK_S = 60.0  # of the daemon's clock: a limit of hours is checked to the minute
MIN_REAL_S = 5.0  # and at most this often in real time, whatever the clock's speed
KINDS = (("overstay", Priority.HIGH), ("use_by", Priority.MEDIUM))
NS_PER_S = 1_000_000_000


def alarm_key(lot: str, kind: str) -> str:
    return f"lot:{lot}:{kind}"


def lot_components(lots: LotDesk, desk: AlarmDesk, clock: Clock) -> list[Component]:
    """The watch as a daemon component, heard after each act; the alarms of an enclosure
    name the lots in it (``excursion_lots``)."""
    watch = LotWatch(lots, desk, clock)
    lots.changed.append(watch.check)
    desk.listeners.append(lots.excursion_lots.on_transition)
    return [Component("lot-watch", watch.run)]


class LotWatch:
    """Raises and clears the lots' overstay and use-by alarms; ``run`` forever."""

    def __init__(self, lots: LotDesk, desk: AlarmDesk, clock: Clock) -> None:
        self.lots, self.desk, self.clock = lots, desk, clock
        self.kinds = {e.id: e.kind for e in lots.settings.enclosures}

    async def run(self) -> None:
        while True:
            self.check(self.clock.now_ns())
            # A look reads the journal on the loop: an accelerated clock must not make it
            # many times a second, starving the drivers' polls.
            await asyncio.sleep(max(CHECK_S / self.clock.speed, MIN_REAL_S))

    def check(self, now: int) -> None:
        """Every open lot against its limits at ``now``."""
        registry = self.lots.registry
        try:
            with JournalReader(self.lots.journal.path) as reader:
                registry.refresh(reader)
                statuses = [registry.status_of(e.dossier, reader) for e in registry.lots.values()]
        except JournalError as exc:  # what is held in memory is still judged
            log.warning("lot watch: the journal could not be read (%s)", exc)
            statuses = registry.statuses()
        wanted: dict[str, tuple[Priority, str]] = {}
        for status in statuses:
            messages = {
                "overstay": self._overstay(status, now),
                "use_by": self._use_by(status, now),
            }
            for kind, priority in KINDS:
                if messages[kind]:
                    wanted[alarm_key(status.lot, kind)] = (priority, messages[kind])
        for key, alarm in list(self.desk.manager.alarms.items()):
            if alarm.condition_active and _is_lot_alarm(key) and key not in wanted:
                self.desk.condition(now, key, False, alarm.source, alarm.priority, alarm.message)
        for key, (priority, message) in wanted.items():
            self.desk.condition(now, key, True, source_of(key), priority, message)

    def _overstay(self, status: LotStatus, now: int) -> str:
        limit = limit_of(status, self.kinds, self.lots.registry)
        if limit is None or now <= limit.deadline_ns or status.stay is None:
            return ""
        over = _hours(now - limit.deadline_ns)
        return (
            f"lot {status.lot} in {status.stay.enclosure} since {_when(status.stay.in_ts)}: "
            f"{limit.rule}; {over} over since {_when(limit.deadline_ns)}"
        )

    def _use_by(self, status: LotStatus, now: int) -> str:
        use_by = status.use_by_ns
        if use_by is None or status.closed:
            return ""
        if now > use_by:
            return f"lot {status.lot} is past its use-by date {_when(use_by)}: it may not be given"
        warning_ns = int(self.lots.registry.limits.use_by_warning_s * NS_PER_S)
        if now < use_by - warning_ns:
            return ""
        return f"lot {status.lot} reaches its use-by date {_when(use_by)} in {_hours(use_by - now)}"


def _is_lot_alarm(key: str) -> bool:
    return key.startswith("lot:") and key.rsplit(":", 1)[-1] in dict(KINDS)


def source_of(key: str) -> str:
    """``lot:L2026-001``: the lot, never an enclosure, so no lot is listed as exposed."""
    return key.rsplit(":", 1)[0]


def _hours(span_ns: int) -> str:
    hours = span_ns / NS_PER_S / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def _when(ts: int) -> str:
    return ns_to_datetime(ts).strftime("%Y-%m-%d %H:%M UTC")
