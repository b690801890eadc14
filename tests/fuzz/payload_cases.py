"""Payloads for one preset: well-formed ones, garbage by construction, and random ones.

Garbage by construction is garbage whatever the random choices: a proper prefix of a JSON
object (its closing brace is gone), a value of the wrong JSON type, ``NaN``/``Infinity``, a
number beyond a double, nesting the paths cannot cross, a key twice, bytes that are not
UTF-8, more than the size limit. Random bytes, JSON-like token soup and byte-level
mutations of well-formed payloads may or may not be well-formed: the oracle says which.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable

from config.json_path import compile_json_path
from config.probes import MqttSource
from drivers.mqtt_payload import MAX_PAYLOAD_BYTES
from tests.fuzz.payload_json import (
    BLANKS,
    Pairs,
    Raw,
    delete_at,
    emit,
    holder,
    objects,
    set_at,
    shuffled,
)

INVALID_UTF8 = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\x80"]
WRONG_VALUES: list[object] = ["3.2", "", True, False, None, [3.2], {"v": 3.2}, [], {}, "NaN"]
BARE_WRONG = [
    '"3.2"',
    "true",
    "null",
    "[3.2]",
    '{"v":3.2}',
    "3,2",
    "0x1A",
    "1_000",
    "3.2C",
    "3.2 4.5",
    "--3",
    "3..2",
    "3e",
    "e3",
    ".",
    "+",
    "\u0663",
    "\uff13",
    "3.2\x00",
    "\x1f3.2",
    "\u00a03.2",
    "3.2\u2028",
    "\x0b3.2",
    "\x0c3",
]
NON_FINITE = ["NaN", "Infinity", "-Infinity", "nan", "inf", "+inf", "-INF", "Infinity1"]
OVERFLOW = ["1e400", "-9e999", "1" + "0" * 400, "-" + "9" * 330 + ".5", "1" + "0" * 5000]
TOKENS = [
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    '"',
    " ",
    "3.2",
    "-1e3",
    "true",
    "null",
    "NaN",
    "0",
    '"C"',
    '"F"',
    '"method"',
    '"NotifyStatus"',
    '"params"',
    '"temperature:0"',
    '"tC"',
    '"temperature"',
    '"DS18B20-1"',
    '"Temperature"',
    '"TempUnit"',
    '"Id"',
    '"meta"',
    '"unit"',
    '"sensors"',
    '"value"',
    '"01144F2D3AAA"',
    "\\",
    '"\\u00b0C"',
]


class Cases:
    """The generators for one probe's source; each returns (kind of case, payload)."""

    def __init__(self, source: MqttSource, documented: str) -> None:
        self.source = source
        self.bare = source.resolved_json_path() is None
        self.base: object = None if self.bare else json.loads(documented)
        value_path = source.resolved_json_path()
        self.value_steps = compile_json_path(value_path) if value_path else ()
        unit_path = source.resolved_unit_path()
        self.unit_steps = compile_json_path(unit_path) if unit_path else ()
        self.reserved = {str(s) for s in (*self.value_steps, *self.unit_steps)} | {"method", "Id"}

    # --- well-formed ------------------------------------------------------------------

    def number(self, rng: random.Random) -> float | int:
        roll = rng.random()
        if roll < 0.6:
            return round(rng.uniform(-40.0, 100.0), rng.randrange(0, 4))
        if roll < 0.75:
            return rng.randrange(-60, 150)
        if roll < 0.9:
            return rng.uniform(-1e6, 1e6)  # well-formed, physically impossible
        return rng.choice([1e300, -1e300, 5e-324, 0.0, -0.0, 2**63, 1.7976931348623157e308])

    def well_formed_document(self, rng: random.Random) -> object:
        doc = copy.deepcopy(self.base)
        set_at(doc, self.value_steps, self.number(rng))
        if self.unit_steps:
            unit = rng.choice(["C", "F", "°C", "°F", "c", " f ", None])
            if unit is None:
                delete_at(doc, self.unit_steps)
            else:
                set_at(doc, self.unit_steps, unit)
        if self.source.preset.methods:
            set_at(doc, ("method",), rng.choice(self.source.preset.methods))
        if self.source.sensor_id is not None:
            chip = self.source.sensor_id
            set_at(doc, (self.source.sensor, "Id"), chip.lower() if rng.random() < 0.3 else chip)
        for _ in range(rng.randrange(0, 4)):
            self._add_extra(doc, rng)
        return shuffled(doc, rng)

    def well_formed(self, rng: random.Random) -> bytes:
        if self.bare:
            value = self.number(rng)
            text = rng.choice([repr(float(value)), f"{value:.2f}", f"{value:e}", f"{value:+g}"])
            return (rng.choice(BLANKS) + text + rng.choice(BLANKS)).encode()
        text = emit(self.well_formed_document(rng), rng, rng.random() < 0.5)
        return (rng.choice(BLANKS) + text + rng.choice(BLANKS)).encode()

    def _add_extra(self, doc: object, rng: random.Random) -> None:
        target = rng.choice(objects(doc))
        name = rng.choice(["battery", "humidity", "Time", "ts", "x", "é", "", "a.b", "[0]"])
        if name in target or name in self.reserved:
            return
        target[name] = rng.choice(
            [rng.uniform(-1e9, 1e9), 'text \u00b0 \\ " \u2028', None, True, [1, {"y": []}], {}]
        )

    # --- garbage by construction --------------------------------------------------------

    def garbage(self, rng: random.Random) -> tuple[str, bytes]:
        makers: list[tuple[str, Callable[[random.Random], str | bytes]]] = [
            ("wrong_type", self.wrong_type),
            ("non_finite", self.non_finite),
            ("overflow", self.overflow),
            ("deep_nesting", self.deep_nesting),
            ("bad_utf8", self.bad_utf8),
            ("too_large", self.too_large),
        ]
        if not self.bare:
            makers += [("truncated", self.truncated), ("duplicate_key", self.duplicate_key)]
        kind, make = rng.choice(makers)
        made = make(rng)
        return kind, made if isinstance(made, bytes) else made.encode()

    def _with_value(self, rng: random.Random, value: object) -> str:
        doc = self.well_formed_document(rng)
        set_at(doc, self.value_steps, value)
        return emit(doc, rng, rng.random() < 0.5)

    def wrong_type(self, rng: random.Random) -> str:
        if self.bare:
            return rng.choice(BARE_WRONG)
        roll = rng.random()
        if roll < 0.5 or not (self.unit_steps or self.source.preset.methods):
            return self._with_value(rng, copy.deepcopy(rng.choice(WRONG_VALUES)))
        doc = self.well_formed_document(rng)
        if self.unit_steps and (roll < 0.8 or not self.source.preset.methods):
            set_at(doc, self.unit_steps, rng.choice([1, True, None, ["C"], "K", "celsius", ""]))
        else:
            set_at(doc, ("method",), rng.choice([1, None, ["NotifyStatus"], {"m": 1}]))
        return emit(doc, rng, False)

    def non_finite(self, rng: random.Random) -> str:
        literal = rng.choice(NON_FINITE[:3])
        if self.bare:
            return rng.choice(NON_FINITE)
        if rng.random() < 0.5:
            return self._with_value(rng, Raw(literal))
        doc = self.well_formed_document(rng)
        rng.choice(list(objects(doc)))["zz_extra"] = Raw(literal)  # strict JSON refuses all
        return emit(doc, rng, False)

    def overflow(self, rng: random.Random) -> str:
        literal = rng.choice(OVERFLOW)
        return literal if self.bare else self._with_value(rng, Raw(literal))

    def deep_nesting(self, rng: random.Random) -> str:
        depth = rng.choice([2, 10, 100, 999, 1000, 1001, 3000, 7000])
        inner = "3.2" if self.bare else emit(self.well_formed_document(rng), rng, False)
        roll = rng.random()
        if self.bare or roll < 0.3:
            return "[" * depth + inner + "]" * depth
        if roll < 0.6:
            return '{"w":' * depth + inner + "}" * depth
        if roll < 0.8:
            return self._with_value(rng, Raw("[" * depth + "3.2" + "]" * depth))
        return self._with_value(rng, Raw("[" * depth))

    def truncated(self, rng: random.Random) -> str:
        text = emit(self.well_formed_document(rng), rng, rng.random() < 0.5)
        return text[: rng.randrange(0, len(text))]

    def duplicate_key(self, rng: random.Random) -> str:
        doc = self.well_formed_document(rng)
        owner = holder(doc, self.value_steps)
        key = str(self.value_steps[-1])
        again = Pairs([*owner.items(), (key, rng.choice([owner[key], 99.5, "x"]))])
        rng.shuffle(again)
        steps = self.value_steps[:-1]
        if not steps:
            return emit(again, rng, False)
        set_at(doc, steps, again)
        return emit(doc, rng, False)

    def bad_utf8(self, rng: random.Random) -> bytes:
        good = self.well_formed(rng)
        at = rng.randrange(0, len(good) + 1)
        return good[:at] + rng.choice(INVALID_UTF8) + good[at:]

    def too_large(self, rng: random.Random) -> bytes:
        good = self.well_formed(rng)
        return good + b" " * (MAX_PAYLOAD_BYTES + 1 - len(good) + rng.randrange(0, 1000))

    # --- random, judged by the oracle -------------------------------------------------

    def random_bytes(self, rng: random.Random) -> bytes:
        return rng.randbytes(rng.choice([rng.randrange(0, 8), rng.randrange(0, 400)]))

    def token_soup(self, rng: random.Random) -> bytes:
        return "".join(rng.choice(TOKENS) for _ in range(rng.randrange(1, 40))).encode()

    def mutated(self, rng: random.Random) -> bytes:
        data = bytearray(self.well_formed(rng))
        for _ in range(rng.randrange(1, 5)):
            at = rng.randrange(0, len(data) + 1)
            op = rng.randrange(5)
            if op == 0 and at < len(data):
                data[at] ^= 1 << rng.randrange(8)
            elif op == 1 and at < len(data):
                data[at] = rng.choice(b'"{}[],:\\-+.0eENIn \x00\xff')
            elif op == 2:
                data[at:at] = bytes([rng.randrange(256)])
            elif op == 3:
                del data[at : at + rng.randrange(1, 4)]
            else:
                data[at:at] = data[at : at + rng.randrange(1, 12)]
        return bytes(data)
