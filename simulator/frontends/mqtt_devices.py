"""What a simulated MQTT device publishes: one message per topic, in its probes' preset.

Pure. Where the value, its unit and the rest of the message go is the preset registry's
(``config.mqtt_presets``), the one the driver reads with. A device with several probes on one
topic (a Tasmota with two DS18B20, a Shelly with an add-on) sends them in one message, as the
real device does. Values are in the probe's configured unit, except where the device always
sends both (Shelly Gen2: ``tC`` and ``tF``) and where it declares one unit for all its
sensors (Tasmota's ``TempUnit``: the unit of its first probe).

Faults: a probe that gives no answer is left out of the message (nothing is sent when none
answers); an open circuit sends the lab's sentinel as is (-127 is a DS18B20's); a device
exception sends the message without the temperature (Tasmota leaves out a sensor that stopped
answering; a Shelly Gen2 sends ``null``), and ``ERR`` on a plain-number topic.

``availability_message`` is the device's last-will message, with its preset's words.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from config.json_path import PathStep, compile_json_path
from config.probes import MqttSource, Probe
from simulator.models.probe import ProbeFaultKind, ProbeOutput

# A DS18B20's "no sensor" value, for when the lab gives no sentinel.
DEFAULT_OPEN_CIRCUIT = -127.0
DEVICE_ERROR_NUMBER = b"ERR"


def _fahrenheit(celsius: float) -> float:
    return celsius * 9.0 / 5.0 + 32.0


def _source(probe: Probe) -> MqttSource:
    if not isinstance(probe.source, MqttSource):
        raise ValueError(f"probe {probe.id} is not an MQTT probe")
    return probe.source


@dataclass(frozen=True, slots=True)
class _Sent:
    """What the device measured: in the probe's unit and in °C; a sentinel is sent as is."""

    value: float
    celsius: float
    sentinel: bool = False

    def in_unit(self, unit: str) -> float:
        if self.sentinel:
            return self.value
        return _fahrenheit(self.celsius) if unit == "F" else self.celsius


def _sent(probe: Probe, output: ProbeOutput, unit: str | None = None) -> _Sent | None:
    """What the device sends for ``output``, in ``unit`` (by default the probe's)."""
    if output.fault is ProbeFaultKind.OPEN_CIRCUIT:
        sentinel = output.value_c if output.value_c is not None else DEFAULT_OPEN_CIRCUIT
        return _Sent(sentinel, sentinel, sentinel=True)
    if output.value_c is None:
        return None
    value = _fahrenheit(output.value_c) if (unit or probe.unit) == "F" else output.value_c
    return _Sent(value, output.value_c)


def render_message(readings: Sequence[tuple[Probe, ProbeOutput]], when: datetime) -> bytes | None:
    """The message of the device whose probes measure ``readings`` at ``when``, or None.

    The probes share one topic and one preset; a plain-number preset carries one probe.
    """
    answering = [(p, o) for p, o in readings if o.fault is not ProbeFaultKind.NO_ANSWER]
    sources = [_source(p) for p, _ in readings]
    if not answering:
        return None
    style = sources[0].preset
    if style.plain_number:
        probe, output = answering[0]
        sent = _sent(probe, output)
        return DEVICE_ERROR_NUMBER if sent is None else f"{sent.value:.2f}".encode()
    document = _envelope(sources[0], when)
    unit = answering[0][0].unit if style.unit_path else None
    for probe, output in answering:
        _put_reading(document, _source(probe), _sent(probe, output, unit), unit or probe.unit)
    return json.dumps(document, separators=(",", ":")).encode()


def availability_message(probe: Probe, *, online: bool) -> tuple[str, bytes] | None:
    """The topic and message saying the device of ``probe`` is (not) connected, if known."""
    source = _source(probe)
    if source.availability_topic is None:
        return None
    style = source.preset.availability
    word = source.offline_word() if not online else style.online if style else None
    if word is None:
        return None
    payload = style.payload(word) if style is not None else word
    return source.availability_topic, payload.encode()


def _envelope(source: MqttSource, when: datetime) -> dict[str, Any]:
    """The fields a device of this preset sends besides its temperatures."""
    name = source.format
    if name == "tasmota":
        return {"Time": when.strftime("%Y-%m-%dT%H:%M:%S")}
    if name == "zigbee2mqtt":
        return {"battery": 97, "linkquality": 120, "voltage": 2995}
    if source.preset.methods:
        device = source.topic.split("/", 1)[0]
        return {
            "src": device,
            "dst": f"{device}/events",
            "method": source.preset.methods[0],
            "params": {"ts": round(when.timestamp(), 2)},
        }
    return {}


def _put_reading(
    document: dict[str, Any], source: MqttSource, sent: _Sent | None, unit: str
) -> None:
    style = source.preset
    path = compile_json_path(str(source.resolved_json_path()))
    if source.format == "tasmota":
        _put(document, (source.sensor, "Id"), source.sensor_id or _chip_id(source.sensor))
    if style.key_units:
        # The device sends every unit it knows, side by side; a failed read sends nulls.
        component = path[:-1]
        if source.format == "shelly_gen2":
            _put(document, (*component, "id"), _component_number(source.sensor))
        for key, unit in style.key_units.items():
            value = None if sent is None else round(sent.in_unit(unit), 2)
            _put(document, (*component, key), value)
    elif sent is not None:
        _put(document, path, round(sent.value, 2))
    unit_path = source.resolved_unit_path()
    if unit_path is not None:
        _put(document, compile_json_path(unit_path), unit)


def _chip_id(sensor: str) -> str:
    """A DS18B20 address that stays the same for one sensor name, as a real chip's does."""
    return hashlib.sha256(sensor.encode()).hexdigest()[:12].upper()


def _component_number(sensor: str) -> int:
    _, _, number = sensor.partition(":")
    return int(number) if number.isdigit() else 0


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
