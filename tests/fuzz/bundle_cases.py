"""Mutations of a lot bundle's lines, and what each one did to the bundle's JSON values.

A bundle is JSON Lines: a signed header, then one record per line. The mutations flip and
replace bytes, change one value of a record or of the header, delete, duplicate, swap, move
or truncate lines; and some change only the text, not the values: blanks between tokens,
blank lines, CRLF line ends, keys in another order, a character written as a ``\\u``
escape. ``same_values`` says which is which, by the values the lines hold, independently of
the bundle reader.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

Lines = list[bytes]
_BETWEEN_TOKENS = b",:{}[]"
_HASHES = ("hash", "prev_hash")


def values(data: bytes) -> tuple[str, dict[str, list[str]]] | None:
    """The header's value and each stream's records in order, or None if a line is no JSON.

    Records are compared by their values written canonically (keys sorted): key order and
    escapes do not change a value; a number that becomes a float, or a string, does. A hash
    is a number written in hex: the case of its digits is no part of it (``hex_case_only``
    counts these).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = [line for line in text.split("\n") if line.strip(" \t\r")]
    if not lines:
        return None
    streams: dict[str, list[str]] = {}
    try:
        # As text, like the records: 2 and 2.0 are equal in Python, not in the bundle.
        header = json.dumps(json.loads(lines[0]), sort_keys=True)
        for line in lines[1:]:
            record = json.loads(line)
            stream = record.get("stream") if isinstance(record, dict) else None
            if isinstance(record, dict):
                record = {**record, **_hashes(record)}
            streams.setdefault(repr(stream), []).append(json.dumps(record, sort_keys=True))
    except (ValueError, RecursionError):
        return None
    return header, streams


def _hashes(record: dict[str, object]) -> dict[str, object]:
    return {k: v.lower() for k, v in record.items() if k in _HASHES and isinstance(v, str)}


def hex_case_only(before: bytes, after: bytes) -> bool:
    """Whether the two texts differ only in the case of hash digits (then both have values)."""
    return before.lower() == after.lower() and values(before) is not None


def _string_flags(line: bytes) -> list[bool]:
    """For each byte of a JSON line, whether it lies inside a string (its quotes included)."""
    flags, in_string, escaped = [], False, False
    for byte in line:
        if not in_string:
            in_string = byte == ord('"')
            flags.append(in_string)
            continue
        flags.append(True)
        if escaped:
            escaped = False
        elif byte == ord("\\"):
            escaped = True
        elif byte == ord('"'):
            in_string = False
    return flags


def _outside_strings(line: bytes) -> list[int]:
    """Offsets just after a bracket, comma or colon that is not inside a JSON string."""
    flags = _string_flags(line)
    return [i + 1 for i, byte in enumerate(line) if byte in _BETWEEN_TOKENS and not flags[i]]


def _pick(lines: Lines, rng: random.Random, header: bool = True) -> int:
    return rng.randrange(0 if header or len(lines) < 2 else 1, len(lines))


def _object(line: bytes) -> dict[str, object] | None:
    """The line's JSON object, or None once an earlier mutation has broken it."""
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data if isinstance(data, dict) and data else None


def flip_bit(lines: Lines, rng: random.Random) -> Lines:
    i = _pick(lines, rng)
    line = bytearray(lines[i])
    if not line:
        return lines
    line[rng.randrange(len(line))] ^= 1 << rng.randrange(8)
    return [*lines[:i], bytes(line), *lines[i + 1 :]]


def replace_byte(lines: Lines, rng: random.Random) -> Lines:
    i = _pick(lines, rng)
    line = bytearray(lines[i])
    if not line:
        return lines
    line[rng.randrange(len(line))] = rng.choice(b'"0123456789abcdef{}[],: \\\x00\xff\n')
    return [*lines[:i], bytes(line), *lines[i + 1 :]]


def change_value(lines: Lines, rng: random.Random) -> Lines:
    """One value of a record or of the header made another, the line written as before."""
    i = _pick(lines, rng)
    data = _object(lines[i])
    if data is None:
        return lines
    node: Any = data
    key: Any = rng.choice(list(data))
    while isinstance(node[key], dict | list) and node[key] and rng.random() < 0.8:
        node = node[key]
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
    node[key] = _other(node[key], rng)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return [*lines[:i], text.encode(), *lines[i + 1 :]]


