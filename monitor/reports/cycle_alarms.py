"""The alarms of a cycle and who acknowledged them, and the events its own stream records.

From the bundle's slice of the ``alarms`` stream (``journal.bundle_alarms``): every
transition of an alarm about the cycle (its key ends with the cycle's id), and, while the
cycle ran, of an alarm about its pasteuriser or one of its probes (``stale:P1-ref``). The
cycle's stream records what the machine saw (interruptions, settling dips, overshoots, a
slow come-up, silent or faulty probes): that list stands even when no alarm slice is there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitor.journal.readings import READING
from monitor.journal.record import Record
from monitor.journal.signing import SIGNED_KINDS
from monitor.reports.times import duration_text

EVENT_WORDS = {
    "hold_started": "hold started",
    "hold_settling": "settling dip (recorded, no alarm)",
    "hold_interrupted": "hold interrupted",
    "hold_interruption_ended": "interruption ended",
    "hold_completed": "hold completed",
    "hold_judged_on_bath": "hold judged on the bath (no reference probe)",
    "overshoot_started": "overshoot",
    "overshoot_ended": "overshoot ended",
    "come_up_slow": "come-up slow",
    "come_up_slow_ended": "come-up slow ended",
    "cooling_completed": "cooling completed",
    "probe_stale_raised": "probe silent",
    "probe_stale_cleared": "probe back",
    "probe_fault_raised": "probe fault",
    "probe_fault_cleared": "probe fault cleared",
    "probe_stuck_raised": "probe stuck",
    "probe_stuck_cleared": "probe stuck cleared",
}
_QUIET = {"cycle_started", "cycle_passed", "cycle_failed", "cycle_aborted", READING}


@dataclass(frozen=True, slots=True)
class AlarmLine:
    ts: int
    alarm: str
    action: str
    message: str
    by: str  # printed name (user) of a signed transition, "" otherwise
    comment: str


@dataclass(frozen=True, slots=True)
class EventLine:
    ts: int
    what: str
    detail: str


def cycle_alarm_lines(
    cycle: str, records: Sequence[Record], alarm_records: Iterable[Record]
) -> list[AlarmLine]:
    """The transitions of the cycle's alarms, in the order they were recorded."""
    if not records:
        return []
    start, end = records[0].ts, records[-1].ts
    subjects = {cycle.split(":")[1]} if cycle.count(":") >= 2 else set()
    subjects |= {str(r.fields.get("probe")) for r in records if r.kind == READING}
    lines = []
    for record in alarm_records:
        f = record.fields
        if not record.kind.startswith("alarm_"):
            continue
        key = str(f.get("alarm", ""))
        own = key.endswith(f":{cycle}")
        nearby = key.partition(":")[2] in subjects and start <= record.ts <= end
        if not (own or nearby):
            continue
        user, name = str(f.get("user", "") or ""), str(f.get("printed_name", "") or "")
        by = f"{name} ({user})" if name and user else name or user
        lines.append(
            AlarmLine(record.ts, key, str(f.get("action", "")), str(f.get("message", "")), by,
                      str(f.get("comment", "") or ""))
        )  # fmt: skip
    return lines


def cycle_event_lines(records: Iterable[Record]) -> list[EventLine]:
    """What the cycle's own stream records besides its readings, start and verdict."""
    lines = []
    for record in records:
        if record.kind in _QUIET or record.kind in SIGNED_KINDS:
            continue
        f = record.fields
        detail = str(f.get("reason", "") or "")
        if not detail:
            parts = [_text(name, f[name]) for name in _DETAIL if name in f]
            subject = str(f.get("subject", ""))
            if subject and not subject.startswith("cycle:"):
                parts.insert(0, subject)
            detail = ", ".join(parts)
        lines.append(EventLine(record.ts, EVENT_WORDS.get(record.kind, record.kind), detail))
    return lines


_DETAIL = ("probe_id", "value_c", "coldest_c", "held_s", "duration_s", "lowest_c", "peak_c",
           "cooling_s", "silent_s")  # fmt: skip


def _text(name: str, value: object) -> str:
    if name == "probe_id":
        return str(value)
    label = name.removesuffix("_c").removesuffix("_s").replace("_", " ")
    if name.endswith("_c") and isinstance(value, int | float):
        return f"{label} {value:.2f} °C"
    if name.endswith("_s") and isinstance(value, int | float):
        return f"{label} {duration_text(value)}"
    return f"{label} {value}"
