"""The cycles: the list with the start form, one cycle's page (curve, EMBA figures, verdict,
events, lots, abort form) and its curve as JSON for the chart."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from monitor.api.requests import CycleAbortRequest, CycleStartRequest
from monitor.journal import JournalReader, Record
from monitor.journal.streams import ALARM_STREAM, StreamKind, parse_stream
from monitor.reports.cycle_summary import CLOSING, summarise_cycle
from monitor.users import Permission
from monitor.web.context import gettext_of, session_of, web_context
from monitor.web.cycle_views import Head, cycle_head
from monitor.web.forms import password, read_form, text
from monitor.web.guard import require
from monitor.web.journal_reads import read_journal
from monitor.web.render import flash, render
from monitor.web.signing import signed_request

MAX_EVENTS = 300
# What ``summarise_cycle`` reads of a cycle's stream: the list reads these alone, never the
# thousands of readings of each cycle.
SUMMARY_KINDS = (
    "cycle_started", "hold_started", "hold_completed", "hold_interrupted", *CLOSING, "seal",
)  # fmt: skip


def _summaries(reader: JournalReader) -> list[dict[str, Any]]:
    names = [n for n in reader.stream_names() if parse_stream(n).kind is StreamKind.CYCLE]
    alarms = reader.stream_records(ALARM_STREAM)
    by_cycle: dict[str, list[Record]] = {n: [] for n in names}
    for record in reader.records_of_kinds(SUMMARY_KINDS, names):
        by_cycle[record.stream].append(record)
    found = [
        summarise_cycle(n, sorted(by_cycle[n], key=lambda r: r.seq), alarms).as_json()
        for n in names
    ]
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


async def show_cycle(request: web.Request) -> web.Response:
    require(request, Permission.READ)
    service = web_context(request).service
    cycle = request.match_info["cycle"]

    def read(reader: JournalReader) -> tuple[Head, list[Record]]:
        return cycle_head(reader, cycle), reader.stream_records(ALARM_STREAM)

    head, alarms = await read_journal(service, read)
    view = await web_context(request).views.view(service.pipeline.journal.path, cycle, head)
    summary = summarise_cycle(cycle, view.events, alarms)
    events = [
        {
            "ts": r.ts,
            "seq": r.seq,
            "kind": r.kind,
            "fields": {k: v for k, v in r.fields.items() if k != "lots"},
        }
        for r in view.events[-MAX_EVENTS:]
    ]
    running = cycle in {c.stream for c in service.pipeline.cycles.values()}
    context = {"summary": summary.as_json(), "figures": summary.figure_lines(), "events": events}
    return render(request, "cycle.html", {**context, "running": running})


async def cycle_curve(request: web.Request) -> web.Response:
    require(request, Permission.READ)
    service = web_context(request).service
    cycle = request.match_info["cycle"]
    head = await read_journal(service, lambda reader: cycle_head(reader, cycle))
    view = await web_context(request).views.view(service.pipeline.journal.path, cycle, head)
    return web.Response(
        body=view.curve, content_type="application/json", headers={"Cache-Control": "no-store"}
    )


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
