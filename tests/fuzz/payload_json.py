"""JSON for the payload fuzzer: a writer that can say what no JSON writer would, and
helpers that edit a parsed document in place along a path.

``Raw`` text goes out as it is (``NaN``, ``1e400``, an unclosed ``[``); ``Pairs`` writes an
object pair by pair, a key given twice included; blanks between tokens are random.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

BLANKS = ["", " ", "\n", "\t", "\r\n", "  "]


@dataclass(frozen=True)
class Raw:
    """JSON text written as it is: ``NaN``, ``1e400``, a nesting the writer would refuse."""

    text: str


class Pairs(list[tuple[str, object]]):
    """An object written pair by pair, a key given twice included."""


def emit(node: object, rng: random.Random, spaced: bool) -> str:
    """``node`` as JSON text, with random blanks between tokens when ``spaced``."""

    def blank() -> str:
        return rng.choice(BLANKS) if spaced else ""

    if isinstance(node, Raw):
        return node.text
    if isinstance(node, dict | Pairs):
        pairs = list(node.items()) if isinstance(node, dict) else list(node)
        inner = ",".join(
            f"{blank()}{json.dumps(k)}{blank()}:{blank()}{emit(v, rng, spaced)}{blank()}"
            for k, v in pairs
        )
        return "{" + inner + "}"
    if isinstance(node, list):
        return "[" + ",".join(blank() + emit(v, rng, spaced) + blank() for v in node) + "]"
    return json.dumps(node, ensure_ascii=rng.random() < 0.5, allow_nan=False)


def objects(node: object) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    if isinstance(node, dict):
        found.append(node)
        for item in node.values():
            found += objects(item)
    elif isinstance(node, list):
        for item in node:
            found += objects(item)
    return found


def holder(doc: object, steps: tuple[str | int, ...]) -> dict[str, object]:
    node = doc
    for step in steps[:-1]:
        node = node[step]  # type: ignore[index]
    assert isinstance(node, dict)
    return node


def set_at(doc: object, steps: tuple[str | int, ...], value: object) -> None:
    node = doc
    for step in steps[:-1]:
        node = node[step]  # type: ignore[index]
    node[steps[-1]] = value  # type: ignore[index]


def delete_at(doc: object, steps: tuple[str | int, ...]) -> None:
    holder(doc, steps).pop(str(steps[-1]), None)


def shuffled(node: object, rng: random.Random) -> object:
    """The same document with the keys of every object in a random order."""
    if isinstance(node, dict):
        items = list(node.items())
        rng.shuffle(items)
        return {k: shuffled(v, rng) for k, v in items}
    if isinstance(node, list):
        return [shuffled(v, rng) for v in node]
    return node
