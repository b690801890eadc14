"""The daemon's state as JSON for ``lactamon status`` and ``lactamon alarms``."""

from __future__ import annotations

from typing import Any, Protocol

from monitor.alarms import Alarm, AlarmState
from monitor.clock import NS_PER_S
from monitor.service.clock_sync import ClockSync
from monitor.service.pipeline import Pipeline

Json = dict[str, Any]


class Backlog(Protocol):
    """What the outbox tells about rows not yet delivered."""

    def backlog(self) -> Json: ...


def alarm_json(alarm: Alarm) -> Json:
    signed = alarm.acked_by
    return {
        "key": alarm.key,
        "source": alarm.source,
        "priority": int(alarm.priority),
        "state": alarm.state.value,
        "message": alarm.message,
        "active": alarm.condition_active,
        "raised_ns": alarm.raised_ns,
        "acknowledged_by": signed.printed_name if signed else None,
        "acknowledged_ns": alarm.acked_ns,
        "comment": signed.comment if signed else None,
        "shelved_until_ns": alarm.shelved_until_ns,
        "escalation_level": alarm.escalation_level,
    }


def self_check_json(pipeline: Pipeline) -> Json:
    """Damage the writer found in what it had not signed, and the continuous re-check."""
    journal = pipeline.journal
    return {"found_by_writer": dict(journal.damaged_streams), **journal.recheck.as_json()}


def input_json(pipeline: Pipeline, now_ns: int) -> Json:
    """How far behind its probes the daemon is (docs/RULES.md, F9): the lag, what waits in
    its queue, each link's horizon, the readings shed, and whether the overload alarm is on."""
    return {
        **pipeline.input.as_json(now_ns),
        "shed": pipeline.shed_total,
        "overload": pipeline.overload.active,
    }


def status_json(pipeline: Pipeline, now_ns: int, sync: ClockSync, backlog: Any) -> Json:
    """Probes, cycles, alarms, the inputs' lag and the outbox; ``healthy`` is false when
    anything needs a person."""
    probes = []
    problems = []
    for probe_id, view in pipeline.probes.items():
        health = pipeline.machines.health[probe_id].state
        flags = [
            name
            for name, on in (
                ("stale", health.stale),
                ("fault", health.fault),
                ("stuck", health.stuck),
                ("calibration_overdue", health.overdue),
                ("unavailable", view.available is False),
            )
            if on
        ]
        last = view.last
        probes.append(
            {
                "probe": probe_id,
                "value": last.value if last else None,
                "quality": last.quality.value if last else None,
                "age_s": round((now_ns - last.ts) / NS_PER_S, 1) if last else None,
                "state": ",".join(flags) or ("ok" if last else "waiting"),
                "reason": view.reason,
            }
        )
        problems += [f"probe {probe_id} {flag}" for flag in flags]
    cycles = [
        {
            "cycle": c.stream,
            "pasteuriser": c.pasteuriser,
            "program": c.program,
            "lots": list(c.lots),
            "phase": c.machine.phase.value,
            "hold_restarts": c.machine.state.hold_restarts,
        }
        for c in pipeline.cycles.values()
    ]
    closed = [
        {
            "cycle": c.stream,
            "pasteuriser": c.pasteuriser,
            "program": c.program,
            "lots": list(c.lots),
            "outcome": c.machine.verdict.outcome.value if c.machine.verdict else "closed",
            "reasons": list(c.machine.verdict.reasons) if c.machine.verdict else [],
        }
        for c in pipeline.closed[-10:]
    ]
    alarms = pipeline.desk.listing()
    waiting = [a for a in alarms if a.state in (AlarmState.UNACKED, AlarmState.RTN_UNACKED)]
    active = [a for a in alarms if a.condition_active]
    problems += [f"alarm {a.key} {a.state.value}" for a in waiting]
    problems += [f"alarm {a.key} active" for a in active if a not in waiting]
    outbox = backlog.backlog() if backlog is not None else None
    if outbox and outbox.get("alarm"):
        problems.append(f"outbox backlog: {outbox['pending']} rows")
    synced = sync.synchronised()
    if not synced:
        problems.append("system clock not synchronised")
    return {
        "site": pipeline.settings.site.id,
        "device": pipeline.settings.site.device,
        "now_ns": now_ns,
        "clock_synchronised": synced,
        "probes": probes,
        "cycles": cycles,
        "closed_cycles": closed,
        "alarms": {"unacknowledged": len(waiting), "active": len(active)},
        "input": input_json(pipeline, now_ns),
        "outbox": outbox,
        "journal": {"path": str(pipeline.journal.path), "readings": pipeline.readings_seen},
        "self_check": self_check_json(pipeline),
        "healthy": not problems,
        "problems": problems,
    }
