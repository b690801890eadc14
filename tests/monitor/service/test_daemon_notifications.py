"""The alarm path end to end: a freezer warms at night and the daemon wakes people up.

The simulator's freezer loses power at 03:05 on a Thursday; its band alarm is e-mailed to the
night list at once (a real SMTP server), posted to the webhook (a real HTTP receiver) and
turns the buzzer on (a coil of pymodbus's server). Left unacknowledged for 15 minutes it
escalates to the next list; a technician acknowledges it over the API: the buzzer goes off
and everyone told hears of the acknowledgement. Every attempt is in the journal, which
verifies.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from argon2 import PasswordHasher

from monitor.clock import ScaledClock, datetime_to_ns
from monitor.journal import JournalReader, keygen, verify_journal
from monitor.service.daemon import Daemon
from monitor.users import Role, UserStore
from simulator.lab import Lab
from simulator.scenario import load_scenario
from simulator.session import Simulation
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.ports import free_port
from tests.fixtures.relay_module import coil, relay_module
from tests.fixtures.smtp_server import SmtpServer
from tests.fixtures.webhook_receiver import Receiver
from tests.monitor.service.lab_settings import lab_settings

SCENARIO = Path(__file__).parent / "scenarios" / "freezer-night.toml"
ORIGIN_NS = datetime_to_ns(datetime(2026, 1, 15, 3, 0, tzinfo=ZoneInfo("Europe/Paris")))
SPEED = 300.0
PW = "correct horse battery"
KEY = "band:Z1"


async def until(check: Callable[[], Any], timeout_s: float, what: str) -> None:
    """``check`` true (awaited when it gives an awaitable) within ``timeout_s``."""
    for _ in range(int(timeout_s / 0.05)):
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def smtp() -> Any:
    server = SmtpServer("none").start()
    try:
        yield server
    finally:
        server.stop()


def notify_settings(smtp_port: int, hook_port: int, relay_port: int) -> dict[str, Any]:
    weekdays = ["mon", "tue", "wed", "thu", "fri"]
    return {
        "people": {
            "alice": {"name": "Alice Martin", "email": "alice@lab.example"},
            "bob": {"name": "Bob Durand", "email": "bob@lab.example", "phone": "+33611111111"},
            "carla": {"name": "Carla Petit", "email": "carla@lab.example"},
        },
        "lists": {"day": ["alice"], "night": ["bob"], "next": ["carla"]},
        "on_call": [
            {"days": weekdays, "start": "08:00", "end": "18:00", "list": "day"},
            {"days": weekdays, "start": "18:00", "end": "08:00", "list": "night"},
            {"days": ["sat", "sun"], "start": "00:00", "end": "00:00", "list": "night"},
        ],
        "base_url": "https://lactamon.lab.example:8470",
        "email": {"host": "127.0.0.1", "port": smtp_port, "security": "none",
                  "sender": "lactamon@lab.example"},
        "webhook": {"url": f"http://127.0.0.1:{hook_port}/hook", "timeout_s": 5.0},
        "relay": {"host": "127.0.0.1", "port": relay_port, "refresh_s": 5.0},
    }  # fmt: skip


def mails_to(smtp: SmtpServer, address: str) -> list[str]:
    return [str(r.message["Subject"]) for r in smtp.received if address in r.rcpt_tos]


def acknowledged_to(smtp: SmtpServer, person: str) -> Callable[[], bool]:
    return lambda: any("acknowledged" in s for s in mails_to(smtp, f"{person}@lab.example"))


async def test_a_freezer_warming_at_night_wakes_the_night_list_then_the_next(
    tmp_path: Path, mosquitto: MosquittoBroker, smtp: SmtpServer, receiver: Receiver
) -> None:
    relay_port = free_port()
    notify = notify_settings(smtp.port, receiver.port, relay_port)
    settings = lab_settings(tmp_path, mosquitto.port, notify=notify)
    public_key, _ = keygen(settings.signing.key_file)
    users = UserStore(
        settings.users.path, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    users.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="test")
    users.close()
    clock = ScaledClock(SPEED, ORIGIN_NS)
    lab = Lab.from_scenario(load_scenario(SCENARIO))
    daemon = Daemon(settings, clock)
    async with relay_module(relay_port) as module, Simulation(settings, lab, clock):
        task = asyncio.create_task(daemon.run(), name="daemon")
        try:
            await asyncio.wait_for(daemon.ready.wait(), 10)
            assert daemon.pipeline is not None
            alarms = daemon.pipeline.desk.manager.alarms
            await until(lambda: KEY in alarms, 60, "the freezer's band alarm")
            raised_at = clock.now_ns()
            await until(lambda: mails_to(smtp, "bob@lab.example"), 10, "bob's e-mail")
            assert mails_to(smtp, "alice@lab.example") == []  # the day list sleeps
            assert mails_to(smtp, "carla@lab.example") == []  # not yet
            [subject] = mails_to(smtp, "bob@lab.example")
            assert subject.startswith(f"[lactamon] P1 {KEY} ")
            await until(lambda: coil(module), 10, "the buzzer to go on")
            await until(lambda: any(b["recipient"] and b["recipient"]["id"] == "bob"
                                    for b in receiver.bodies), 10, "the webhook")  # fmt: skip

            await until(lambda: mails_to(smtp, "carla@lab.example"), 30, "the escalation")
            escalated_after_min = (clock.now_ns() - raised_at) / 60e9
            assert 14 <= escalated_after_min <= 25, escalated_after_min
            assert "ESCALATED level 1" in mails_to(smtp, "carla@lab.example")[0]
            assert await coil(module)  # still nobody acknowledged

            body = {"user": "anne", "password": PW, "comment": "door closed, power back"}
            async with (
                aiohttp.ClientSession() as session,
                session.post(f"{daemon.api_url}/api/alarms/{KEY}/ack", json=body) as answer,
            ):
                assert answer.status == 200, await answer.text()

            async def buzzer_off() -> bool:
                return not await coil(module)

            assert await coil(module)
            await until(buzzer_off, 10, "the buzzer to go off")
            for person in ("bob", "carla"):
                await until(acknowledged_to(smtp, person), 10, f"{person}'s news")
        finally:
            daemon.stop("test over")
            await asyncio.wait_for(task, 15)

    report = verify_journal(settings.journal.path, public_key)
    assert report.ok, report.format()
    with JournalReader(settings.journal.path) as reader:
        deliveries = [r.fields for r in reader.stream_records("alarms")
                      if r.kind == "notification_delivered"]  # fmt: skip
    told = {(d["channel"], d["recipient"], d["reason"]) for d in deliveries if KEY in
            str(d["alarms"]).split(",")}  # fmt: skip
    assert {
        ("email", "bob", "raised"),
        ("webhook", "bob", "raised"),
        ("relay", "", "raised"),
        ("email", "carla", "escalated"),
        ("email", "bob", "acknowledged"),
        ("email", "carla", "acknowledged"),
        ("relay", "", "acknowledged"),
    } <= told, told
    assert not [d for d in deliveries if d["recipient"] == "alice"]
