"""Spikes: a jump between consecutive readings beyond ``max_step_c`` makes a reading suspect."""

from collections.abc import Sequence
from typing import Any

from config.probe_limits import Role, probe_limits
from config.probes import Probe
from drivers.qualify import ReadingQualifier
from monitor.clock import NS_PER_S
from monitor.reading import Quality, Reading

T0 = 1_800_000_000 * NS_PER_S


def qualifier(role: Role = "enclosure", **extra: Any) -> tuple[Probe, ReadingQualifier]:
    probe = Probe.model_validate(
        {"id": "p", "source": {"kind": "serial", "line": "s", "field": "T1"}, **extra}
    )
    return probe, ReadingQualifier([probe], {probe.id: probe_limits(probe, role)})


def feed(role: Role, values: Sequence[tuple[float, float]], **extra: Any) -> list[Reading]:
    probe, qualify = qualifier(role, **extra)
    return [qualify.reading(probe, v, T0 + int(t * NS_PER_S)) for t, v in values]


def test_a_jump_in_an_enclosure_is_suspect_and_named() -> None:
    first, jump, back = feed("enclosure", [(0, 3.0), (10, 38.0), (20, 3.2)])
    assert first.quality is Quality.OK
    assert jump.quality is Quality.SUSPECT
    assert jump.detail == "jump of 35.0 °C in 10 s: wrong unit or loose probe?"
    assert jump.value == 38.0
    assert back.quality is Quality.OK  # measured against the last trusted reading


def test_a_step_within_the_limit_is_a_reading_like_any_other() -> None:
    readings = feed("enclosure", [(0, 3.0), (10, 17.9), (20, 3.0)])
    assert [r.quality for r in readings] == [Quality.OK] * 3


def test_a_lasting_new_level_is_suspect_only_until_the_old_one_is_stale() -> None:
    # stale after 3 periods of 10 s: the 3.0 of t=0 is no reference beyond t=30.
    values = [(0, 3.0), (10, 38.0), (20, 38.1), (30, 38.2), (40, 38.3), (50, 38.4)]
    qualities = [r.quality for r in feed("enclosure", values)]
    assert qualities == [Quality.OK] + [Quality.SUSPECT] * 3 + [Quality.OK] * 2


def test_after_a_silence_the_first_reading_is_not_compared() -> None:
    readings = feed("enclosure", [(0, -20.0), (3600, 12.0)])
    assert [r.quality for r in readings] == [Quality.OK, Quality.OK]


def test_pasteuriser_probes_have_no_step_limit_unless_set() -> None:
    assert feed("pasteuriser", [(0, 20.0), (1, 62.0)])[1].quality is Quality.OK
    limited = feed("pasteuriser", [(0, 20.0), (1, 62.0)], max_step_c=5, sample_period_s=1)
    assert limited[1].quality is Quality.SUSPECT
    assert limited[1].detail == "jump of 42.0 °C in 1 s: wrong unit or loose probe?"


def test_faults_are_never_the_reference() -> None:
    readings = feed("enclosure", [(0, 3.0), (10, 3276.7), (20, 3.1)])
    assert [r.quality for r in readings] == [Quality.OK, Quality.FAULT, Quality.OK]


def test_out_of_range_readings_can_be_suspect_too() -> None:
    readings = feed("enclosure", [(0, 3.0), (10, 40.0)], measuring_range={"low": -30, "high": 30})
    assert [r.quality for r in readings] == [Quality.OK, Quality.SUSPECT]


def test_fahrenheit_read_as_celsius_is_the_jump_it_looks_like() -> None:
    probe, qualify = qualifier("enclosure")
    qualify.reading(probe, 3.0, T0)
    wrong = qualify.reading(probe, 37.4, T0 + 10 * NS_PER_S)  # 3 °C sent as °F
    assert wrong.quality is Quality.SUSPECT


def test_a_probe_without_given_limits_is_unassigned() -> None:
    probe = Probe.model_validate(
        {"id": "p", "source": {"kind": "serial", "line": "s", "field": "T1"}}
    )
    qualify = ReadingQualifier([probe])
    assert qualify.limits(probe.id).role == "unassigned"
    assert qualify.reading(probe, 140.0, T0).quality is Quality.OUT_OF_RANGE
