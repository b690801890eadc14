"""Reading the device tables of a scenario: pasteurisers with their cycles, fridges, freezers."""

from __future__ import annotations

from simulator.models.defrost import DefrostParams
from simulator.models.enclosure import EnclosureParams
from simulator.models.pasteuriser import PasteuriserParams
from simulator.scenario.fields import Table
from simulator.scenario.spec import CycleSpec, EnclosureKind, EnclosureSpec, PasteuriserSpec

_DAY_S = 86_400.0
_PASTEURISER_KEYS = (
    "id",
    "bottles",
    "bath_probe",
    "reference_probe",
    "bottle_probes",
    "link",
    "cycles",
    "heater_power_w",
    "bath_offset_c",
    "load_c",
    "chilled_water_c",
)
_CYCLE_KEYS = ("start_min", "start_s", "setpoint_c", "hold_min", "hold_s")
_FRIDGE_KEYS = ("id", "probe", "link", "setpoint_c", "door_openings_per_h")
_FREEZER_KEYS = (
    "id",
    "probe",
    "link",
    "setpoint_c",
    "door_openings_per_h",
    "defrost_every_h",
    "defrost_max_min",
    "first_defrost_min",
)


def read_pasteuriser(table: Table, duration_s: float) -> PasteuriserSpec:
    table.check_keys(_PASTEURISER_KEYS)
    defaults = PasteuriserParams()
    bottles = table.integer("bottles", defaults.bottles, 1, 500)
    params = PasteuriserParams(
        bottles=bottles,
        heater_power_w=table.number("heater_power_w", defaults.heater_power_w, 100.0, 50_000.0),
        bath_offset_c=table.number("bath_offset_c", defaults.bath_offset_c, 0.0, 5.0),
        load_c=table.number("load_c", defaults.load_c, -5.0, 30.0),
        chilled_water_c=table.number("chilled_water_c", defaults.chilled_water_c, -5.0, 30.0),
    )
    bottle_probes = table.identifiers("bottle_probes")
    if len(bottle_probes) > bottles - 1:
        raise table.error(
            "bottle_probes",
            f"{len(bottle_probes)} bottle probes but only {bottles - 1} bottles besides the "
            "reference bottle",
        )
    cycles = tuple(_read_cycle(t, duration_s) for t in table.tables("cycles"))
    for i in range(1, len(cycles)):
        if cycles[i].start_s <= cycles[i - 1].start_s:
            raise table.error(f"cycles[{i}]", "cycles must be listed in increasing start time")
    return PasteuriserSpec(
        id=table.identifier("id"),
        bath_probe=table.identifier("bath_probe"),
        reference_probe=table.identifier("reference_probe"),
        bottle_probes=bottle_probes,
        link=table.optional_identifier("link"),
        cycles=cycles,
        params=params,
    )


def _read_cycle(table: Table, duration_s: float) -> CycleSpec:
    table.check_keys(_CYCLE_KEYS)
    start_s = table.seconds("start", None, maximum_s=duration_s)
    if start_s >= duration_s:
        raise table.error(None, f"starts at {start_s / 60:g} min, after the scenario ends")
    return CycleSpec(
        start_s=start_s,
        setpoint_c=table.number("setpoint_c", None, 40.0, 90.0),
        hold_s=table.seconds("hold", None, maximum_s=_DAY_S, positive=True),
    )


def read_fridge(table: Table) -> EnclosureSpec:
    table.check_keys(_FRIDGE_KEYS)
    params = EnclosureParams.fridge(
        setpoint_c=table.number("setpoint_c", 3.0, -5.0, 10.0),
        door_openings_per_h=table.number("door_openings_per_h", 0.0, 0.0, 60.0),
    )
    return EnclosureSpec(
        id=table.identifier("id"),
        kind=EnclosureKind.FRIDGE,
        probe=table.identifier("probe"),
        link=table.optional_identifier("link"),
        params=params,
    )


def read_freezer(table: Table) -> EnclosureSpec:
    table.check_keys(_FREEZER_KEYS)
    every_s = table.number("defrost_every_h", 8.0, 0.5, 168.0) * 3600.0
    max_s = table.number("defrost_max_min", 25.0, 1.0, 120.0) * 60.0
    if max_s >= every_s:
        raise table.error("defrost_max_min", "a defrost must be shorter than its interval")
    first_min = table.optional_number("first_defrost_min", 0.0, 7 * 24 * 60.0)
    defrost = DefrostParams(
        every_s=every_s,
        max_duration_s=max_s,
        first_at_s=None if first_min is None else first_min * 60.0,
    )
    params = EnclosureParams.freezer(
        setpoint_c=table.number("setpoint_c", -20.0, -40.0, -10.0),
        defrost=defrost,
        door_openings_per_h=table.number("door_openings_per_h", 0.0, 0.0, 60.0),
    )
    return EnclosureSpec(
        id=table.identifier("id"),
        kind=EnclosureKind.FREEZER,
        probe=table.identifier("probe"),
        link=table.optional_identifier("link"),
        params=params,
    )
