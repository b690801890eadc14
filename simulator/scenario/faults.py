"""Reading the ``[[faults]]`` tables: kind, target, time window and the kind's own parameters."""

from __future__ import annotations

from collections.abc import Mapping

from simulator.scenario.fields import Table
from simulator.scenario.spec import (
    DEFAULT_SENTINEL_C,
    FAULT_TARGETS,
    FaultKind,
    FaultSpec,
    TargetKind,
)

_COMMON_KEYS = ("at_min", "at_s", "duration_min", "duration_s", "kind", "target")
_PARAMETER_KEYS: dict[FaultKind, tuple[str, ...]] = {
    FaultKind.PROBE_OPEN_CIRCUIT: ("sentinel_c",),
    FaultKind.PROBE_STUCK: ("value_c",),
    FaultKind.PROBE_SPIKE: ("delta_c",),
    FaultKind.DOOR_OPEN: ("opening",),
    FaultKind.SLOW_COOLING: ("flow_fraction", "water_c"),
}
_KINDS = ", ".join(sorted(kind.value for kind in FaultKind))


def read_fault(
    table: Table, duration_s: float, targets: Mapping[TargetKind, list[str]]
) -> FaultSpec:
    """One fault; ``targets`` lists the ids of each kind of thing a fault can act on."""
    raw_kind = table.text("kind")
    try:
        kind = FaultKind(raw_kind)
    except ValueError:
        problem = f"unknown fault kind '{raw_kind}'; expected one of {_KINDS}"
        raise table.error("kind", problem) from None
    table.check_keys(_COMMON_KEYS + _PARAMETER_KEYS.get(kind, ()))
    target = table.text("target")
    target_kind = FAULT_TARGETS[kind]
    known = targets[target_kind]
    if target not in known:
        choices = ", ".join(known) if known else f"none: this scenario has no {target_kind}"
        raise table.error(
            "target", f"'{target}' is not a {target_kind}; a {kind} fault targets one of: {choices}"
        )
    start_s = table.seconds("at", None, maximum_s=duration_s)
    if start_s >= duration_s:
        raise table.error(None, f"starts at {start_s / 60:g} min, after the scenario ends")
    return FaultSpec(
        start_s=start_s,
        duration_s=table.seconds("duration", None, maximum_s=30 * 86_400.0, positive=True),
        kind=kind,
        target=target,
        sentinel_c=table.number("sentinel_c", DEFAULT_SENTINEL_C, -1e6, 1e6),
        value_c=table.optional_number("value_c", -300.0, 5000.0),
        delta_c=_nonzero(table, "delta_c", 30.0),
        opening=_positive_fraction(table, "opening", 1.0),
        flow_fraction=table.number("flow_fraction", 0.2, 0.0, 1.0),
        water_c=table.optional_number("water_c", -5.0, 40.0),
    )


def _positive_fraction(table: Table, key: str, default: float) -> float:
    value = table.number(key, default, 0.0, 1.0)
    if value == 0:
        raise table.error(key, "must be > 0 (a door opened by 0 is closed)")
    return value


def _nonzero(table: Table, key: str, default: float) -> float:
    value = table.number(key, default, -1000.0, 1000.0)
    if value == 0:
        raise table.error(key, "must not be 0 (a spike of 0 °C changes nothing)")
    return value
