"""The availability payloads of Tasmota, Zigbee2MQTT and Shelly, read for the offline word."""

import pytest

from drivers.mqtt_availability import AvailabilityWatch


@pytest.mark.parametrize(
    ("topic", "offline", "payload", "gone"),
    [
        ("tele/fridge-1/LWT", "Offline", b"Offline", True),
        ("tele/fridge-1/LWT", "Offline", b"Online", False),
        ("zigbee2mqtt/bridge/state", "offline", b'{"state":"offline"}', True),
        ("zigbee2mqtt/bridge/state", "offline", b'{"state":"online"}', False),
        ("zigbee2mqtt/bridge/state", "offline", b"offline", True),
        ("zigbee2mqtt/bridge/state", "offline", b"online", False),
        ("shellies/ht-1/online", "false", b"false", True),
        ("shellies/ht-1/online", "false", b"true\n", False),
        ("shellies/ht-1/online", "false", b"", False),
        ("shellies/ht-1/online", "false", b"{not json", False),
        ("shellies/ht-1/online", "false", b"\xff\xfe", False),
    ],
)
def test_the_offline_word_of_each_device(
    topic: str, offline: str, payload: bytes, gone: bool
) -> None:
    watch = AvailabilityWatch("p", topic, offline)
    assert (watch.offline_reason(payload) is not None) is gone


def test_the_reason_names_the_topic_and_what_it_said() -> None:
    watch = AvailabilityWatch("F1", "zigbee2mqtt/bridge/state", "offline")
    assert watch.offline_reason(b'{"state":"offline"}') == (
        'device offline (zigbee2mqtt/bridge/state: {"state":"offline"})'
    )
    long = b'{"state":"offline","reason":"' + b"x" * 100 + b'"}'
    reason = watch.offline_reason(long)
    assert reason is not None
    assert reason.endswith("…)")
