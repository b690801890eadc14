"""The overview page and its live feed: ``GET /`` and ``GET /events`` (server-sent events).

The feed sends the whole snapshot (tiles and the banner of alarms waiting) when it changes,
and at least every ``HEARTBEAT_S`` so the page can show that it is live; a snapshot is small
(a few tiles). When the session ends the feed says so and closes: the page then reloads
onto the sign-in page rather than showing values that stopped.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from monitor.users import Permission
from monitor.web.alarm_causes import cause_id
from monitor.web.context import WEB_KEY, gettext_of, session_of, web_context
from monitor.web.dates import duration_text
from monitor.web.guard import require
from monitor.web.render import render
from monitor.web.tiles import build_tiles, tiles_json

PERIOD_S = 1.0
HEARTBEAT_S = 15.0


def banner(request: web.Request) -> list[dict[str, Any]]:
    """The alarms that wait for acknowledgement, most urgent first."""
    service = web_context(request).service
    _ = gettext_of(request).gettext

    def kind(key: str) -> str:
        found = cause_id(key)
        return _(found) if found else ""

    return [
        {"key": a.key, "priority": int(a.priority), "message": a.message, "cause_text": kind(a.key)}
        for a in service.desk.listing()
        if a.needs_ack
    ]


def snapshot(request: web.Request) -> dict[str, Any]:
    """What the page shows, with every text already in the page's language."""
    _ = gettext_of(request).gettext
    tiles = tiles_json(build_tiles(web_context(request).service))
    for tile in tiles:
        tile["state_text"] = _(f"state.{tile['state']}")
        for probe in tile["probes"]:
            value = probe["value_c"]
            probe["value_text"] = "—" if value is None else f"{value:.1f} °C".replace("-", "−")
            probe["age_text"] = duration_text(probe["age_s"])
            flags = probe["state"].split(",")  # one, or several at once: "stale,unavailable"
            probe["state_text"] = ", ".join(_(f"probe.{flag}") for flag in flags)
        cycle = tile["cycle"]
        if cycle is not None:
            cycle["phase_text"] = _(f"phase.{cycle['phase']}")
            cycle["left_text"] = duration_text(cycle["hold_left_s"])
    waiting = banner(request)
    text = _("%(n)d alarm(s) waiting for acknowledgement") % {"n": len(waiting)}
    return {"tiles": tiles, "banner": waiting, "banner_text": text}


async def overview(request: web.Request) -> web.Response:
    require(request, Permission.VIEW_OVERVIEW)
    return render(request, "overview.html", {"snap": snapshot(request)})


async def events(request: web.Request) -> web.StreamResponse:
    require(request, Permission.VIEW_OVERVIEW)
    session = session_of(request)
    sessions = web_context(request).sessions
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    last, quiet = "", 0.0
    feeds = web_context(request).feeds
    task = asyncio.current_task()
    if task is not None:
        feeds.add(task)
    try:
        while True:
            transport = request.transport
            if transport is None or transport.is_closing():
                break  # the browser went away; a feed that only writes on change would not see it
            if not sessions.alive(session.id):
                await response.write(b"event: signed_out\ndata: {}\n\n")
                break
            data = json.dumps(snapshot(request), ensure_ascii=False, sort_keys=True)
            if data != last or quiet >= HEARTBEAT_S:
                await response.write(f"data: {data}\n\n".encode())
                last, quiet = data, 0.0
            await asyncio.sleep(PERIOD_S)
            quiet += PERIOD_S
    except ConnectionError:
        pass  # the browser went away: nothing to tell it
    finally:
        feeds.discard(task)
    return response


async def close_feeds(app: web.Application) -> None:
    """At shutdown: end every live feed, whose browser would otherwise hold the stop."""
    feeds = list(app[WEB_KEY].feeds)
    for task in feeds:
        task.cancel()
    await asyncio.gather(*feeds, return_exceptions=True)
