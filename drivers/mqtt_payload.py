"""Turning an MQTT payload into a temperature, in the style of the probe's preset.

Pure and strict: a payload is either one finite number with the unit it declared (if any),
a ``PayloadRejected`` naming a fixed reason, or ``MessageIgnored`` for a message that carries
no temperature by design (a Shelly notification about its battery). Strictness is the point:
``true``, ``"3.2"``, ``NaN``, a key given twice or a number in a string are refused rather than
guessed at, because a guessed temperature in a pasteurisation record is worse than a missing
one.

What each style looks like, and where its value and unit are, is ``config.mqtt_presets``: a
plain number; Tasmota (the sensor by name, the unit in ``TempUnit``, the chip's ``Id`` checked
when ``sensor_id`` is set); Zigbee2MQTT (always °C); Shelly Gen1 (a plain number); Shelly Gen2
(RPC notifications, ``tC``/``tF`` naming the unit); or any JSON with a ``json_path``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import NoReturn

from config.json_path import PathStep, compile_json_path
from config.mqtt_presets import Unit
from config.probes import MqttSource
from drivers import strict_json
from drivers.errors import PayloadError
from drivers.reject_log import sample

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "MessageIgnored",
    "PathStep",
    "PayloadParser",
    "PayloadRejected",
    "RejectReason",
    "Temperature",
    "Unit",
    "compile_json_path",
]

# A sensor message is well under 1 KiB (a Tasmota SENSOR message with several sensors
# included; a Shelly full status a few KiB); anything far larger is not a temperature and is
# refused before it is parsed.
MAX_PAYLOAD_BYTES = 16 * 1024

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
# Only ASCII blanks surround a number; str.strip() would also take control characters
# such as \x1f for white space.
_BLANKS = " \t\r\n"


class RejectReason(StrEnum):
    """Why a payload was refused; counted per probe and reason."""

    EMPTY = "empty"
    TOO_LARGE = "too large"
    NOT_UTF8 = "not UTF-8"
    NOT_JSON = "not JSON"
    DUPLICATE_KEY = "duplicate key"
    NOT_A_NUMBER = "not a number"
    NOT_FINITE = "not finite"
    MISSING_VALUE = "missing value"
    WRONG_TYPE = "wrong type"
    UNKNOWN_UNIT = "unknown unit"
    WRONG_SENSOR = "wrong sensor"


class PayloadRejected(PayloadError):
    """A payload that holds no usable temperature; ``reason`` is its category."""

    def __init__(self, topic: str, reason: RejectReason, detail: str) -> None:
        super().__init__(topic, f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class MessageIgnored(PayloadError):
    """A well-formed message that is about something else than this probe's temperature."""


@dataclass(frozen=True, slots=True)
class Temperature:
    """A value as the device sent it, and the unit the payload declared (None: it said none)."""

    value: float
    unit: Unit | None


def _compiled(path: str | None) -> tuple[PathStep, ...] | None:
    return None if path is None else compile_json_path(path)


