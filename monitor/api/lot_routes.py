"""The lot routes of the local API: each step of a lot's life, and where lots are.

``POST /api/lots/{lot}/<act>`` for ``bacteriology``, ``release``, ``destroy``, ``store``,
``unstore``, ``distribute``, ``correct`` and ``decide``; ``POST /api/lots/move`` for several
lots at once; ``GET /api/lots`` (``?all=1`` with the closed ones), ``GET /api/lots/{lot}``,
``GET /api/enclosures/{id}/lots`` and ``GET /api/trace?donor=D`` or ``?lot=L``. Errors are
those of ``monitor.api.app`` (its middleware answers them); ``POST /api/lots`` (a new lot)
is there too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from monitor.api import body
from monitor.api.lot_port import Json, LotPort
from monitor.api.lot_requests import (
    LotControlRequest,
    LotCorrectRequest,
    LotDecideRequest,
    LotDestroyRequest,
    LotDistributeRequest,
    LotMoveRequest,
    LotReleaseRequest,
    LotStoreRequest,
    LotUnstoreRequest,
)

B = TypeVar("B", bound=BaseModel)
Act = Callable[[LotPort, str, B], Awaitable[Json]]
SERVICE_KEY = web.AppKey("lot_service", object)
BODY_S_KEY = web.AppKey("lot_body_s", float)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def register(app: web.Application, service: object, body_s: float) -> None:
    """Add the lot routes to ``app``; ``body_s`` is the time a request body may take.
    ``service.lot_desk`` is looked up at each request, so a service that keeps no lots
    answers 404 rather than failing to start."""
    app[SERVICE_KEY] = service
    app[BODY_S_KEY] = body_s
    acts: dict[str, Handler] = {
        "bacteriology": _act(LotControlRequest, lambda d, lot, b: d.control(lot, b)),
        "release": _act(LotReleaseRequest, lambda d, lot, b: d.release(lot, b)),
        "destroy": _act(LotDestroyRequest, lambda d, lot, b: d.destroy(lot, b)),
        "store": _act(LotStoreRequest, lambda d, lot, b: d.store(lot, b)),
        "unstore": _act(LotUnstoreRequest, lambda d, lot, b: d.unstore(lot, b)),
        "distribute": _act(LotDistributeRequest, lambda d, lot, b: d.distribute(lot, b)),
        "correct": _act(LotCorrectRequest, lambda d, lot, b: d.correct(lot, b)),
        "decide": _act(LotDecideRequest, lambda d, lot, b: d.decide(lot, b)),
    }
    # Before the routes with a lot in the path: "move" is not a lot number.
    app.router.add_post("/api/lots/move", move)
    for name, handler in acts.items():
        app.router.add_post(f"/api/lots/{{lot}}/{name}", handler)
    app.router.add_get("/api/lots", list_lots)
    app.router.add_get("/api/lots/{lot}", show)
    app.router.add_get("/api/enclosures/{enclosure}/lots", enclosure_lots)
    app.router.add_get("/api/trace", trace)


def desk(request: web.Request) -> LotPort:
    found: LotPort | None = getattr(request.app[SERVICE_KEY], "lot_desk", None)
    if found is None:
        raise web.HTTPNotFound(reason="this service keeps no lots")
    return found


async def parse(request: web.Request, model: type[B]) -> B:
    return await body.parse(request, model, request.app[BODY_S_KEY])


def _act(model: type[B], act: Act[B]) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        parsed = await parse(request, model)
        return web.json_response(await act(desk(request), request.match_info["lot"], parsed))

    return handle


async def move(request: web.Request) -> web.Response:
    parsed = await parse(request, LotMoveRequest)
    return web.json_response(await desk(request).move(parsed))


async def list_lots(request: web.Request) -> web.Response:
    closed = request.query.get("all", "0") in ("1", "true", "yes")
    return web.json_response(desk(request).lots(closed))


async def show(request: web.Request) -> web.Response:
    return web.json_response(desk(request).show(request.match_info["lot"]))


async def enclosure_lots(request: web.Request) -> web.Response:
    return web.json_response(desk(request).enclosure_lots(request.match_info["enclosure"]))


async def trace(request: web.Request) -> web.Response:
    donor, lot = request.query.get("donor"), request.query.get("lot")
    return web.json_response(desk(request).trace(donor, lot))
