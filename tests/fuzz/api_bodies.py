"""Request bodies for the API fuzzer: the good body of each route, and mutations of it.

Fields dropped, added or of another type, ``NaN`` and ``Infinity``, numbers beyond a double,
integers beyond Python's conversion limit, nesting past the API's depth, bad UTF-8, more
than the size limit, something else than an object, JSON cut short, bytes flipped.
"""

from __future__ import annotations

import copy
import json
import random

GOOD_BODIES: dict[str, dict[str, object]] = {
    "/api/alarms/band:F1/ack": {"user": "anne", "password": "pw", "comment": "door closed"},
    "/api/alarms/band:F1/shelve": {
        "user": "anne",
        "password": "pw",
        "comment": "defrost",
        "minutes": 30,
    },
    "/api/alarms/band:F1/unshelve": {"user": "anne", "password": "pw"},
    "/api/cycles": {
        "user": "anne",
        "password": "pw",
        "pasteuriser": "P1",
        "lots": ["L2026-001"],
        "program": "holder63",
    },
    "/api/cycles/P1/abort": {"user": "anne", "password": "pw", "reason": "power cut"},
    "/api/lots": {
        "user": "anne",
        "password": "pw",
        "lot": "L2026-002",
        "sub_lots": ["D001"],
        "total_flora_cfu_ml": 1200,
        "s_aureus_cfu_ml": 0,
        "lab_reference": "LAB-1",
    },
}
ODD_VALUES: list[object] = [
    None,
    True,
    0,
    -1,
    1.5,
    "",
    " ",
    "x" * 3000,
    [],
    {},
    ["a"],
    {"a": 1},
    "\u0000",
    "\ud800",
    "\U0001f95b",
    "é" * 10,
    2**64,
    -1e308,
]
RAW_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "1" + "0" * 5000, "-0", "1E+2"]


def mutated_body(rng: random.Random, good: dict[str, object]) -> tuple[str, bytes]:
    body = copy.deepcopy(good)
    roll = rng.randrange(12)
    if roll == 0:
        return "good", json.dumps(body).encode()
    if roll == 1 and body:
        del body[rng.choice(list(body))]
        return "field dropped", json.dumps(body).encode()
    if roll == 2:
        body[rng.choice(["extra", "", "user ", "USER"])] = 1
        return "field added", json.dumps(body).encode()
    if roll in (3, 4):
        body[rng.choice(list(body))] = copy.deepcopy(rng.choice(ODD_VALUES))
        return "odd value", json.dumps(body).encode()
    if roll == 5:
        text = json.dumps({**body, rng.choice(list(body)): "RAW"})
        return "raw number", text.replace('"RAW"', rng.choice(RAW_NUMBERS)).encode()
    if roll == 6:
        depth = rng.choice([31, 32, 33, 100, 5000, 20000])
        inner = rng.choice(["[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth])
        return "deep nesting", json.dumps({**body, "user": "NEST"}).replace(
            '"NEST"', inner
        ).encode()
    if roll == 7:
        data = json.dumps(body).encode()
        at = rng.randrange(len(data) + 1)
        return "bad UTF-8", data[:at] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80"]) + data[at:]
    if roll == 8:
        return "huge body", json.dumps(
            {**body, "comment": "x" * rng.choice([65_000, 70_000, 300_000])}
        ).encode()
    if roll == 9:
        return "not an object", rng.choice(
            [b"[]", b"null", b"1", b'"x"', b"", b" ", b"\xef\xbb\xbf{}", b"{", b"}{"]
        )
    if roll == 10:
        data = json.dumps(body).encode()
        return "truncated JSON", data[: rng.randrange(len(data))]
    flipped = bytearray(json.dumps(body).encode())
    for _ in range(rng.randrange(1, 4)):
        flipped[rng.randrange(len(flipped))] = rng.randrange(256)
    return "bytes flipped", bytes(flipped)