class PayloadParser:
    """Parses the payloads of one ``MqttSource`` (its paths were checked with the settings)."""

    def __init__(self, source: MqttSource) -> None:
        self._source = source
        self._topic = source.topic
        self._preset = source.preset
        self._value_path = _compiled(source.resolved_json_path())
        self._unit_path = _compiled(source.resolved_unit_path())
        self._component_path = _compiled(self._preset.component_path_for(source.sensor))
        self._implied_unit: Unit | None = self._preset.fixed_unit
        if self._value_path and self._preset.key_units:
            # Shelly sends both units; the key read says which one it is.
            self._implied_unit = self._preset.key_units.get(str(self._value_path[-1]))

    def parse(self, payload: bytes) -> Temperature:
        """The temperature in ``payload``; ``PayloadRejected`` or ``MessageIgnored`` if none."""
        if len(payload) > MAX_PAYLOAD_BYTES:
            self._reject(RejectReason.TOO_LARGE, f"{len(payload)} bytes > {MAX_PAYLOAD_BYTES}")
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError as exc:
            self._reject(
                RejectReason.NOT_UTF8, f"{exc.reason} at byte {exc.start}: {sample(payload)}"
            )
        if not text.strip(_BLANKS):
            self._reject(RejectReason.EMPTY, sample(payload))
        if self._value_path is None:
            return Temperature(self._number(text.strip(_BLANKS)), None)
        document = self._json(text)
        self._about_this_probe(document, text)
        value = self._walk(document, self._value_path)
        if value is strict_json.ABSENT:
            self._reject(RejectReason.MISSING_VALUE, f"no {self._path_text()} in {sample(text)}")
        temperature = Temperature(self._finite(value, text), self._unit(document, text))
        self._check_sensor_id(document)
        return temperature

    def _reject(self, reason: RejectReason, detail: str) -> NoReturn:
        raise PayloadRejected(self._topic, reason, detail)

    def _path_text(self) -> str:
        return str(self._source.resolved_json_path())

    def _number(self, text: str) -> float:
        if _NUMBER.fullmatch(text) is None:
            reason = (
                RejectReason.NOT_FINITE
                if _NON_FINITE.fullmatch(text)
                else RejectReason.NOT_A_NUMBER
            )
            self._reject(reason, sample(text))
        value = float(text)
        if not math.isfinite(value):
            self._reject(RejectReason.NOT_FINITE, f"{sample(text)} overflows")
        return value

    def _json(self, text: str) -> object:
        try:
            return strict_json.loads(text)
        except strict_json.DuplicateKey as exc:
            self._reject(RejectReason.DUPLICATE_KEY, f"key {exc.key!r} twice in {sample(text)}")
        except strict_json.NonFiniteConstant as exc:
            self._reject(RejectReason.NOT_FINITE, f"{exc.name} in {sample(text)}")
        except RecursionError:
            self._reject(RejectReason.NOT_JSON, f"nested too deeply: {sample(text)}")
        except ValueError as exc:
            self._reject(RejectReason.NOT_JSON, f"{exc}: {sample(text)}")

    def _walk(self, document: object, path: tuple[PathStep, ...]) -> object:
        try:
            return strict_json.walk(document, path)
        except strict_json.PathMismatch as exc:
            self._reject(RejectReason.WRONG_TYPE, str(exc))

    def _about_this_probe(self, document: object, text: str) -> None:
        """Raise ``MessageIgnored`` for a notification that is not about this sensor."""
        methods = self._preset.methods
        if methods:
            method = self._walk(document, ("method",))
            if method is strict_json.ABSENT:
                self._reject(RejectReason.MISSING_VALUE, f"no method in {sample(text)}")
            if not isinstance(method, str):
                kind = strict_json.kind(method)
                self._reject(RejectReason.WRONG_TYPE, f"method is {kind}, not text")
            if method not in methods:
                raise MessageIgnored(self._topic, f"{method} notification")
        if self._component_path is not None:
            component = self._walk(document, self._component_path)
            if component is strict_json.ABSENT:
                raise MessageIgnored(self._topic, f"no {self._source.sensor} in the message")

    def _finite(self, value: object, text: str) -> float:
        path = self._path_text()
        if value is None:
            self._reject(RejectReason.MISSING_VALUE, f"{path} is null in {sample(text)}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = strict_json.kind(value)
            self._reject(RejectReason.WRONG_TYPE, f"{path} is {kind}, not a number")
        try:
            number = float(value)
        except OverflowError:
            self._reject(RejectReason.NOT_FINITE, f"{path} is too large: {sample(text)}")
        if not math.isfinite(number):
            self._reject(RejectReason.NOT_FINITE, f"{path} overflows: {sample(text)}")
        return number

    def _unit(self, document: object, text: str) -> Unit | None:
        if self._unit_path is None:
            return self._implied_unit
        try:
            declared = strict_json.walk(document, self._unit_path)
        except strict_json.PathMismatch:
            declared = strict_json.ABSENT  # no object where the unit would be: it says nothing
        if declared is strict_json.ABSENT:
            return self._implied_unit
        unit = declared.strip().lstrip("°").upper() if isinstance(declared, str) else None
        if unit == "C":
            return "C"
        if unit == "F":
            return "F"
        where = self._source.resolved_unit_path()
        self._reject(RejectReason.UNKNOWN_UNIT, f"{where} = {declared!r} in {sample(text)}")

    def _check_sensor_id(self, document: object) -> None:
        wanted = self._source.sensor_id
        if wanted is None:
            return
        sensor = self._source.sensor
        found = self._walk(document, (sensor, "Id"))
        if not isinstance(found, str):
            self._reject(RejectReason.WRONG_SENSOR, f"{sensor} has no Id, expected {wanted}")
        if found.upper() != wanted.upper():
            self._reject(
                RejectReason.WRONG_SENSOR,
                f"{sensor} is sensor {found}, not {wanted} (Tasmota renumbers its sensors "
                "when one is added or lost)",
            )
