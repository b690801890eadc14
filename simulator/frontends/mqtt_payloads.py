"""What a simulated MQTT sensor publishes: its payload in the probe's configured style.

Pure. Styles follow the devices they imitate: ``number`` (``3.21``); ``tasmota``
(``{"Time":…,"DS18B20":{"Id":…,"Temperature":3.2},"TempUnit":"C"}``); ``zigbee2mqtt``
(``{"battery":97,"linkquality":120,"temperature":3.21,…}``); ``shelly``
(``{"id":0,"tC":3.2,"tF":37.8}``); ``json`` (the value at the configured path). Values are
in the probe's configured unit (°F when it says F), except Shelly, which always sends both.

Faults: no answer publishes nothing; an open circuit publishes the lab's sentinel as the
device would (unconverted; -127 is a DS18B20's); a device exception publishes the message
without its temperature, as Tasmota does for a sensor that stopped answering (``ERR`` for
a plain-number topic).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from config.probes import MqttSource, Probe
from drivers.mqtt_payload import PathStep, compile_json_path
from simulator.models.probe import ProbeFaultKind, ProbeOutput

# A DS18B20's "no sensor" value, for when the lab gives no sentinel.
DEFAULT_OPEN_CIRCUIT = -127.0
DEVICE_ERROR_NUMBER = b"ERR"


def _fahrenheit(celsius: float) -> float:
    return celsius * 9.0 / 5.0 + 32.0


@dataclass(frozen=True, slots=True)
class _Sent:
    """What the device measured: in the probe's unit and in °C (a sentinel is both, as is)."""

    value: float
    celsius: float


def render_payload(probe: Probe, output: ProbeOutput, when: datetime) -> bytes | None:
    """The payload ``probe``'s device publishes for ``output`` at ``when``, or None."""
    source = probe.source
    if not isinstance(source, MqttSource):
        raise ValueError(f"probe {probe.id} is not an MQTT probe")
    sent: _Sent | None
    if output.fault is ProbeFaultKind.NO_ANSWER:
        return None
    if output.fault is ProbeFaultKind.DEVICE_EXCEPTION:
        sent = None
    elif output.fault is ProbeFaultKind.OPEN_CIRCUIT:
        sentinel = output.value_c if output.value_c is not None else DEFAULT_OPEN_CIRCUIT
        sent = _Sent(sentinel, sentinel)
    elif output.value_c is None:
        return None
    else:
        value = _fahrenheit(output.value_c) if probe.unit == "F" else output.value_c
        sent = _Sent(value, output.value_c)
    if source.format == "number":
        return DEVICE_ERROR_NUMBER if sent is None else f"{sent.value:.2f}".encode()
    document = _base(source, sent, when)
    path = source.resolved_json_path()
    already_there = source.format == "shelly" and path in ("tC", "tF")
    if sent is not None and path is not None and not already_there:
        document = _put(document, compile_json_path(path), round(sent.value, 2))
    unit_path = source.resolved_unit_path()
    if unit_path is not None:
        document = _put(document, compile_json_path(unit_path), probe.unit)
    return json.dumps(document, separators=(",", ":")).encode()


def _base(source: MqttSource, sent: _Sent | None, when: datetime) -> dict[str, Any]:
    """The fields a device of this style sends besides the temperature."""
    if source.format == "tasmota":
        document: dict[str, Any] = {"Time": when.strftime("%Y-%m-%dT%H:%M:%S")}
        if sent is not None:
            document[source.sensor] = {"Id": "01144F2D3AAA"}
        return document
    if source.format == "zigbee2mqtt":
        return {"battery": 97, "linkquality": 120, "voltage": 2995}
    if source.format == "shelly":
        document = {"id": 0}
        if sent is not None:
            document["tC"] = round(sent.celsius, 2)
            document["tF"] = round(_fahrenheit(sent.celsius), 2)
        return document
    return {}


def _put(document: Any, steps: tuple[PathStep, ...], value: object) -> Any:
    """``document`` with ``value`` at ``steps``, creating objects and lists on the way."""
    if not steps:
        return value
    step, rest = steps[0], steps[1:]
    if isinstance(step, int):
        items = document if isinstance(document, list) else []
        while len(items) <= step:
            items.append({})
        items[step] = _put(items[step], rest, value)
        return items
    mapping = document if isinstance(document, dict) else {}
    mapping[step] = _put(mapping.get(step), rest, value)
    return mapping
