"""The notification side under faults: an SMTP server down, then back; a slow one.

Real parts: aiosmtpd, an aiohttp webhook receiver, the journal, the alarm desk. A dead SMTP
server makes the e-mail channel raise ``notify:email``, which reaches the webhook; once the
server is back, every message waiting is delivered. A server that answers after the
timeout gets the message again, with the same Message-ID.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from config import Settings
from monitor.alarms import AlarmManager, Priority
from monitor.clock import ScaledClock
from monitor.journal import Journal, JournalReader, generate_key_file, load_key_file
from monitor.service.alarm_desk import AlarmDesk
from monitor.service.notifications import Notifications
from tests.fixtures.smtp_server import SmtpServer
from tests.fixtures.webhook_receiver import Receiver
from tests.monitor.service.pipeline_lab import T0

BOB = "bob@lab.example"


def settings(smtp_port: int, hook_port: int, **email: Any) -> Settings:
    notify = {
        "people": {"bob": {"name": "Bob Durand", "email": BOB}},
        "lists": {"night": ["bob"]},
        "default_list": "night",
        "retry_first_s": 0.05,
        "retry_most_s": 0.2,
        "failures_before_alarm": 3,
        "email": {"host": "127.0.0.1", "port": smtp_port, "security": "none",
                  "sender": "lactamon@lab.example", "timeout_s": 1.0, **email},
        "webhook": {"url": f"http://127.0.0.1:{hook_port}/hook"},
    }  # fmt: skip
    return Settings.model_validate({"notify": notify, "site": {"device": "pi-1"}})


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    generate_key_file(tmp_path / "k")
    with Journal(tmp_path / "j.sqlite", load_key_file(tmp_path / "k"), ScaledClock(1.0, T0)) as j:
        yield j


async def until(check: Any, timeout_s: float, what: str) -> None:
    for _ in range(int(timeout_s / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def running(notes: Notifications) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(c.run(), name=c.name) for c in notes.components()]


async def stopped(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def email_attempts(journal: Journal) -> list[dict[str, Any]]:
    journal.flush()
    with JournalReader(journal.path) as reader:
        attempts = [r for r in reader.stream_records("alarms") if r.kind.startswith("notif")]
        return [dict(r.fields) for r in attempts if r.fields["channel"] == "email"]


def wired(s: Settings, journal: Journal) -> tuple[Notifications, AlarmDesk]:
    notes = Notifications(s, journal, ScaledClock(1.0, T0), None)
    desk = AlarmDesk(AlarmManager(), journal, notes.dispatcher.notify)
    notes.attach(desk)
    return notes, desk


async def test_smtp_down_raises_its_alarm_on_the_webhook_and_delivers_all_once_back(
    journal: Journal, receiver: Receiver
) -> None:
    server = SmtpServer("none")  # made, not started: its port refuses connections
    notes, desk = wired(settings(server.port, receiver.port), journal)
    tasks = await running(notes)
    try:
        desk.condition(T0, "band:Z1", True, "Z1", Priority.CRITICAL, "freezer Z1 at -12 °C")
        await until(lambda: desk.is_active("notify:email"), 10, "the notify:email alarm")
        await until(lambda: any("notify:email" in b["alarms"] for b in receiver.bodies), 10,
                    "the channel's alarm on the webhook")  # fmt: skip
        server.start()
        try:
            await until(lambda: not desk.is_active("notify:email"), 10, "the channel back")
            await until(lambda: len(server.received) >= 2, 10, "the waiting e-mails")
        finally:
            server.stop()
    finally:
        await stopped(tasks)
    subjects = [str(r.message["Subject"]) for r in server.received]
    assert any("band:Z1" in s for s in subjects), subjects
    assert any("notify:email" in s for s in subjects), subjects
    ids = [r.message["Message-ID"] for r in server.received]
    assert len(ids) == len(set(ids))  # each e-mail once: the refusals never reached a server
    email = email_attempts(journal)
    first = [f for f in email if f["alarms"] == "band:Z1" and f["reason"] == "raised"]
    assert [f["result"] for f in first][-1] == "delivered"
    assert {f["result"] for f in first[:-1]} == {"unreachable"}
    assert len({f["idempotency_key"] for f in first}) == 1
    assert [f["attempt"] for f in first] == list(range(1, len(first) + 1))


class SlowOnce:
    """Takes every message, but answers the first one only after the client gave up."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.ids: list[str] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = (envelope.original_content or b"").decode()
        self.ids += [line.split(":", 1)[1].strip() for line in content.splitlines()
                     if line.lower().startswith("message-id:")]  # fmt: skip
        if len(self.ids) == 1:
            await asyncio.sleep(self.delay_s)
        return "250 OK"


async def test_a_server_answering_after_the_timeout_gets_the_repeat_with_the_same_id(
    journal: Journal, receiver: Receiver
) -> None:
    server = SmtpServer("none")
    slow = SlowOnce(delay_s=2.0)
    server.controller.handler = slow
    server.start()
    try:
        notes, desk = wired(settings(server.port, receiver.port, timeout_s=0.5), journal)
        tasks = await running(notes)
        try:
            desk.condition(T0, "band:Z1", True, "Z1", Priority.CRITICAL, "freezer Z1 at -12 °C")
            await until(lambda: len(slow.ids) >= 2, 10, "the repeat")
        finally:
            await stopped(tasks)
    finally:
        server.stop()
    assert slow.ids[0] == slow.ids[1]
    assert email_attempts(journal)[0]["result"] == "timed_out"


async def test_an_alarm_nobody_was_told_of_before_a_restart_is_told_after_it(
    journal: Journal, receiver: Receiver
) -> None:
    server = SmtpServer("none").start()
    try:
        s = settings(server.port, receiver.port)
        _, desk = wired(s, journal)  # no channel runs: the Pi stops before any message
        desk.condition(T0, "band:Z1", True, "Z1", Priority.CRITICAL, "freezer Z1 at -12 °C")
        desk.condition(T0, "band:F1", True, "F1", Priority.CRITICAL, "fridge F1 at 7 °C")
        journal.flush()

        again, desk_again = wired(s, journal)
        with JournalReader(journal.path) as reader:
            desk_again.resume(reader, again.replay)
        tasks = await running(again)
        try:
            assert again.catch_up(T0 + 10**9) == 2
            await until(lambda: len(server.received) >= 2, 10, "the e-mails after the restart")
        finally:
            await stopped(tasks)

        journal.flush()
        told, desk_told = wired(s, journal)  # and after a third start, both were told
        with JournalReader(journal.path) as reader:
            desk_told.resume(reader, told.replay)
        assert told.catch_up(T0 + 2 * 10**9) == 0
    finally:
        server.stop()
