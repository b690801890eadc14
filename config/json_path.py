"""Dotted paths into a JSON message: ``StatusSNS.DS18B20[0].Temperature``.

A path is checked when the settings are read, so a typo in a ``json_path`` is a settings
error rather than a probe that silently never reads. Keys may hold any character but ``.``,
``[`` and ``]``: Shelly's component names (``temperature:0``) are keys like any other.
"""

from __future__ import annotations

import re

PathStep = str | int

_SEGMENT = re.compile(r"([^.\[\]]*)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")


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


def is_plain_key(name: str) -> bool:
    """True when ``name`` can be one step of a path (no ``.``, ``[`` or ``]``)."""
    return bool(name) and not any(c in name for c in ".[]")