def _other(value: object, rng: random.Random) -> object:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return rng.choice([value + 1, value - 1, float(value), str(value), -value - 1])
    if isinstance(value, str):
        if value and value[-1] in "0123456789abcdef":
            last = "0123456789abcdef".replace(value[-1], "")
            return value[:-1] + rng.choice(last)
        return rng.choice([value + "x", value[:-1], value.upper() + "1", 0])
    if value is None:
        return rng.choice(["", "00" * 32, 0])
    return rng.choice([None, [], {}, "x"])


def delete_line(lines: Lines, rng: random.Random) -> Lines:
    i = _pick(lines, rng)
    return lines[:i] + lines[i + 1 :]


def duplicate_line(lines: Lines, rng: random.Random) -> Lines:
    i, j = _pick(lines, rng, header=False), _pick(lines, rng)
    return [*lines[:j], lines[i], *lines[j:]]


def swap_lines(lines: Lines, rng: random.Random) -> Lines:
    i, j = _pick(lines, rng), _pick(lines, rng)
    out = list(lines)
    out[i], out[j] = out[j], out[i]
    return out


def move_line(lines: Lines, rng: random.Random) -> Lines:
    if len(lines) < 2:
        return lines
    out = list(lines)
    line = out.pop(_pick(out, rng, header=False))
    out.insert(rng.randrange(1, len(out) + 1), line)
    return out


def truncate(lines: Lines, rng: random.Random) -> Lines:
    data = b"\n".join(lines)
    return [data[: rng.randrange(len(data))]] if data else lines


def blanks_between_tokens(lines: Lines, rng: random.Random) -> Lines:
    i = _pick(lines, rng)
    line = lines[i]
    offsets = _outside_strings(line)
    if not offsets:
        return lines
    at = rng.choice(offsets)
    return [*lines[:i], line[:at] + rng.choice([b" ", b"\t", b"  \t"]) + line[at:], *lines[i + 1 :]]


def blank_lines(lines: Lines, rng: random.Random) -> Lines:
    at = rng.randrange(1, len(lines) + 1)
    return [*lines[:at], rng.choice([b"", b"   ", b"\t"]), *lines[at:]]


def crlf(lines: Lines, rng: random.Random) -> Lines:
    return [line + b"\r" for line in lines]


def reorder_keys(lines: Lines, rng: random.Random) -> Lines:
    i = _pick(lines, rng)
    data = _object(lines[i])
    if data is None:
        return lines
    items = list(data.items())
    rng.shuffle(items)
    text = json.dumps(dict(items), ensure_ascii=False, separators=(",", ":"))
    return [*lines[:i], text.encode(), *lines[i + 1 :]]


def escape_character(lines: Lines, rng: random.Random) -> Lines:
    """A letter inside a string written as its ``\\u00XX`` escape: the same value."""
    i = _pick(lines, rng)
    line = lines[i]
    flags = _string_flags(line)
    # Not a letter of an escape already there (\n, \u00e9): only one after a plain letter.
    letters = [
        at
        for at in range(1, len(line))
        if flags[at] and _letter(line[at]) and _letter(line[at - 1]) and line[at - 2 : at] != b"\\u"
    ]
    if not letters:
        return lines
    at = rng.choice(letters)
    return [*lines[:i], line[:at] + b"\\u%04x" % line[at] + line[at + 1 :], *lines[i + 1 :]]


def _letter(byte: int) -> bool:
    return chr(byte).isascii() and chr(byte).isalpha()


MUTATIONS: list[Callable[[Lines, random.Random], Lines]] = [
    flip_bit,
    flip_bit,
    replace_byte,
    change_value,
    change_value,
    change_value,
    delete_line,
    duplicate_line,
    swap_lines,
    move_line,
    truncate,
    blanks_between_tokens,
    blank_lines,
    crlf,
    reorder_keys,
    escape_character,
]
