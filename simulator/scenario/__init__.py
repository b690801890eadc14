"""Scenario files: a simulated lab and the faults scripted in it, as strict TOML.

A scenario is read with ``load_scenario(path)`` (or ``parse_scenario(text)``) into frozen
dataclasses; anything unexpected raises ``ScenarioError`` naming the file and the TOML path,
e.g. ``faults[2].kind: unknown fault kind 'heater_fail'; expected one of ...``.

File shape (times are given in minutes ``*_min`` or seconds ``*_s``, exactly one of the two)::

    [scenario]
    name = "heater failure mid-hold"   # required
    description = "..."                # optional
    seed = 7                           # RNG seed: same seed, same run (default 0)
    duration_min = 120                 # required, > 0
    room_c = 21.0                      # room temperature (default 21)
    noise_sigma_c = 0.03               # default probe noise, Gaussian sigma (default 0.03)
    resolution_c = 0.01                # default probe resolution, 0 for none (default 0.01)

    [[pasteurisers]]
    id = "P1"
    bottles = 20                       # reference bottle included (default 20)
    bath_probe = "P1-bath"
    reference_probe = "P1-ref"         # probe in the fullest bottle: the slowest milk
    bottle_probes = ["P1-b1"]          # optional, in bottles 1, 2, ...
    link = "modbus-p1"                 # optional link id, for link_down faults
    heater_power_w = 3000              # optional physics: heater_power_w, bath_offset_c,
                                       # load_c (milk from the fridge), chilled_water_c
    [[pasteurisers.cycles]]
    start_min = 2
    setpoint_c = 63.0
    hold_min = 30

    [[fridges]]                        # id, probe, link, setpoint_c (3), door_openings_per_h (0)
    [[freezers]]                       # the same (setpoint_c -20) plus defrost_every_h (8),
                                       # defrost_max_min (25), first_defrost_min (= the interval)
    [[probes]]                         # optional per-probe override: id, sigma_c,
                                       # resolution_c, offset_c (calibration error)
    [[faults]]
    at_min = 40                        # start, >= 0 and before the scenario ends
    duration_min = 6                   # > 0
    kind = "heater_failure"
    target = "P1"

Fault kinds, their targets and parameters:

- ``heater_failure`` (pasteuriser): the heater gives no heat.
- ``slow_cooling`` (pasteuriser): chilled water at ``flow_fraction`` (default 0.2) of its
  flow, optionally warmer (``water_c``).
- ``door_open`` (fridge or freezer): door open, ``opening`` 0..1 (default 1; ajar: 0.2).
- ``power_cut`` (fridge or freezer): no compressor, no defrost heater.
- ``probe_no_answer`` / ``probe_exception`` (probe): the probe answers nothing / an error.
- ``probe_open_circuit`` (probe): the probe reads ``sentinel_c`` (default 3276.7).
- ``probe_stuck`` (probe): the value repeats (``value_c``, default: the value at the onset).
- ``probe_spike`` (probe): ``delta_c`` (default 30) is added to the value.
- ``link_down`` (link): every probe behind the link is unreachable.

Ids (devices, probes, links) share one namespace and must be unique.
"""

from __future__ import annotations

from pathlib import Path

from simulator.scenario.parse import load_scenario, parse_scenario, scenario_from_mapping
from simulator.scenario.spec import (
    CycleSpec,
    EnclosureKind,
    EnclosureSpec,
    FaultKind,
    FaultSpec,
    PasteuriserSpec,
    ProbeRole,
    ProbeSpec,
    Scenario,
    ScenarioError,
    TargetKind,
)

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"


def shipped_scenario_names() -> list[str]:
    """The names (file stems) of the scenarios shipped in ``simulator/scenarios``."""
    return sorted(path.stem for path in SCENARIO_DIR.glob("*.toml"))


def load_shipped_scenario(name: str) -> Scenario:
    """A shipped scenario by name, e.g. ``"normal-day"``."""
    if name not in shipped_scenario_names():
        known = ", ".join(shipped_scenario_names())
        raise ScenarioError(name, "", f"no shipped scenario of that name; shipped: {known}")
    return load_scenario(SCENARIO_DIR / f"{name}.toml")


__all__ = [
    "SCENARIO_DIR",
    "CycleSpec",
    "EnclosureKind",
    "EnclosureSpec",
    "FaultKind",
    "FaultSpec",
    "PasteuriserSpec",
    "ProbeRole",
    "ProbeSpec",
    "Scenario",
    "ScenarioError",
    "TargetKind",
    "load_scenario",
    "load_shipped_scenario",
    "parse_scenario",
    "scenario_from_mapping",
    "shipped_scenario_names",
]
