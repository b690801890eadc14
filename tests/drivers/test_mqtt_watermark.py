"""Markers the MQTT driver sends itself through the broker: how far behind its link it is.

The broker queues a subscriber's messages in order; a marker published with the time it was
sent comes back behind everything the broker held for the driver then. When it is read,
every message the broker had before that time has been read too.
"""

import asyncio
import logging
import time
from pathlib import Path

import pytest

from config.links import MqttBroker
from config.probes import Probe
from drivers.availability import AvailabilityTracker
from drivers.mqtt_connect import MqttConnector
from drivers.mqtt_subscriber import MqttSubscriber
from drivers.mqtt_watermark import WatermarkLedger, marker_every_s
from drivers.sink import AvailabilityChange, CollectingSink, Watermark
from monitor.clock import NS_PER_S, SystemClock
from monitor.reading import Reading
from tests.fixtures.mosquitto import MosquittoBroker
from tests.fixtures.waiting import eventually, running

DRIVER_LOG = "test.mqtt.watermark"
TOPIC = "zigbee2mqtt/fridge-1"


class OrderedSink:
    """Everything the driver hands on, in the order it did."""

    def __init__(self) -> None:
        self.items: list[Reading | AvailabilityChange | Watermark] = []

    def reading(self, reading: Reading) -> None:
        self.items.append(reading)

    def availability(self, change: AvailabilityChange) -> None:
        self.items.append(change)

    def watermark(self, mark: Watermark) -> None:
        self.items.append(mark)

    def marks(self) -> list[Watermark]:
        return [i for i in self.items if isinstance(i, Watermark)]


def fridge(period_s: float = 10.0) -> Probe:
    return Probe.model_validate(
        {
            "id": "F1",
            "source": {"kind": "mqtt", "topic": TOPIC, "format": "zigbee2mqtt"},
            "sample_period_s": period_s,
        }
    )


def subscriber(
    broker: MqttBroker, sink: OrderedSink | CollectingSink, not_echoed_s: float = 10.0
) -> MqttSubscriber:
    logger = logging.getLogger(DRIVER_LOG)
    return MqttSubscriber(
        broker, [fridge()], sink, SystemClock(), logger=logger, not_echoed_s=not_echoed_s
    )


async def test_a_marker_comes_back_behind_every_message_the_broker_held(
    mosquitto: MosquittoBroker,
) -> None:
    broker = mosquitto.settings()
    sink = OrderedSink()
    sub = subscriber(broker, sink)
    async with running(sub):
        await asyncio.wait_for(sub.subscribed.wait(), 10)
        await eventually(lambda: sub.watermarks.working)
        async with MqttConnector(broker, "test-device").client() as device:
            for i in range(300):
                await device.publish(TOPIC, b'{"temperature":%d.5}' % (i % 5), qos=1)
        published_ns = time.time_ns()
        await eventually(lambda: any(m.sent_ns > published_ns for m in sink.marks()))
    after = next(
        i for i, m in enumerate(sink.items) if isinstance(m, Watermark) and m.sent_ns > published_ns
    )
    assert len([i for i in sink.items[:after] if isinstance(i, Reading)]) == 300
    marks = sink.marks()
    assert all(m.source == "mqtt" and m.sent_ns <= m.received_ns for m in marks)
    assert [m.sent_ns for m in marks] == sorted(m.sent_ns for m in marks)
    assert sub.counters.received == 300  # the markers are not probe messages
    assert sub.counters.watermarks == len(marks)
    assert sub.watermarks.lost == 0


async def test_markers_the_broker_does_not_echo_are_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=DRIVER_LOG)
    acl = tmp_path / "acl"
    acl.write_text(f"topic read #\ntopic write {TOPIC}\n")  # the unit may not publish

    mosquitto = MosquittoBroker(tmp_path / "mosquitto", extra_lines=[f"acl_file {acl}"])
    mosquitto.start()
    try:
        sink = CollectingSink()
        sub = subscriber(mosquitto.settings(), sink, not_echoed_s=0.3)
        async with running(sub):
            await asyncio.wait_for(sub.subscribed.wait(), 10)
            await eventually(lambda: any("did not echo" in r.getMessage() for r in caplog.records))
            await asyncio.sleep(0.5)
    finally:
        mosquitto.stop()
    said = [r.getMessage() for r in caplog.records if "did not echo" in r.getMessage()]
    assert len(said) == 1
    assert "lactamon/watermark" in said[0]
    assert not sub.watermarks.working
    assert sub.watermarks.heard_until() is None
    assert sink.watermarks == []


def test_a_marker_that_comes_back_after_later_ones_were_sent_counts_the_lost_ones() -> None:
    ledger = WatermarkLedger("unit-a")
    ledger.start_session()
    first, second, third = ledger.stamp(10), ledger.stamp(20), ledger.stamp(30)
    assert ledger.oldest_outstanding_ns() == 10
    mark = ledger.returned(third, received_ns=35)
    assert mark is not None
    assert (mark.sent_ns, mark.received_ns, mark.lost) == (30, 35, 2)
    assert (ledger.working, ledger.lost, ledger.heard_until()) == (True, 2, 30)
    assert ledger.oldest_outstanding_ns() is None
    assert ledger.returned(first, received_ns=40) is None  # too late: already counted lost
    assert ledger.returned(second, received_ns=40) is None


def test_markers_of_another_unit_or_an_earlier_session_are_ignored() -> None:
    ledger = WatermarkLedger("unit-a")
    other = WatermarkLedger("unit-b")
    ledger.start_session()
    other.start_session()
    mine = ledger.stamp(10)
    assert ledger.returned(other.stamp(10), received_ns=11) is None
    assert ledger.returned(b"garbage", received_ns=11) is None
    ledger.end_session()
    assert (ledger.working, ledger.oldest_outstanding_ns(), ledger.heard_until()) == (
        False,
        None,
        None,
    )
    ledger.start_session()
    assert ledger.returned(mine, received_ns=12) is None
    assert ledger.session == 2


def test_silence_is_not_called_while_the_driver_is_behind_its_broker() -> None:
    sink = CollectingSink()
    tracker = AvailabilityTracker([fridge(period_s=10.0)], sink, logging.getLogger(DRIVER_LOG))
    tracker.start(0)
    tracker.seen("F1", 100 * NS_PER_S)
    tracker.check_silence(200 * NS_PER_S, heard_until=125 * NS_PER_S)
    assert tracker.is_available("F1")
    tracker.check_silence(200 * NS_PER_S, heard_until=131 * NS_PER_S)
    assert not tracker.is_available("F1")


def test_markers_go_a_third_of_the_shortest_stale_limit_apart_within_1_to_5_s() -> None:
    assert marker_every_s([30.0, 90.0]) == 5.0  # the lab's fridges: every 10 s, stale at 30
    assert marker_every_s([9.0, 30.0]) == 3.0
    assert marker_every_s([0.06]) == 1.0  # never more often than a second
    assert marker_every_s([]) == 1.0
