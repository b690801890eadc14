"""The cycles: the list with the start form, one cycle's page (curve, EMBA figures, verdict,
events, lots, abort form) and its curve as JSON for the chart."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from monitor.api.requests import CycleAbortRequest, CycleStartRequest
from monitor.errors import NotFound
from monitor.journal import JournalReader
from monitor.journal.readings import READING
from monitor.journal.streams import ALARM_STREAM, StreamKind, parse_stream
from monitor.reports.cycle_curve import build_curve
from monitor.reports.cycle_summary import summarise_cycle
from monitor.users import Permission
from monitor.web.context import gettext_of, session_of, web_context
from monitor.web.curve_json import curve_json
from monitor.web.forms import password, read_form, text
from monitor.web.guard import require
from monitor.web.journal_reads import read_journal
from monitor.web.render import flash, render
from monitor.web.signing import signed_request

MAX_EVENTS = 300


def _summaries(reader: JournalReader) -> list[dict[str, Any]]:
    names = [n for n in reader.stream_names() if parse_stream(n).kind is StreamKind.CYCLE]
    alarms = reader.stream_records(ALARM_STREAM)
    found = [summarise_cycle(n, reader.stream_records(n), alarms).as_json() for n in names]
    return sorted(found, key=lambda s: -(s["started_ts"] or 0))


async def list_cycles(request: web.Request) -> web.Response:
    require(request, Permission.READ)
    service = web_context(request).service
    settings = service.pipeline.settings
    cycles = await read_journal(service, _summaries)
    return render(
        request,
        "cycles.html",
        {
            "cycles": cycles,
            "pasteurisers": [p.id for p in settings.pasteurisers],
            "programs": sorted(settings.programs),
        },
    )


def _one(cycle: str) -> Any:
    def read(reader: JournalReader) -> dict[str, Any]:
        if cycle not in reader.stream_names() or parse_stream(cycle).kind is not StreamKind.CYCLE:
            raise NotFound(f"no cycle {cycle!r} in the journal")
        records = reader.stream_records(cycle)
        summary = summarise_cycle(cycle, records, reader.stream_records(ALARM_STREAM))
        events = [
            {
                "ts": r.ts,
                "seq": r.seq,
                "kind": r.kind,
                "fields": {k: v for k, v in r.fields.items() if k != "lots"},
            }
            for r in records
            if r.kind != READING
        ][-MAX_EVENTS:]
        return {"summary": summary.as_json(), "figures": summary.figure_lines(), "events": events}

    return read


async def show_cycle(request: web.Request) -> web.Response:
    require(request, Permission.READ)
    service = web_context(request).service
    cycle = request.match_info["cycle"]
    found = await read_journal(service, _one(cycle))
    running = cycle in {c.stream for c in service.pipeline.cycles.values()}
    return render(request, "cycle.html", {**found, "running": running})


async def cycle_curve(request: web.Request) -> web.Response:
    require(request, Permission.READ)
    cycle = request.match_info["cycle"]

    def read(reader: JournalReader) -> dict[str, Any]:
        if cycle not in reader.stream_names():
            raise NotFound(f"no cycle {cycle!r} in the journal")
        return curve_json(build_curve(reader.stream_records(cycle)))

    data = await read_journal(web_context(request).service, read)
    return web.json_response(data, headers={"Cache-Control": "no-store"})


async def start_cycle(request: web.Request) -> web.StreamResponse:
    require(request, Permission.START_CYCLE)
    form = await read_form(request)
    lots = [lot for lot in text(form, "lots").replace(",", " ").split() if lot]
    starting = signed_request(
        CycleStartRequest,
        user=session_of(request).username,
        password=password(form),
        pasteuriser=text(form, "pasteuriser"),
        program=text(form, "program"),
        lots=lots,
    )
    started = await web_context(request).service.start_cycle(starting)
    _ = gettext_of(request).gettext
    flash(request, "ok", _("Cycle started: %(cycle)s") % {"cycle": started["cycle"]})
    raise web.HTTPSeeOther(f"/cycles/{started['cycle']}")


async def abort_cycle(request: web.Request) -> web.StreamResponse:
    require(request, Permission.START_CYCLE)
    form = await read_form(request)
    aborting = signed_request(
        CycleAbortRequest,
        user=session_of(request).username,
        password=password(form),
        reason=text(form, "reason"),
    )
    done = await web_context(request).service.abort_cycle(text(form, "pasteuriser"), aborting)
    _ = gettext_of(request).gettext
    flash(request, "ok", _("Cycle aborted: %(cycle)s") % {"cycle": done["cycle"]})
    raise web.HTTPSeeOther(f"/cycles/{done['cycle']}")
