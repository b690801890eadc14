"""Turning an MQTT payload into a temperature: a plain number, or a value found by a JSON path.

Pure and strict: a payload is either one finite number with the unit it declared (if any),
or a ``PayloadRejected`` naming a fixed reason. Strictness is the point: ``true``, ``"3.2"``,
``NaN``, a key given twice or a number in a string are refused rather than guessed at, because
a guessed temperature in a pasteurisation record is worse than a missing one.

Payload styles (``MqttSource.format``): ``number`` (``3.2``); ``tasmota``
(``{"DS18B20":{"Temperature":3.2},"TempUnit":"C"}``); ``zigbee2mqtt`` (``{"temperature":3.21}``);
``shelly`` (``{"id":0,"tC":3.2,"tF":37.8}``: the key names the unit); ``json`` with an explicit
path. A path is dotted with list indices: ``StatusSNS.DS18B20[0].Temperature``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, NoReturn

from config.probes import MqttSource
from drivers.errors import PayloadError
from drivers.reject_log import sample

# A sensor message is well under 1 KiB (a Tasmota SENSOR message with several sensors
# included); anything far larger is not a temperature and is refused before it is parsed.
MAX_PAYLOAD_BYTES = 16 * 1024

Unit = Literal["C", "F"]
PathStep = str | int

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
_SEGMENT = re.compile(r"([^.\[\]]*)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")
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


class PayloadRejected(PayloadError):
    """A payload that holds no usable temperature; ``reason`` is its category."""

    def __init__(self, topic: str, reason: RejectReason, detail: str) -> None:
        super().__init__(topic, f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Temperature:
    """A value as the device sent it, and the unit the payload declared (None: it said none)."""

    value: float
    unit: Unit | None


def compile_json_path(path: str) -> tuple[PathStep, ...]:
    """``"a.b[0].c"`` → ``("a", "b", 0, "c")``; a ValueError names what is wrong."""
    steps: list[PathStep] = []
    for i, segment in enumerate(path.split(".")):
        match = _SEGMENT.fullmatch(segment)
        if match is None:
            raise ValueError(f"json_path {path!r}: bad segment {segment!r} (use a.b[0].c)")
        name, indices = match.groups()
        if name:
            steps.append(name)
        elif i > 0 or not indices:
            raise ValueError(f"json_path {path!r}: empty key in segment {i + 1}")
        steps += [int(n) for n in _INDEX.findall(indices)]
    return tuple(steps)


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


class _NonFiniteConstant(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _refuse_constant(name: str) -> object:
    raise _NonFiniteConstant(name)


class PayloadParser:
    """Parses the payloads of one ``MqttSource``; paths are checked once, at construction."""

    def __init__(self, source: MqttSource) -> None:
        self._source = source
        self._topic = source.topic
        value_path = source.resolved_json_path()
        unit_path = source.resolved_unit_path()
        try:
            self._value_path = None if value_path is None else compile_json_path(value_path)
            self._unit_path = None if unit_path is None else compile_json_path(unit_path)
        except ValueError as exc:
            raise ValueError(f"MQTT topic {source.topic}: {exc}") from None
        self._implied_unit: Unit | None = None
        if source.format == "shelly" and self._value_path:
            # Shelly sends both units; the key read says which one it is.
            last = self._value_path[-1]
            self._implied_unit = "C" if last == "tC" else "F" if last == "tF" else None

    def parse(self, payload: bytes) -> Temperature:
        """The temperature in ``payload``, or ``PayloadRejected`` with the reason."""
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
        value = self._walk(document, self._value_path)
        if value is _ABSENT:
            self._reject(RejectReason.MISSING_VALUE, f"no {self._path_text()} in {sample(text)}")
        return Temperature(self._finite(value, text), self._unit(document, text))

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
            return json.loads(
                text,
                object_pairs_hook=_object_without_duplicates,
                parse_constant=_refuse_constant,
            )
        except _DuplicateKey as exc:
            self._reject(RejectReason.DUPLICATE_KEY, f"key {exc.key!r} twice in {sample(text)}")
        except _NonFiniteConstant as exc:
            self._reject(RejectReason.NOT_FINITE, f"{exc.name} in {sample(text)}")
        except RecursionError:
            self._reject(RejectReason.NOT_JSON, f"nested too deeply: {sample(text)}")
        except ValueError as exc:
            self._reject(RejectReason.NOT_JSON, f"{exc}: {sample(text)}")

    def _walk(self, document: object, path: tuple[PathStep, ...]) -> object:
        node = document
        for depth, step in enumerate(path):
            where = ".".join(str(s) for s in path[:depth]) or "the top level"
            if isinstance(step, str):
                if not isinstance(node, dict):
                    self._reject(
                        RejectReason.WRONG_TYPE, f"{where} is {_kind(node)}, not an object"
                    )
                if step not in node:
                    return _ABSENT
                node = node[step]
            else:
                if not isinstance(node, list):
                    self._reject(RejectReason.WRONG_TYPE, f"{where} is {_kind(node)}, not a list")
                if step >= len(node):
                    return _ABSENT
                node = node[step]
        return node

    def _finite(self, value: object, text: str) -> float:
        path = self._path_text()
        if value is None:
            self._reject(RejectReason.MISSING_VALUE, f"{path} is null in {sample(text)}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            self._reject(RejectReason.WRONG_TYPE, f"{path} is {_kind(value)}, not a number")
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
            declared = self._walk(document, self._unit_path)
        except PayloadRejected:
            declared = _ABSENT  # no object where the unit would be: the payload says nothing
        if declared is _ABSENT:
            return self._implied_unit
        unit = declared.strip().lstrip("°").upper() if isinstance(declared, str) else None
        if unit == "C":
            return "C"
        if unit == "F":
            return "F"
        where = self._source.resolved_unit_path()
        self._reject(RejectReason.UNKNOWN_UNIT, f"{where} = {declared!r} in {sample(text)}")


_ABSENT = object()


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        str: "text",
        list: "a list",
        dict: "an object",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)
