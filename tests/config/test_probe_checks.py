"""Checks of the probes against the whole settings: registers, ranges, units."""

from typing import Any

from pydantic import ValidationError

from config.probe_checks import probe_warnings, register_errors
from config.settings import settings_from_mapping

BUS = [{"kind": "tcp", "id": "b", "host": "127.0.0.1"}]


def modbus(probe_id: str, address: int, **source: Any) -> dict[str, Any]:
    extra = source.pop("probe", {})
    base = {"kind": "modbus", "bus": "b", "unit_id": 1, "address": address}
    return {"id": probe_id, "source": base | source, **extra}


def errors(*probes: dict[str, Any]) -> list[str]:
    """What the register check finds; the settings themselves refuse the same."""
    try:
        settings = settings_from_mapping({"modbus": BUS, "probes": list(probes)})
    except ValidationError as exc:
        return [str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()]
    return [str(e) for e in register_errors(settings)]


def test_a_float32_beside_an_int16_it_overlaps_is_an_error() -> None:
    found = errors(modbus("f", 0, encoding="float32"), modbus("i", 1))
    assert found == [
        "probes[1].source.address: the value of probe i overlaps probe f's value at "
        "holding register 1 of unit 1 on b"
    ]


def test_values_side_by_side_and_other_tables_and_units_are_fine() -> None:
    assert errors(modbus("f", 0, encoding="float32"), modbus("i", 2)) == []
    assert errors(modbus("f", 0, encoding="float32"), modbus("i", 1, table="input")) == []
    assert errors(modbus("f", 0, encoding="float32"), modbus("i", 1, unit_id=2)) == []


def test_a_status_register_on_a_value_is_an_error_a_shared_one_is_not() -> None:
    shared = {"address": 5, "fault_mask": 1}
    assert errors(modbus("a", 0, status=shared), modbus("b", 1, status=shared)) == []
    found = errors(modbus("a", 0, status={"address": 1, "fault_mask": 1}), modbus("b", 1))
    assert found == [
        "probes[1].source.address: the value of probe b overlaps probe a's status at "
        "holding register 1 of unit 1 on b"
    ]
    in_input = errors(
        modbus("a", 0, encoding="float32"),
        modbus("b", 4, status={"address": 1, "fault_mask": 1}),
    )
    assert in_input == [
        "probes[1].source.status.address: the status register of probe b overlaps probe a's "
        "value at holding register 1 of unit 1 on b"
    ]


def warnings_of(data: dict[str, Any]) -> list[str]:
    return probe_warnings(settings_from_mapping({"modbus": BUS, **data}))


def test_a_scaled_value_that_cannot_show_the_band_is_warned_about() -> None:
    found = warnings_of(
        {
            "probes": [modbus("z", 0, encoding="uint16"), modbus("p", 1, scale=0.001)],
            "enclosures": [{"id": "Z1", "kind": "freezer", "probes": ["z"]}],
            "pasteurisers": [{"id": "P1", "probes": [{"probe": "p", "role": "bath"}]}],
        }
    )
    assert found == [
        "probe z: uint16 × 0.1 holds 0..6553.5 °C, which cannot hold -18, -10 °C of freezer "
        "Z1: check the encoding and scale",
        "probe p: int16 × 0.001 holds -32.768..32.767 °C, which cannot hold 66 °C of "
        "pasteuriser P1: check the encoding and scale",
    ]


def test_a_plausible_range_that_cannot_hold_the_band_is_warned_about() -> None:
    found = warnings_of(
        {
            "probes": [modbus("f", 0, probe={"plausible_range": {"low": 2, "high": 40}})],
            "enclosures": [{"id": "F1", "kind": "fridge", "probes": ["f"]}],
        }
    )
    assert found == [
        "probe f: plausible range 2..40 °C cannot hold 0 °C of fridge F1: those readings "
        "would be faults"
    ]


def test_a_measuring_range_beyond_the_role_default_is_warned_about() -> None:
    found = warnings_of(
        {
            "probes": [modbus("f", 0, probe={"measuring_range": {"low": -50, "high": 110}})],
            "enclosures": [{"id": "F1", "kind": "fridge", "probes": ["f"]}],
        }
    )
    assert found == [
        "probe f: measuring_range -50..110 °C reaches beyond the plausible range -50..50 °C "
        "of its role; values beyond it are faults"
    ]


def test_fahrenheit_and_offset_are_counted_in_the_scaled_range() -> None:
    # int16 tenths in °F: -3276.8..3276.7 °F is about -1838..1802 °C: plenty.
    found = warnings_of(
        {
            "probes": [modbus("f", 0, probe={"unit": "F", "calibration_offset_c": 0.5})],
            "enclosures": [{"id": "F1", "kind": "fridge", "probes": ["f"]}],
        }
    )
    assert found == []


def test_shelly_gen1_is_a_reminder_to_check_the_device_unit() -> None:
    source = {"kind": "mqtt", "topic": "shellies/ht/sensor/temperature", "format": "shelly_gen1"}
    settings = settings_from_mapping(
        {"mqtt": {}, "probes": [{"id": "h", "unit": "C", "source": source}]}
    )
    assert probe_warnings(settings) == [
        "probe h: shelly_gen1 sends a bare number in the unit set on the device; check that "
        "the device's own unit setting is °C"
    ]
