"""After a step of the wall clock, the machines' time moves with it: monitoring never goes blind.

The evaluation core orders readings and measures durations by their stamps. When the wall
clock steps back an hour (a Pi without a battery clock restoring a saved time), every new
reading would look older than the last one and be refused; stepped forward a day, every
probe would look silent for a day. So when a step is seen (``clock_watch``), every stamp
the machines hold is moved by the step: an excursion open for five minutes is still open
for five minutes, a probe heard a second ago was still heard a second ago, and the next
reading, stamped by the new clock, follows in order. The records keep the stamps as read;
the ``clock_step`` record explains them to ``lactamon verify``.

A machine's state is plain data whose stamps are the fields named ``*_ts`` (UTC ns; a dict
so named maps keys to stamps), the evaluation core's convention; this walks it generically.
"""

from __future__ import annotations

import dataclasses
from typing import Any


def shift_stamps(state: Any, delta_ns: int, suffix: str = "_ts") -> None:
    """Move every stamp of a state dataclass (nested ones, and lists of them or of dicts, too)
    by ``delta_ns``; stamps are the fields whose name ends with ``suffix``."""
    if isinstance(state, dict):
        for key, value in state.items():
            state[key] = _moved(str(key), value, delta_ns, suffix)
        return
    if not dataclasses.is_dataclass(state) or isinstance(state, type):
        return
    for f in dataclasses.fields(state):
        value = getattr(state, f.name)
        moved = _moved(f.name, value, delta_ns, suffix)
        if moved is not value:
            object.__setattr__(state, f.name, moved)


def _moved(name: str, value: Any, delta_ns: int, suffix: str) -> Any:
    if name.endswith(suffix):
        if isinstance(value, int) and not isinstance(value, bool):
            return value + delta_ns
        if isinstance(value, dict):
            return {k: v + delta_ns if _stamp(v) else v for k, v in value.items()}
    if isinstance(value, list):
        for item in value:
            shift_stamps(item, delta_ns, suffix)
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        shift_stamps(value, delta_ns, suffix)
    return value


def _stamp(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
