"""JSON read strictly: a key given twice, ``NaN`` or ``Infinity`` is an error, not a value.

Python's ``json`` keeps the last of two equal keys and accepts ``NaN``; a sensor message that
says ``{"temperature":3.2,"temperature":99}`` holds no temperature anyone can trust. Walking
a path through a document stops at the first step that does not fit, saying where.
"""

from __future__ import annotations

import json

from config.json_path import PathStep


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"key {key!r} twice")
        self.key = key


class NonFiniteConstant(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class PathMismatch(ValueError):
    """A step of a path met a value of the wrong kind (a list where an object was needed)."""


ABSENT = object()


def loads(text: str) -> object:
    """The JSON document in ``text``; ``DuplicateKey``, ``NonFiniteConstant`` or ``ValueError``."""
    if text.startswith("\ufeff"):  # as json.loads says it
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return _DECODER.decode(text)


def walk(document: object, path: tuple[PathStep, ...]) -> object:
    """The value at ``path`` in ``document``, ``ABSENT`` when a key or index is missing."""
    node = document
    for depth, step in enumerate(path):
        if isinstance(step, str):
            if not isinstance(node, dict):
                raise PathMismatch(f"{_where(path, depth)} is {kind(node)}, not an object")
            if step not in node:
                return ABSENT
            node = node[step]
        else:
            if not isinstance(node, list):
                raise PathMismatch(f"{_where(path, depth)} is {kind(node)}, not a list")
            if step >= len(node):
                return ABSENT
            node = node[step]
    return node


def _where(path: tuple[PathStep, ...], depth: int) -> str:
    return ".".join(str(s) for s in path[:depth]) or "the top level"


def kind(value: object) -> str:
    """``a number``, ``text``, ``null``…: what a JSON value is, for messages."""
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


def _object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(key)
        result[key] = value
    return result


def _refuse_constant(name: str) -> object:
    raise NonFiniteConstant(name)


# One decoder for every message: ``json.loads`` with hooks builds a new one for each call.
_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_constant=_refuse_constant)
