"""Fuzz target: malformed HTTP against the API served for real on loopback.

The daemon's own ``ApiServer`` (``build_app`` behind aiohttp's ``AppRunner``, its request
log and timeouts) in front of a fake service that never fails on its own: it answers, or
raises the errors the service port documents. So a 500 can only be the API's doing. The
log budget is lifted so that no traceback goes uncounted. Rules: no answer has status 500;
nothing is logged with a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re

from config.service import WebSettings
from monitor.alarms import AlarmError, UnknownAlarm
from monitor.api.limits import HttpLimits
from monitor.api.port import Json
from monitor.api.requests import (
    AckRequest,
    CycleAbortRequest,
    CycleStartRequest,
    LotCreateRequest,
    ShelveRequest,
    UnshelveRequest,
)
from monitor.api.server import ApiServer
from monitor.errors import Refused
from monitor.users import AuthError, NotPermitted, Throttled
from tests.fuzz.api_requests import Case, generate
from tests.fuzz.figures import Figures

FULL_COUNT = 2000
CLIENTS = 8
LIMITS = HttpLimits(idle_s=1.0, body_s=0.5, log_lines=1_000_000, log_window_s=60.0)
_STATUS = re.compile(rb"HTTP/1\.[01] (\d{3})")


class CalmService:
    """A service port that answers every call, or refuses it as the port documents."""

    def status(self) -> Json:
        return {"healthy": True}

    def alarms(self, include_normal: bool) -> list[Json]:
        return [{"key": "band:F1", "all": include_normal}]

    def _refuse(self, key: str, user: str) -> None:
        refusals = {
            "ghost": UnknownAlarm("unknown alarm 'ghost'"),
            "done": AlarmError("alarm done is normal"),
            "ines": NotPermitted("inspector ines may not"),
            "wrong": AuthError("wrong user name or password"),
            "many": Throttled("too many failed attempts"),
            "P9": Refused("unknown pasteuriser 'P9'"),
        }
        for word in (key, user):
            if word in refusals:
                raise refusals[word]

    async def acknowledge(self, key: str, request: AckRequest) -> Json:
        self._refuse(key, request.user)
        return {"acknowledged": key}

    async def shelve(self, key: str, request: ShelveRequest) -> Json:
        self._refuse(key, request.user)
        return {"shelved": key, "minutes": request.minutes}

    async def unshelve(self, key: str, request: UnshelveRequest) -> Json:
        self._refuse(key, request.user)
        return {"unshelved": key}

    async def start_cycle(self, request: CycleStartRequest) -> Json:
        self._refuse(request.pasteuriser, request.user)
        return {"started": request.pasteuriser, "lots": request.lots}

    async def abort_cycle(self, pasteuriser: str, request: CycleAbortRequest) -> Json:
        self._refuse(pasteuriser, request.user)
        return {"aborted": pasteuriser}

    async def create_lot(self, request: LotCreateRequest) -> Json:
        self._refuse(request.lot, request.user)
        return {"lot": request.lot}


class LogTally(logging.Handler):
    """Every record logged anywhere while the fuzzer runs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def run(count: int, seed: int) -> Figures:
    figures = Figures("HTTP requests against the API on loopback", seed)
    rng = random.Random(f"{seed}/api")
    cases = [generate(rng) for _ in range(count)]
    tally, root = LogTally(), logging.getLogger()
    level = root.level
    root.addHandler(tally)
    root.setLevel(logging.DEBUG)
    server = ApiServer(WebSettings(host="127.0.0.1", port=0), CalmService(), LIMITS)
    try:
        await server.start()
        port = int(server.url.rsplit(":", 1)[1])
        queue: asyncio.Queue[Case] = asyncio.Queue()
        for case in cases:
            queue.put_nowait(case)
        async with asyncio.TaskGroup() as group:
            for _ in range(CLIENTS):
                group.create_task(_client(queue, port, figures))
    finally:
        await server.stop()
        root.removeHandler(tally)
        root.setLevel(level)
    _judge_log(tally.records, figures)
    return figures


async def _client(queue: asyncio.Queue[Case], port: int, figures: Figures) -> None:
    while not queue.empty():
        case = queue.get_nowait()
        try:
            answer = await asyncio.wait_for(_exchange(case, port), timeout=10.0)
        except (ConnectionError, TimeoutError) as exc:
            figures.count(f"connection: {type(exc).__name__}")
            continue
        # A 100 Continue comes before the answer proper; it is not one of its own.
        statuses = [int(s) for s in _STATUS.findall(answer) if not s.startswith(b"1")]
        statuses = statuses[: case.answers or 1]
        figures.count("requests", f"kind {case.kind.split(':')[0]}")
        if not statuses:
            figures.count("closed without an answer")
        for status in statuses:
            figures.count(f"status {status}")
            if status >= 500:
                figures.fail(f"status {status}", case.kind, case.data, answer.decode("latin-1"))


async def _exchange(case: Case, port: int) -> bytes:
    """Send the case's bytes and read until the server closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(case.data)
        await writer.drain()
        if case.half_close:
            writer.write_eof()
        chunks = []
        while chunk := await reader.read(65536):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):  # the server closed first
            await writer.wait_closed()


def _judge_log(records: list[logging.LogRecord], figures: Figures) -> None:
    for record in records:
        figures.count(f"log {record.levelname} {record.name}")
        if record.exc_info or record.exc_text or "Traceback" in record.getMessage():
            # By exception and where it was raised: one crash does not hide another.
            lines = logging.Formatter().format(record).splitlines()
            where = next((line.strip() for line in reversed(lines) if "File " in line), "")
            rule = f"traceback in the log: {lines[-1][:60]} ({where[-80:]})"
            figures.fail(rule, record.name, record.getMessage(), "\n".join(lines[-6:]))
