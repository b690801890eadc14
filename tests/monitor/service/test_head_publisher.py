"""Chain heads on retained MQTT topics, through a real Mosquitto: the latest per stream, once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiomqtt

from config.links import MqttBroker
from drivers.mqtt_publish import MqttPublisher
from monitor.journal import Journal, JournalReader, Record, Unreadable, cycle_stream
from monitor.journal.head_messages import head_from_message, head_topic
from monitor.journal.signing import check_signed_record
from monitor.reading import Quality, Reading
from monitor.service.head_publisher import ChainHeadPublisher
from tests.fixtures.mosquitto import MosquittoBroker
from tests.monitor.journal.samples import T0, StepClock, device_key

S = 1_000_000_000
FRIDGE = "enclosure:F1:2026-11-26"


def fill(journal: Journal) -> str:
    cycle = cycle_stream("P1", T0)
    for i in range(6):
        journal.append_reading(cycle, Reading("P1-ref", T0 + i * S, 63.1, Quality.OK))
        journal.append_reading(FRIDGE, Reading("F1-air", T0 + i * S, 3.2, Quality.OK))
        if i in (2, 4):
            journal.checkpoint(FRIDGE)
    journal.seal(cycle, "cycle ended")
    journal.flush()
    return cycle


async def retained(broker: MosquittoBroker, prefix: str) -> dict[str, bytes]:
    """Every retained message under ``prefix/heads/``, by topic."""
    found: dict[str, bytes] = {}
    async with aiomqtt.Client("127.0.0.1", broker.port) as client:
        await client.subscribe(f"{prefix}/heads/#")
        try:
            async with asyncio.timeout(1.0):
                async for message in client.messages:
                    assert message.retain
                    found[str(message.topic)] = bytes(message.payload)
        except TimeoutError:
            pass  # no more retained messages
    return found


async def test_each_stream_keeps_its_latest_signed_head(
    tmp_path: Path, mosquitto: MosquittoBroker
) -> None:
    key = device_key()
    journal = Journal(tmp_path / "journal.sqlite", key, StepClock())
    cycle = fill(journal)
    publisher = MqttPublisher(MqttBroker(port=mosquitto.port, topic_prefix="lab"))
    task = asyncio.create_task(publisher.run(), name="publisher")
    try:
        heads = ChainHeadPublisher(journal, publisher, 0.05)
        with JournalReader(journal.path) as reader:
            assert heads.publish_new(reader) == 3  # two checkpoints and a seal
            assert heads.publish_new(reader) == 0
        for _ in range(100):
            if publisher.sent >= 3:
                break
            await asyncio.sleep(0.02)
        again = ChainHeadPublisher(journal, publisher, 0.05)  # a restart: nothing twice
        with JournalReader(journal.path) as reader:
            assert again.publish_new(reader) == 0
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    journal.close()

    messages = await retained(mosquitto, "lab")
    assert set(messages) == {f"lab/{head_topic(cycle)}", f"lab/{head_topic(FRIDGE)}"}
    fridge = head_from_message(messages[f"lab/{head_topic(FRIDGE)}"])
    seal = head_from_message(messages[f"lab/{head_topic(cycle)}"])
    assert isinstance(fridge, Record)
    assert isinstance(seal, Record)
    assert (fridge.kind, fridge.seq) == ("checkpoint", 7)  # the later of the two (#4, #7)
    assert seal.kind == "seal"
    trusted = {key.key_id: key.public}
    for head in (fridge, seal):
        assert check_signed_record(head, trusted, None) == []
    forged = Record(seal.stream, seal.seq, seal.ts, seal.kind, {**seal.fields, "reason": "ok"},
                    seal.hash)  # fmt: skip
    assert [p.kind.value for p in check_signed_record(forged, trusted, None)] == ["bad_signature"]


def test_a_forged_or_garbled_head_does_not_pass() -> None:
    assert isinstance(head_from_message(b"\xff\xfe"), Unreadable)
    assert isinstance(head_from_message(b'{"stream": 1}'), Unreadable)
    assert head_topic("a/b+c#d") == "heads/a_b_c_d"


def test_it_reads_the_journal_only_after_a_commit_and_marks_only_what_it_published(
    tmp_path: Path,
) -> None:
    journal = Journal(tmp_path / "journal.sqlite", device_key(), StepClock())
    fill(journal)
    queued: list[str] = []

    class Queue:
        def publish(self, topic: str, payload: bytes, retain: bool) -> None:
            queued.append(topic)

    heads = ChainHeadPublisher(journal, Queue(), 1.0)  # type: ignore[arg-type]
    with JournalReader(journal.path) as reader:
        assert heads.publish_new(reader) == 3
        marked = journal.outbox.sent_up_to("mqtt-heads")
        assert heads.publish_new(reader) == 0
        assert heads.looks == 1  # nothing was committed since: the journal is not read

        journal.append_reading(FRIDGE, Reading("F1-air", T0 + 9 * S, 3.2, Quality.OK))
        journal.flush()
        assert heads.publish_new(reader) == 0
        assert heads.looks == 2
        # Rows without a head move no mark: a cycle's commits would each write it.
        assert journal.outbox.sent_up_to("mqtt-heads") == marked
        assert heads.sent_up_to > marked

        journal.checkpoint(FRIDGE)
        journal.flush()
        assert heads.publish_new(reader) == 1
        assert journal.outbox.sent_up_to("mqtt-heads") == heads.sent_up_to
    journal.close()
    assert len(queued) == 4
