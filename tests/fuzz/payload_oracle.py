"""What a payload should give a probe, read by the presets' rules without the parser.

A payload mutated at random may still be a well-formed payload of its preset (a digit of the
temperature changed, a key added), or may have become garbage. This decides which, from the
rules the presets and ``drivers.mqtt_payload`` document, with Python's own readers:

* at most ``MAX_PAYLOAD_BYTES``, valid UTF-8, not blank;
* a bare-number preset: one finite decimal number, ASCII blanks around it allowed;
* a JSON preset: strict JSON (no key twice, no ``NaN``/``Infinity``), the value a finite
  JSON number (not a boolean, not text) at the value path, the unit at the unit path (if
  there) text saying C or F, the Tasmota chip ``Id`` the probe names (if it names one);
* a Shelly RPC message whose method is another, or without this sensor: ignored.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Literal

from config.json_path import compile_json_path
from config.probes import MqttSource
from drivers.mqtt_payload import MAX_PAYLOAD_BYTES

Verdict = Literal["reading", "ignored", "garbage"]
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BLANKS = " \t\r\n"


@dataclass(frozen=True)
class Expect:
    verdict: Verdict
    why: str = ""
    value: float | None = None
    unit: str | None = None


class _Refused(Exception):
    pass


class _Mismatch(Exception):
    pass


_ABSENT = object()


def expect(source: MqttSource, payload: bytes) -> Expect:
    """What ``payload`` is for a probe reading ``source``."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        return Expect("garbage", "too large")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return Expect("garbage", "not UTF-8")
    body = text.strip(_BLANKS)
    if not body:
        return Expect("garbage", "blank")
    value_path = source.resolved_json_path()
    if value_path is None:
        if _DECIMAL.fullmatch(body) is None:
            return Expect("garbage", "not a decimal number")
        number = float(body)
        return Expect("reading", value=number) if math.isfinite(number) else _non_finite()
    try:
        document = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except (ValueError, RecursionError, _Refused) as exc:
        return Expect("garbage", f"not strict JSON ({type(exc).__name__})")
    try:
        return _read(source, document, value_path)
    except _Mismatch as exc:
        return Expect("garbage", f"wrong shape: {exc}")


def _non_finite() -> Expect:
    return Expect("garbage", "not finite")


def _read(source: MqttSource, document: object, value_path: str) -> Expect:
    preset = source.preset
    if preset.methods:
        method = _at(document, ("method",))
        if not isinstance(method, str):
            return Expect("garbage", "method missing or not text")
        if method not in preset.methods:
            return Expect("ignored", "another method")
    component = preset.component_path_for(source.sensor)
    if component is not None and _at(document, compile_json_path(component)) is _ABSENT:
        return Expect("ignored", "not about this sensor")
    steps = compile_json_path(value_path)
    value = _at(document, steps)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Expect("garbage", f"value is {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:
        return _non_finite()
    if not math.isfinite(number):
        return _non_finite()
    unit: str | None = preset.fixed_unit or preset.key_units.get(str(steps[-1]))
    unit_path = source.resolved_unit_path()
    if unit_path is not None:
        try:
            declared = _at(document, compile_json_path(unit_path))
        except _Mismatch:
            declared = _ABSENT  # no object where the unit would be: it says nothing
        if declared is not _ABSENT:
            said = declared.strip().lstrip("°").upper() if isinstance(declared, str) else None
            if said not in ("C", "F"):
                return Expect("garbage", f"unit {declared!r}")
            unit = said
    if source.sensor_id is not None:
        chip = _at(document, (source.sensor, "Id"))
        if not isinstance(chip, str) or chip.upper() != source.sensor_id.upper():
            return Expect("garbage", "another chip")
    return Expect("reading", value=number, unit=unit)


def _at(document: object, steps: tuple[str | int, ...]) -> object:
    node = document
    for step in steps:
        if isinstance(step, str):
            if not isinstance(node, dict):
                raise _Mismatch(f"{step!r} under a {type(node).__name__}")
            if step not in node:
                return _ABSENT
            node = node[step]
        else:
            if not isinstance(node, list):
                raise _Mismatch(f"[{step}] under a {type(node).__name__}")
            if step >= len(node):
                return _ABSENT
            node = node[step]
    return node


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    if len({key for key, _ in pairs}) != len(pairs):
        raise _Refused("a key twice")
    return dict(pairs)


def _constant(name: str) -> object:
    raise _Refused(name)
