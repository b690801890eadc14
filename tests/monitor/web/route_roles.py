"""The role table of the security tests: for every route of the web pages and of the API,
who may ask it and a request complete enough to reach the check of her role; the routes of
an app as its router lists them; and that app, built as the daemon builds it, served.

A route the router lists and the table does not is an error the tests name: whoever adds
a route says here who may ask it.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.api.app import build_app
from monitor.clock import Clock
from monitor.journal import cycle_stream
from monitor.service.daemon import Daemon
from monitor.service.facade import ServiceFacade
from monitor.users import Role, UserStore
from monitor.web.mount import mount_web
from monitor.web.sessions import SessionStore
from tests.monitor.service.quiet_daemon import ORIGIN_NS, PW, STALE

PEOPLE = {"sophie": Role.SUPERVISOR, "anne": Role.TECHNICIAN, "ines": Role.INSPECTOR,
          "wall": Role.KIOSK}  # fmt: skip
NAME_OF = {role: name for name, role in PEOPLE.items()}
LOT = "L2026-001"
CYCLE = cycle_stream("P1", ORIGIN_NS)  # written by a test that needs it (``closed_cycle``)
# What each path parameter stands for: things the quiet daemon has (its lot made by
# ``create_lot``), so that a refusal is the role's and not an unknown thing's.
PARAMS = {"lot": LOT, "key": STALE, "pasteuriser": "P1", "enclosure": "F1", "month": "2026-11",
          "day": "2026-11-19", "cycle": CYCLE}  # fmt: skip
CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EN = {"Accept-Language": "en"}

EVERYONE = frozenset(Role)
READERS = frozenset({Role.SUPERVISOR, Role.TECHNICIAN, Role.INSPECTOR})
STAFF = frozenset({Role.SUPERVISOR, Role.TECHNICIAN})
SUPERVISOR = frozenset({Role.SUPERVISOR})


@dataclass(frozen=True, slots=True)
class Act:
    """Who may ask a route; ``fields``: a form or body that a person who may would have
    sent, so that a check made only once the request is read (the desk's) is reached."""

    may: frozenset[Role]
    fields: Mapping[str, Any] = field(default_factory=dict)

    @property
    def may_not(self) -> list[Role]:
        return [role for role in Role if role not in self.may]


# Reached without a session; the sign-in form has its own token.
PUBLIC = frozenset({"POST /login", "GET /login", "GET /lang", "GET /favicon.ico",
                    "GET /static"})  # fmt: skip
WEB_CHANGES = {
    "POST /logout": Act(EVERYONE),
    "POST /alarms/acknowledge": Act(STAFF, {"key": STALE, "comment": "checked",
                                            "password": PW}),
    "POST /alarms/shelve": Act(SUPERVISOR, {"key": STALE, "reason": "probe replaced",
                                            "minutes": "30", "password": PW}),
    "POST /alarms/unshelve": Act(SUPERVISOR, {"key": STALE, "password": PW}),
    "POST /cycles/start": Act(STAFF, {"pasteuriser": "P1", "program": "holder63", "lots": LOT,
                                      "password": PW}),
    "POST /cycles/abort": Act(STAFF, {"pasteuriser": "P1", "reason": "wrong program",
                                      "password": PW}),
    "POST /lots/{lot}/bacteriology": Act(STAFF, {"stage": "after", "total_flora": "0",
                                                 "s_aureus": "0", "password": PW}),
    "POST /lots/{lot}/release": Act(SUPERVISOR, {"password": PW}),
    "POST /lots/{lot}/destroy": Act(STAFF, {"reason": "bottle broken", "password": PW}),
    "POST /lots/{lot}/store": Act(STAFF, {"enclosure": "F1", "password": PW}),
    "POST /lots/{lot}/unstore": Act(STAFF, {"password": PW}),
    "POST /lots/{lot}/move": Act(STAFF, {"to": "F2", "password": PW}),
    "POST /lots/{lot}/distribute": Act(STAFF, {"bottles": "1", "ward": "neonatology",
                                               "recipient_ref": "RX-1", "password": PW}),
    "POST /lots/{lot}/correct": Act(STAFF, {"target_seq": "1", "reason": "typing slip",
                                            "field": "lab_reference", "value": "LAB-2",
                                            "password": PW}),
    "POST /lots/{lot}/decide": Act(SUPERVISOR, {"alarm": "band:F1", "decision": "keep",
                                                "reason": "within limits", "password": PW}),
    "POST /sheets/{enclosure}/{month}/review": Act(SUPERVISOR, {"password": PW}),
    "POST /sheets/{enclosure}/{day}/sign": Act(STAFF, {"password": PW}),
    "POST /users/add": Act(SUPERVISOR, {"username": "marc", "name": "Marc Petit",
                                        "role": "technician", "new_password": "a long password",
                                        "password": PW}),
    "POST /users/role": Act(SUPERVISOR, {"username": "anne", "role": "inspector",
                                         "password": PW}),
    "POST /users/disable": Act(SUPERVISOR, {"username": "anne", "password": PW}),
}  # fmt: skip
WEB_READS = {
    "GET /": EVERYONE,  # the overview: what a wall screen shows
    "GET /events": EVERYONE,
    **dict.fromkeys(
        ["GET /alarms", "GET /alarms/{key}", "GET /cycles", "GET /cycles/{cycle}/curve.json",
         "GET /cycles/{cycle}", "GET /lots", "GET /lots/{lot}/dossier.pdf",
         "GET /lots/{lot}/curve.csv", "GET /lots/{lot}/bundle.jsonl", "GET /lots/{lot}",
         "GET /sheets", "GET /sheets/{enclosure}/{month}.pdf", "GET /sheets/{enclosure}/{day}",
         "GET /probes", "GET /audit", "GET /verify"],
        READERS,
    ),
    "GET /users": SUPERVISOR,
}  # fmt: skip
# The API's bodies, without the signer (``user``, ``password``): each test adds its own.
API_CHANGES = {
    "POST /api/alarms/{key}/ack": Act(STAFF, {"comment": "checked"}),
    "POST /api/alarms/{key}/shelve": Act(SUPERVISOR, {"comment": "probe replaced",
                                                      "minutes": 30}),
    "POST /api/alarms/{key}/unshelve": Act(SUPERVISOR),
    "POST /api/cycles": Act(STAFF, {"pasteuriser": "P1", "lots": [LOT], "program": "holder63"}),
    "POST /api/cycles/{pasteuriser}/abort": Act(STAFF, {"reason": "wrong program"}),
    "POST /api/lots": Act(STAFF, {"lot": "L2026-050", "sub_lots": ["D7"],
                                  "total_flora_cfu_ml": 8e3, "s_aureus_cfu_ml": 10}),
    "POST /api/notify/test": Act(STAFF),
    "POST /api/sheets/{enclosure}/{day}/sign": Act(STAFF),
    "POST /api/sheets/{enclosure}/{month}/review": Act(SUPERVISOR),
    "POST /api/lots/move": Act(STAFF, {"lots": [LOT], "to": "F2"}),
    "POST /api/lots/{lot}/bacteriology": Act(STAFF, {"stage": "after", "total_flora_cfu_ml": 0,
                                                     "s_aureus_cfu_ml": 0}),
    "POST /api/lots/{lot}/release": Act(SUPERVISOR),
    "POST /api/lots/{lot}/destroy": Act(STAFF, {"reason": "bottle broken"}),
    "POST /api/lots/{lot}/store": Act(STAFF, {"enclosure": "F1"}),
    "POST /api/lots/{lot}/unstore": Act(STAFF),
    "POST /api/lots/{lot}/distribute": Act(STAFF, {"bottles": 1, "ward": "neonatology",
                                                   "recipient_ref": "RX-1"}),
    "POST /api/lots/{lot}/correct": Act(STAFF, {"target_seq": 1, "reason": "typing slip",
                                                "field": "lab_reference", "value": "LAB-2"}),
    "POST /api/lots/{lot}/decide": Act(SUPERVISOR, {"alarm": "band:F1", "decision": "keep",
                                                    "reason": "within limits"}),
}  # fmt: skip


def guesser_of(route: str) -> str:
    """A supervisor of her own for a route's wrong passwords: three failures throttle a
    user, and a throttled signer would be refused for that rather than for her password."""
    return re.sub(r"[^a-z0-9]+", "-", route.lower()).strip("-")[:64]


GUESSERS = {guesser_of(route): Role.SUPERVISOR for route in API_CHANGES}


def concrete(canonical: str) -> str:
    """The path of ``canonical`` with each parameter given its value of ``PARAMS``."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in PARAMS, f"{canonical}: no value in PARAMS for the parameter {{{name}}}"
        return quote(PARAMS[name], safe="")

    return re.sub(r"\{(\w+)\}", value, canonical)


def routes_of(app: web.Application, methods: Collection[str], *, api: bool) -> dict[str, str]:
    """``"METHOD /canonical"`` → a path to ask, for each route of ``methods`` the router
    lists, of the API (``api``) or of the pages."""
    found = {}
    for route in app.router.routes():
        canonical = route.resource.canonical if route.resource is not None else ""
        if route.method in methods and canonical.startswith("/api") == api:
            found[f"{route.method} {canonical}"] = concrete(canonical)
    return found


def check_the_table_lists(routes: Collection[str], table: Collection[str]) -> None:
    missing, stale = sorted(set(routes) - set(table)), sorted(set(table) - set(routes))
    assert not missing, f"routes with no row in the role table (route_roles.py): {missing}"
    assert not stale, f"rows of the role table for routes the app no longer has: {stale}"


async def create_lot(daemon: Daemon) -> None:
    """``LOT``, made through the daemon's own API as ``lactamon lot create`` makes one."""
    body = {"user": "anne", "password": PW, "lot": LOT, "sub_lots": ["D001"],
            "total_flora_cfu_ml": 5e3, "s_aureus_cfu_ml": 10, "bottles": 6}  # fmt: skip
    async with (
        aiohttp.ClientSession() as http,
        http.post(daemon.api_url + "/api/lots", json=body) as answer,
    ):
        assert answer.status == 201, await answer.text()


@dataclass(frozen=True, slots=True)
class Served:
    app: web.Application
    url: str


@asynccontextmanager
async def served(
    daemon: Daemon, sessions: SessionStore | None = None, clock: Clock | None = None
) -> AsyncIterator[Served]:
    """The API and the pages on the daemon's pipeline, built as the daemon builds them,
    with ``sessions`` and ``clock`` (the one passwords are throttled by) when given."""
    assert daemon.pipeline is not None
    users = UserStore(daemon.settings.users.path)
    facade = ServiceFacade(daemon.pipeline, users, clock or daemon.clock, daemon.sync)
    app = build_app(facade)
    mount_web(app, facade, daemon.settings.web, sessions)
    server = TestServer(app)
    await server.start_server()
    try:
        yield Served(app, str(server.make_url("")).rstrip("/"))
    finally:
        await server.close()
        users.close()
