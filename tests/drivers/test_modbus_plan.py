"""Request planning: contiguous and nearby registers share one read, within the Modbus limit."""

from __future__ import annotations

from typing import Any

import pytest

from config.probes import Probe
from drivers.modbus_plan import Decoded, RegisterRead, decode_probe, plan_reads
from tests.simulator.frontends.modbus_fakes import modbus_probe


def probe(probe_id: str, unit: int, address: int, **extra: Any) -> Probe:
    return Probe.model_validate(modbus_probe(probe_id, "bus", unit, address, **extra))


def shape(reads: list[RegisterRead]) -> list[tuple[int, str, int, int, tuple[str, ...]]]:
    return [(r.unit_id, r.table, r.address, r.count, r.probe_ids) for r in reads]


def test_three_contiguous_registers_make_one_read() -> None:
    probes = [probe("c", 1, 2), probe("a", 1, 0), probe("b", 1, 1)]
    assert shape(plan_reads(probes)) == [(1, "holding", 0, 3, ("a", "b", "c"))]


def test_small_holes_are_read_through_and_large_ones_split() -> None:
    probes = [probe("a", 1, 0), probe("b", 1, 5), probe("c", 1, 11)]
    # 1..4 is a hole of 4 (merged); 6..10 a hole of 5 (split).
    assert shape(plan_reads(probes)) == [
        (1, "holding", 0, 6, ("a", "b")),
        (1, "holding", 11, 1, ("c",)),
    ]
    assert len(plan_reads(probes, max_gap=0)) == 3


def test_units_and_tables_are_separate_requests() -> None:
    probes = [
        probe("a", 2, 0),
        probe("b", 1, 0),
        probe("c", 1, 1, table="input"),
        probe("d", 1, 1),
    ]
    assert shape(plan_reads(probes)) == [
        (1, "holding", 0, 2, ("b", "d")),
        (1, "input", 1, 1, ("c",)),
        (2, "holding", 0, 1, ("a",)),
    ]


def test_two_register_values_extend_the_read() -> None:
    probes = [probe("f", 1, 0, encoding="float32", scale=1.0), probe("i", 1, 2)]
    assert shape(plan_reads(probes)) == [(1, "holding", 0, 3, ("f", "i"))]


def test_no_read_exceeds_125_registers() -> None:
    probes = [probe(f"p{i}", 1, i) for i in range(130)]
    reads = plan_reads(probes)
    assert [(r.address, r.count) for r in reads] == [(0, 125), (125, 5)]
    float_probes = [probe(f"f{i}", 1, 2 * i, encoding="float32", scale=1.0) for i in range(63)]
    assert [(r.address, r.count) for r in plan_reads(float_probes)] == [(0, 124), (124, 2)]


def test_decode_hands_each_probe_its_registers() -> None:
    probes = [
        probe("a", 1, 10),
        probe("f", 1, 12, encoding="float32", scale=1.0, word_order="little"),
    ]
    (read,) = plan_reads(probes)
    words = read.words([625, 0, 0x0000, 0x427A])
    assert [(p.id, decode_probe(p, words)) for p in read.probes] == [
        ("a", Decoded(62.5, None)),
        ("f", Decoded(62.5, None)),
    ]
    assert read.function_code == 3
    assert read.describe() == "unit 1 holding registers 10-13"
    with pytest.raises(ValueError, match="expected 4 registers, got 3"):
        read.words([1, 2, 3])


STATUS = {"address": 2, "fault_values": {"1": "sensor break"}, "fault_mask": 0x8000}


def test_a_status_register_nearby_is_read_with_the_value() -> None:
    probes = [probe("a", 1, 0, status=STATUS), probe("b", 1, 1, status=STATUS)]
    (read,) = plan_reads(probes)
    assert shape([read]) == [(1, "holding", 0, 3, ("a", "b"))]
    words = read.words([36, 41, 0])
    assert decode_probe(probes[0], words) == Decoded(3.6, None)
    broken = read.words([36, 41, 1])
    assert decode_probe(probes[1], broken) == Decoded(4.1, "device status 1: sensor break")
    flagged = read.words([36, 41, 0x8001])
    assert decode_probe(probes[0], flagged) == Decoded(
        3.6, "device status 0x8001: fault bits 0x8000"
    )


def test_a_status_register_in_the_other_table_is_a_read_of_its_own() -> None:
    status = {"address": 20, "table": "input", "fault_mask": 0x0001}
    p = probe("a", 1, 0, status=status)
    value_read, status_read = plan_reads([p])
    assert shape([value_read, status_read]) == [
        (1, "holding", 0, 1, ("a",)),
        (1, "input", 20, 1, ("a",)),
    ]
    words = value_read.words([36])
    assert decode_probe(p, words) is None  # not until the status is read too
    words |= status_read.words([1])
    assert decode_probe(p, words) == Decoded(3.6, "device status 0x0001: fault bits 0x0001")


def test_bad_probes_are_named() -> None:
    serial = Probe.model_validate(
        {"id": "thermo", "source": {"kind": "serial", "line": "s", "field": "T1"}}
    )
    with pytest.raises(ValueError, match="probe thermo is not a Modbus probe"):
        plan_reads([serial])
    with pytest.raises(ValueError, match="probe last: float32 at address 65535 runs past"):
        plan_reads([probe("last", 1, 65535, encoding="float32", scale=1.0)])
    with pytest.raises(ValueError, match=r"max_count must be 2\.\.125"):
        plan_reads([], max_count=126)
    with pytest.raises(ValueError, match="max_gap must be >= 0"):
        plan_reads([], max_gap=-1)
