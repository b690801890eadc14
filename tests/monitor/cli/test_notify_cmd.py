"""``lactamon notify test`` and the channels in ``lactamon status``, on a real daemon.

The daemon's webhook posts to a real receiver; the command runs in this process on a worker
thread, its password piped on standard input.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from monitor.journal import JournalReader
from monitor.service.daemon import Daemon
from monitor.users import Role
from tests.fixtures.ports import free_port
from tests.monitor.cli.daemon_config import cli_config
from tests.monitor.cli.test_ops_cmd import lactamon
from tests.monitor.service.quiet_daemon import PW, quiet_daemon

pytestmark = pytest.mark.asyncio(loop_scope="module")


@dataclass
class Live:
    daemon: Daemon
    config: Path
    bodies: list[dict[str, Any]]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def live(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Live]:
    tmp = tmp_path_factory.mktemp("lab")
    bodies: list[dict[str, Any]] = []

    async def take(request: web.Request) -> web.Response:
        bodies.append(json.loads(await request.read()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", take)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    notify = {
        "people": {"bob": {"name": "Bob Durand", "phone": "+33611111111"},
                   "carla": {"name": "Carla Petit"}},
        "lists": {"night": ["bob"]},
        "default_list": "night",
        "webhook": {"url": f"http://127.0.0.1:{port}/hook"},
    }  # fmt: skip
    people = {"anne": Role.TECHNICIAN, "ines": Role.INSPECTOR}
    try:
        async with quiet_daemon(tmp, people, notify=notify) as daemon:
            config = cli_config(tmp / "lactamon.toml", daemon)
            yield Live(daemon, config, bodies)
    finally:
        await runner.cleanup()


async def until(check: Any, what: str) -> None:
    for _ in range(200):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_test_message_reaches_the_on_call_list_and_is_journaled(live: Live) -> None:
    ran = await asyncio.to_thread(lactamon, live.config, "notify", "test", "--user", "anne",
                                  stdin=PW + "\n")  # fmt: skip
    assert ran.code == 0, ran.err
    assert "queued on webhook to bob" in ran.out
    await until(lambda: any(b["reason"] == "test" for b in live.bodies), "the test message")
    test = next(b for b in live.bodies if b["reason"] == "test")
    assert test["recipient"]["id"] == "bob"
    assert "asked by anne" in test["message"]
    status = await asyncio.to_thread(lactamon, live.config, "status")
    assert "notify webhook  last delivered 20" in status.out, status.out
    journal = live.daemon.settings.journal.path
    await until(lambda: _delivered_tests(journal), "the delivery record")


async def test_one_person_on_one_channel(live: Live) -> None:
    ran = await asyncio.to_thread(lactamon, live.config, "notify", "test", "--channel",
                                  "webhook", "--to", "carla", "--user", "anne",
                                  stdin=PW + "\n")  # fmt: skip
    assert ran.code == 0, ran.err
    await until(lambda: any(b["recipient"] and b["recipient"]["id"] == "carla"
                            for b in live.bodies), "carla's test")  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--channel", "pager", "--user", "anne"],
         "lactamon notify: unknown channel 'pager' (configured: mqtt, webhook)"),
        (["--to", "zoe", "--user", "anne"],
         "lactamon notify: unknown person 'zoe' (known: bob, carla)"),
        (["--user", "ines"], "lactamon notify: inspector ines may not acknowledge"),
    ],
)  # fmt: skip
async def test_a_test_that_cannot_be_sent_says_why(
    live: Live, args: list[str], message: str
) -> None:
    ran = await asyncio.to_thread(lactamon, live.config, "notify", "test", *args,
                                  stdin=PW + "\n")  # fmt: skip
    assert (ran.code, ran.err.strip()) == (1, message)


def _delivered_tests(journal: Path) -> bool:
    with JournalReader(journal) as reader:
        return any(r.kind == "notification_delivered" and r.fields["reason"] == "test"
                   for r in reader.stream_records("alarms"))  # fmt: skip
