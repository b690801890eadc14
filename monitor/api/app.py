"""aiohttp application of the local API: routes, body validation and error mapping.

Every error is JSON ``{"error": "..."}`` with a status that says its kind: 400 malformed,
401 wrong credentials, 403 role not allowed, 404 unknown thing, 408 body not sent in time,
409 refused by a rule, 429 throttled. Nothing is changed when a request fails.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from monitor.api import body, lot_routes
from monitor.api.body import MAX_BODY
from monitor.api.limits import HttpLimits
from monitor.api.port import ServicePort
from monitor.api.read_guard import reads_need_credentials
from monitor.api.request_log import LogBudget
from monitor.api.requests import (
    AckRequest,
    CycleAbortRequest,
    CycleStartRequest,
    LotCreateRequest,
    NotifyTestRequest,
    ShelveRequest,
    UnshelveRequest,
)
from monitor.api.sheet_routes import add_sheet_routes
from monitor.errors import NotFound, Refused
from monitor.users import AuthError, NotPermitted, Throttled

log = logging.getLogger(__name__)
PORT_KEY = web.AppKey("service", ServicePort)
LIMITS_KEY = web.AppKey("limits", HttpLimits)
FAILURES_KEY = web.AppKey("failures", LogBudget)
B = TypeVar("B", bound=BaseModel)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error(status: int, message: str) -> web.Response:
    response = web.json_response({"error": message}, status=status)
    if status == 408:
        # Not kept alive: what would come next on this connection is the rest of the body.
        response.force_close()
    return response


@web.middleware
async def errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error(exc.status, exc.reason or "error")
    except Throttled as exc:
        return error(429, str(exc))
    except NotPermitted as exc:
        return error(403, str(exc))
    except AuthError as exc:
        return error(401, str(exc))
    except NotFound as exc:
        return error(404, str(exc))
    except Refused as exc:
        return error(409, str(exc))
    except Exception:
        request.app[FAILURES_KEY].log(logging.ERROR, "API %s %s failed", request.method,
                                      request.path, exc_info=True)  # fmt: skip
        return error(500, "internal error: the daemon's log has the details")


async def parse(request: web.Request, model: type[B]) -> B:
    """The request body as ``model`` (see ``monitor.api.body``)."""
    return await body.parse(request, model, request.app[LIMITS_KEY].body_s)


def service(request: web.Request) -> ServicePort:
    return request.app[PORT_KEY]


async def health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def status(request: web.Request) -> web.Response:
    return web.json_response(service(request).status())


async def list_alarms(request: web.Request) -> web.Response:
    include = request.query.get("all", "0") in ("1", "true", "yes")
    return web.json_response({"alarms": service(request).alarms(include)})


async def ack(request: web.Request) -> web.Response:
    body = await parse(request, AckRequest)
    result = await service(request).acknowledge(request.match_info["key"], body)
    return web.json_response(result)


async def shelve(request: web.Request) -> web.Response:
    body = await parse(request, ShelveRequest)
    return web.json_response(await service(request).shelve(request.match_info["key"], body))


async def unshelve(request: web.Request) -> web.Response:
    body = await parse(request, UnshelveRequest)
    return web.json_response(await service(request).unshelve(request.match_info["key"], body))


async def start_cycle(request: web.Request) -> web.Response:
    body = await parse(request, CycleStartRequest)
    return web.json_response(await service(request).start_cycle(body), status=201)


async def abort_cycle(request: web.Request) -> web.Response:
    body = await parse(request, CycleAbortRequest)
    pasteuriser = request.match_info["pasteuriser"]
    return web.json_response(await service(request).abort_cycle(pasteuriser, body))


async def create_lot(request: web.Request) -> web.Response:
    body = await parse(request, LotCreateRequest)
    return web.json_response(await service(request).create_lot(body), status=201)


async def notify_test(request: web.Request) -> web.Response:
    body = await parse(request, NotifyTestRequest)
    return web.json_response(await service(request).notify_test(body), status=202)


def build_app(port: ServicePort, limits: HttpLimits | None = None) -> web.Application:
    app = web.Application(
        middlewares=[errors_as_json, reads_need_credentials], client_max_size=MAX_BODY
    )
    app[PORT_KEY] = port
    limits = limits or HttpLimits()
    app[LIMITS_KEY] = limits
    # Tracebacks of the daemon's own failures, under a budget: a request that makes one
    # could otherwise be sent in a loop to fill the log.
    app[FAILURES_KEY] = LogBudget(log, "failed API requests", limits.log_lines,
                                  limits.log_window_s)  # fmt: skip
    app.router.add_get("/api/health", health)
    app.router.add_get("/api/status", status)
    app.router.add_get("/api/alarms", list_alarms)
    app.router.add_post("/api/alarms/{key}/ack", ack)
    app.router.add_post("/api/alarms/{key}/shelve", shelve)
    app.router.add_post("/api/alarms/{key}/unshelve", unshelve)
    app.router.add_post("/api/cycles", start_cycle)
    app.router.add_post("/api/cycles/{pasteuriser}/abort", abort_cycle)
    app.router.add_post("/api/lots", create_lot)
    app.router.add_post("/api/notify/test", notify_test)
    add_sheet_routes(app, port, limits)
    lot_routes.register(app, port, limits.body_s)
    return app
