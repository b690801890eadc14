"""The dispatcher: a queue per channel, retries with the same key, every attempt on record,
and a channel that hangs delays nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.alarms import Notification, Priority
from monitor.journal import Journal, JournalReader, Record, generate_key_file, load_key_file
from monitor.notify import Delivery, DeliveryFailed
from monitor.notify.dispatcher import Dispatcher
from tests.monitor.notify.samples import PLACE
from tests.monitor.service.pipeline_lab import T0, ManualClock

NOTE = Notification(T0, "raised", ("band:F1",), Priority.CRITICAL, "fridge F1 at 6.2 °C")


class Flaky:
    """Refuses its first ``failures`` messages, then takes every one."""

    per_person = False

    def __init__(self, name: str, failures: int = 0, hang: bool = False) -> None:
        self.name, self.failures, self.hang = name, failures, hang
        self.keys: list[str] = []
        self.taken: list[Delivery] = []

    async def deliver(self, message: Delivery) -> str:
        self.keys.append(message.key)
        if self.hang:
            await asyncio.sleep(3600)
        if self.failures:
            self.failures -= 1
            raise DeliveryFailed("451 try again later")
        self.taken.append(message)
        return "250 OK"


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    generate_key_file(tmp_path / "k")
    with Journal(tmp_path / "j.sqlite", load_key_file(tmp_path / "k"), ManualClock(T0)) as j:
        yield j


def attempts(journal: Journal) -> list[Record]:
    journal.flush()
    with JournalReader(journal.path) as reader:
        return [r for r in reader.stream_records("alarms") if r.kind.startswith("notification_")]


async def until(check: object, timeout_s: float = 5.0) -> None:
    for _ in range(int(timeout_s / 0.01)):
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def test_a_refused_message_is_retried_with_the_same_key_and_each_attempt_recorded(
    journal: Journal,
) -> None:
    smtp = Flaky("smtp", failures=2)
    dispatcher = Dispatcher([smtp], journal, lambda: T0, PLACE, retry_initial_s=0.01)
    worker = asyncio.create_task(dispatcher.run_channel("smtp"))
    try:
        dispatcher.notify(NOTE)
        await until(lambda: smtp.taken)
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
    assert len(set(smtp.keys)) == 1
    assert len(smtp.keys) == 3
    records = attempts(journal)
    assert [(r.kind, r.fields["attempt"]) for r in records] == [
        ("notification_failed", 1),
        ("notification_failed", 2),
        ("notification_delivered", 3),
    ]
    assert records[0].fields["answer"] == "451 try again later"
    assert {r.fields["idempotency_key"] for r in records} == {smtp.keys[0]}
    assert dispatcher.status()["smtp"]["delivered"] == 1


async def test_a_channel_that_hangs_delays_nothing_else(journal: Journal) -> None:
    stuck, mqtt = Flaky("smtp", hang=True), Flaky("mqtt")
    dispatcher = Dispatcher([stuck, mqtt], journal, lambda: T0, PLACE, timeout_s=0.2,
                            retry_initial_s=10)  # fmt: skip
    workers = [asyncio.create_task(dispatcher.run_channel(n)) for n in ("smtp", "mqtt")]
    try:
        dispatcher.notify(NOTE)
        await until(lambda: mqtt.taken, timeout_s=0.15)  # before the stuck one even times out
        await until(lambda: dispatcher.status()["smtp"]["failed_attempts"] == 1)
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    failed = [r for r in attempts(journal) if r.kind == "notification_failed"]
    assert failed[0].fields["channel"] == "smtp"
    assert "timed out" in str(failed[0].fields["answer"])


def test_notify_never_blocks_and_a_full_queue_drops_on_record(journal: Journal) -> None:
    dispatcher = Dispatcher([Flaky("smtp")], journal, lambda: T0, PLACE, max_queued=2)
    for n in range(3):
        dispatcher.notify(Notification(T0 + n, "raised", (f"a{n}",), Priority.LOW, "m"))
    assert dispatcher.status()["smtp"]["dropped"] == 1
    [dropped] = attempts(journal)
    # The head may be on its way out when the queue fills: the next oldest goes.
    assert dropped.fields["alarms"] == "a1"
    assert dropped.fields["result"] == "dropped"
    assert "queue is full" in str(dropped.fields["answer"])


async def test_a_channel_failing_in_a_row_says_so_once_and_again_when_it_recovers(
    journal: Journal,
) -> None:
    smtp = Flaky("smtp", failures=4)
    health: list[tuple[str, bool, str]] = []
    dispatcher = Dispatcher([smtp], journal, lambda: T0, PLACE, retry_initial_s=0.01,
                            failures_before_alarm=3,
                            on_health=lambda *h: health.append(h))  # fmt: skip
    worker = asyncio.create_task(dispatcher.run_channel("smtp"))
    try:
        dispatcher.notify(NOTE)
        await until(lambda: smtp.taken)
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
    assert [(name, failing) for name, failing, _ in health] == [("smtp", True), ("smtp", False)]
    assert "451 try again later" in health[0][2]
    results = [r.fields["result"] for r in attempts(journal)]
    assert results == ["refused"] * 4 + ["delivered"]


async def test_a_channel_that_raises_something_unexpected_keeps_its_queue(
    journal: Journal,
) -> None:
    class Broken(Flaky):
        async def deliver(self, message: Delivery) -> str:
            self.keys.append(message.key)
            if len(self.keys) == 1:
                raise ValueError("a bug in the channel")
            self.taken.append(message)
            return "ok"

    broken = Broken("webhook")
    dispatcher = Dispatcher([broken], journal, lambda: T0, PLACE, retry_initial_s=0.01)
    worker = asyncio.create_task(dispatcher.run_channel("webhook"))
    try:
        dispatcher.notify(NOTE)
        await until(lambda: broken.taken)
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
    first = attempts(journal)[0]
    assert "unexpected ValueError: a bug in the channel" in str(first.fields["answer"])
