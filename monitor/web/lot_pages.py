"""The lots: the list with each lot's state and place, and a lot's page, which is its
dossier (Arrêté 1995 X 2) with the acts the signed-in role may sign on it."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from monitor.users import Permission
from monitor.web.context import web_context
from monitor.web.guard import require
from monitor.web.lot_reads import lot_choices, read_lot, read_lots
from monitor.web.render import render

FILTERS = ("open", "all")


def lot_path(lot: str, tail: str = "") -> str:
    """The lot's page (or a file of it): its number quoted, so it stays one path segment."""
    return f"/lots/{quote(lot, safe='')}{tail}"


async def list_lots(request: web.Request) -> web.Response:
    require(request, Permission.READ)
    shown = request.query.get("show", "open")
    if shown not in FILTERS:
        raise web.HTTPBadRequest(reason=f"show: one of {', '.join(FILTERS)}, not {shown!r}")
    lots = await read_lots(web_context(request).service, include_closed=shown == "all")
    return render(request, "lots.html", {"lots": lots, "shown": shown})


async def show_lot(request: web.Request) -> web.Response:
    require(request, Permission.READ)
    return await lot_page(request, request.match_info["lot"])


async def lot_page(
    request: web.Request, lot: str, refusal: str = "", status: int = 200
) -> web.Response:
    """The lot's page; ``refusal`` is why the act just asked was not done (its ``status``)."""
    service = web_context(request).service
    dossier = await read_lot(service, lot)  # NotFound: the guard's page says which
    context = {
        "lot": dossier,
        **lot_choices(service, dossier),
        "refusal": refusal,
        "base": lot_path(dossier["lot"]),
    }
    return render(request, "lot.html", context, status=status)
