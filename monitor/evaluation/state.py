"""Machine state as plain data: to a dict of JSON-friendly values, and back, checked.

Every machine keeps its state in one mutable dataclass of numbers, strings, booleans, None
and flat dicts or lists of those (nested state dataclasses allowed), so a journal can store
it and a restarted service can resume exactly where it stopped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")


def state_to_dict(state: object) -> dict[str, Any]:
    """A deep copy of ``state`` as plain dicts, lists and scalars (enums become strings)."""
    if not dataclasses.is_dataclass(state) or isinstance(state, type):
        raise TypeError(f"expected a state dataclass instance, got {type(state).__name__}")
    return {f.name: _plain(getattr(state, f.name)) for f in dataclasses.fields(state)}


def _plain(value: object) -> Any:
    if isinstance(value, str):
        return str(value)  # a StrEnum member becomes its value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return state_to_dict(value)
    return value


def state_from_dict(
    cls: type[T], data: Mapping[str, Any], nested: Mapping[str, type] | None = None
) -> T:
    """Rebuild a state dataclass; unknown or missing fields are named in the error.

    ``nested`` maps a field name to the dataclass its dict must be rebuilt as.
    """
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a state dataclass")
    if not isinstance(data, Mapping):
        raise ValueError(f"{cls.__name__}: state must be a mapping, got {type(data).__name__}")
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(data) - set(names))
    missing = [n for n in names if n not in data]
    if unknown or missing:
        raise ValueError(
            f"{cls.__name__}: unknown state field(s) {unknown}, missing {missing}"
            if unknown
            else f"{cls.__name__}: missing state field(s) {missing}"
        )
    kinds = nested or {}
    values: dict[str, Any] = {}
    for name in names:
        value = data[name]
        if name in kinds:
            value = state_from_dict(kinds[name], value)
        elif isinstance(value, dict):
            value = dict(value)
        elif isinstance(value, list):
            value = list(value)
        values[name] = value
    return cls(**values)
