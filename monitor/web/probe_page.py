"""The probes: value, quality, age, state, calibration due date, rejected messages and the
last fault alarm, one line each."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from monitor.users import Permission
from monitor.web.context import web_context
from monitor.web.guard import require
from monitor.web.render import render


async def list_probes(request: web.Request) -> web.Response:
    require(request, Permission.READ)
    service = web_context(request).service
    status = service.status()
    now = {p["probe"]: p for p in status["probes"]}
    rejects: dict[str, dict[str, int]] = status.get("rejects", {})
    alarms = service.desk.listing(include_normal=True)
    today = date.today()
    lines: list[dict[str, Any]] = []
    for probe in service.pipeline.settings.probes:
        faults = [a for a in alarms if a.source == probe.id and "fault" in a.key]
        last_fault = max(faults, key=lambda a: a.raised_ns or 0, default=None)
        due = probe.calibration_due
        lines.append(
            {
                "probe": probe.id,
                "value": None,
                "quality": None,
                "age_s": None,
                "state": "waiting",
                "reason": "",
                **now.get(probe.id, {}),
                "calibration_due": due.isoformat() if due else "",
                "overdue": due is not None and due < today,
                "offset_c": probe.calibration_offset_c,
                "rejects": rejects.get(probe.id, {}),
                "last_fault": last_fault.message if last_fault else "",
                "last_fault_ns": last_fault.raised_ns if last_fault else None,
            }
        )
    return render(request, "probes.html", {"probes": lines})
