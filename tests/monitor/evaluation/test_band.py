"""The cold-chain band, rule by rule, at each boundary (docs/RULES.md, Cold chain)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from monitor.evaluation import BandMachine, BandSpec, NewDay, Tick
from monitor.evaluation.cold_chain_events import ExcursionAlarmed, ExcursionEnded, ExcursionStarted
from monitor.evaluation.event_base import Effect
from monitor.evaluation.events import ReadingRejected
from monitor.reading import Reading
from tests.monitor.evaluation.curves import FAULT, S, at, kinds


def fridge(*probes: str) -> BandMachine:
    return BandMachine("F1", BandSpec.fridge(), probes or ("p",), "2024-03-01", 0)


def freezer() -> BandMachine:
    return BandMachine("Z1", BandSpec.freezer(), ("p",), "2024-03-01", 0)


def feed(band: BandMachine, *readings: Reading) -> list[str]:
    return [e.kind for r in readings for e in band.feed(r)]


@pytest.mark.parametrize(
    ("value", "out"), [(4.0, False), (4.01, True), (0.0, False), (-0.01, True), (2.0, False)]
)
def test_fridge_band_is_0_to_4_inclusive(value: float, out: bool) -> None:
    band = fridge()
    assert (feed(band, at(10, value, "p"))[:1] == ["excursion_started"]) is out


@pytest.mark.parametrize(("value", "alarms"), [(4.0, False), (4.01, True)])
def test_a_fridge_held_at_a_value_for_the_delay(value: float, alarms: bool) -> None:
    band = fridge()
    events = feed(band, *[at(t, value, "p") for t in range(0, 601, 10)])
    assert events == (["excursion_started", "excursion_alarmed"] if alarms else [])


@pytest.mark.parametrize(("after_s", "alarms"), [(599, False), (600, True)])
@pytest.mark.parametrize("by_tick", [False, True])
def test_fridge_excursion_alarms_after_10_min(after_s: int, alarms: bool, by_tick: bool) -> None:
    band = fridge()
    started = band.feed(at(100, 4.01, "p"))
    assert isinstance(started[0], ExcursionStarted)
    assert (started[0].side, started[0].value_c, started[0].effect) == ("high", 4.01, None)
    assert feed(band, *[at(t, 4.2, "p") for t in range(110, 100 + 591, 10)]) == []
    events = band.tick((100 + after_s) * S) if by_tick else band.feed(at(100 + after_s, 4.2, "p"))
    assert (kinds(events) == ["excursion_alarmed"]) is alarms
    if alarms:
        alarm = events[0]
        assert isinstance(alarm, ExcursionAlarmed)
        assert (alarm.since_ts, alarm.gross, alarm.effect) == (100 * S, False, Effect.RAISE)
        assert alarm.alarm_key == "band:F1"
        assert "for 0:10:00" in alarm.reason


@pytest.mark.parametrize(("after_s", "alarms"), [(1199, False), (1200, True)])
def test_freezer_excursion_alarms_after_20_min(after_s: int, alarms: bool) -> None:
    band = freezer()
    assert kinds(band.feed(at(0, -17.9, "p"))) == ["excursion_started"]
    assert feed(band, *[at(t, -17.5, "p") for t in range(10, 1191, 10)]) == []
    assert (kinds(band.tick(after_s * S)) == ["excursion_alarmed"]) is alarms


@pytest.mark.parametrize(
    ("make", "value", "gross"),
    [
        (fridge, 8.0, False),
        (fridge, 8.01, True),
        (fridge, -0.01, True),
        (freezer, -10.0, False),
        (freezer, -9.99, True),
    ],
)
def test_a_gross_excursion_alarms_at_once(make: object, value: float, gross: bool) -> None:
    band = make()  # type: ignore[operator]
    events = band.feed(at(50, value, "p"))
    assert kinds(events) == (
        ["excursion_started", "excursion_alarmed"] if gross else ["excursion_started"]
    )
    if gross:
        assert events[1].gross is True
        assert "gross limit" in events[1].reason


def test_a_gross_value_during_a_pending_excursion_alarms_at_once() -> None:
    band = fridge()
    feed(band, at(0, 5.0, "p"))
    events = band.feed(at(60, 8.5, "p"))
    assert kinds(events) == ["excursion_alarmed"]
    assert events[0].gross is True  # type: ignore[attr-defined]
    assert band.tick(3600 * S) == ()  # already alarmed: no second alarm


def test_freezer_has_no_lower_bound() -> None:
    band = freezer()
    assert feed(band, at(0, -80.0, "p"), at(10, -18.0, "p")) == []


@pytest.mark.parametrize(
    ("make", "out", "back_values", "back_at"),
    [
        (fridge, 5.0, [3.9, 3.6, 3.51, 3.5], 3),
        (fridge, -1.0, [0.1, 0.49, 0.5], 2),
        (freezer, -15.0, [-18.0, -18.4, -18.5], 2),
    ],
)
def test_the_deadband_decides_when_an_excursion_ends(
    make: object, out: float, back_values: list[float], back_at: int
) -> None:
    band = make()  # type: ignore[operator]
    band.feed(at(0, out, "p"))
    for i, value in enumerate(back_values):
        events = band.feed(at(10 + i, value, "p"))
        assert (kinds(events) == ["excursion_ended"]) is (i == back_at), value


def test_the_end_of_an_excursion_clears_its_alarm_with_its_figures() -> None:
    # A probe stale after 400 s: each of these readings vouches until the next.
    spec = dataclasses.replace(BandSpec.fridge(), coverage_s=400)
    band = BandMachine("F1", spec, ("p",), "2024-03-01", 0)
    feed(band, at(0, 4.5, "p"), at(300, 6.5, "p"), at(700, 5.0, "p"))
    events = band.feed(at(900, 3.0, "p"))
    ended = events[0]
    assert isinstance(ended, ExcursionEnded)
    assert (ended.since_ts, ended.duration_s, ended.worst_c, ended.alarmed) == (0, 900.0, 6.5, True)
    assert (ended.measured_out_s, ended.unmeasured_out_s) == (900.0, 0.0)
    assert (ended.effect, ended.alarm_key) == (Effect.CLEAR, "band:F1")
    assert not band.in_excursion


def test_a_short_door_opening_never_alarms() -> None:
    band = fridge()
    events = feed(band, at(0, 3.0, "p"), at(60, 6.0, "p"), at(120, 5.0, "p"), at(180, 3.4, "p"))
    assert events == ["excursion_started", "excursion_ended"]
    assert band.tick(3600 * S) == ()


def test_with_several_probes_any_probe_out_keeps_the_excursion() -> None:
    band = fridge("top", "bottom")
    assert feed(band, at(0, 3.0, "top"), at(0, 3.0, "bottom")) == []
    assert feed(band, at(10, 4.5, "top"), at(10, 2.0, "bottom")) == ["excursion_started"]
    # top is back, but bottom's last value is out (now grossly): still one excursion
    assert feed(band, at(20, -0.5, "bottom"), at(20, 3.0, "top")) == ["excursion_alarmed"]
    assert feed(band, at(30, 3.0, "top")) == []
    assert feed(band, at(30, 1.0, "bottom")) == ["excursion_ended"]


def test_faulty_readings_and_other_probes_are_ignored() -> None:
    band = fridge()
    assert band.feed(at(0, 3276.7, "p", FAULT)) == ()
    assert band.feed(at(1, float("nan"), "p")) == ()
    assert band.feed(at(2, 30.0, "other")) == ()
    assert band.day_summary().samples == 0


def test_out_of_order_readings_are_rejected() -> None:
    band = fridge()
    band.feed(at(10, 3.0, "p"))
    rejected = band.feed(at(5, 30.0, "p"))
    assert isinstance(rejected[0], ReadingRejected)
    assert rejected[0].subject == "F1"
    assert not band.in_excursion
    assert band.step(Tick(1)) == ()


def test_a_restored_band_resumes_exactly() -> None:
    inputs = [at(t, 3.0 + (t % 700) / 100, "p") for t in range(0, 5000, 20)]
    whole, part = fridge(), fridge()
    expected = [e for r in inputs for e in whole.feed(r)]
    got = [e for r in inputs[:100] for e in part.feed(r)]
    data = json.loads(json.dumps(part.snapshot()))
    resumed = BandMachine.restore("F1", BandSpec.fridge(), ["p"], data)
    got += [e for r in inputs[100:] for e in resumed.step(r)]
    got += resumed.step(NewDay(6000 * S, "2024-03-02"))
    expected += whole.step(NewDay(6000 * S, "2024-03-02"))
    assert got == expected
