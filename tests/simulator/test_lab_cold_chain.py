"""Fridges and freezers of the shipped scenarios behave like real ones."""

from __future__ import annotations

import pytest

from simulator.scenario import EnclosureKind, FaultKind
from tests.simulator.recording import Recording, recording

RECOVERY_S = 10 * 60


def _disturbed(rec: Recording, enclosure: str, t: float) -> bool:
    """True within a door opening of ``enclosure`` or the recovery after it."""
    return any(
        f.kind is FaultKind.DOOR_OPEN
        and f.target == enclosure
        and f.start_s <= t < f.end_s + RECOVERY_S
        for f in rec.scenario.faults
    )


@pytest.fixture(scope="module")
def normal() -> Recording:
    return recording("normal-day")


@pytest.mark.parametrize("fridge", ["F1", "F2"])
def test_fridge_stays_in_0_to_4_except_door_spikes(normal: Recording, fridge: str) -> None:
    values = normal.true[f"{fridge}-air"]
    calm = [
        v for t, v in zip(normal.times, values, strict=True) if not _disturbed(normal, fridge, t)
    ]
    assert len(calm) > len(values) / 2
    assert min(calm) >= 0.0
    assert max(calm) <= 4.0
    spikes = [v for t, v in zip(normal.times, values, strict=True) if _disturbed(normal, fridge, t)]
    assert 4.0 < max(spikes) < 8.0  # visible, but no gross excursion
    switches = sum(
        a.compressor_on != b.compressor_on
        for a, b in zip(normal.enclosures[fridge], normal.enclosures[fridge][1:], strict=False)
    )
    assert switches >= 10  # the compressor cycles on its thermostat


def test_freezer_stays_below_minus_18_except_defrost_and_door(normal: Recording) -> None:
    freezer = next(e for e in normal.scenario.enclosures if e.kind is EnclosureKind.FREEZER)
    defrost = freezer.params.defrost
    assert defrost is not None
    assert defrost.first_at_s is not None
    window = (defrost.first_at_s, defrost.first_at_s + 30 * 60)
    values = normal.true["Z1-air"]
    calm = [
        v
        for t, v in zip(normal.times, values, strict=True)
        if not _disturbed(normal, "Z1", t) and not window[0] <= t < window[1]
    ]
    assert max(calm) <= -18.0
    defrost_peak = max(normal.between("Z1-air", *window))
    assert defrost_peak > -16.0  # the window does hold the defrost...
    assert defrost_peak < -10.0  # ...and it stays under the gross limit


def test_defrost_rises_to_about_minus_12_briefly_and_is_tolerated() -> None:
    rec = recording("defrost")
    statuses = rec.enclosures["Z1"]
    defrosting = [t for t, s in zip(rec.times, statuses, strict=True) if s.defrosting]
    assert defrosting[0] == pytest.approx(30 * 60, abs=1)
    # Stopped by its thermostat in a few minutes, long before its 25-minute maximum.
    assert 3 * 60 <= defrosting[-1] - defrosting[0] <= 5 * 60
    assert all(not s.compressor_on for s in statuses if s.defrosting)
    air = rec.true["Z1-air"]
    assert -14.5 <= max(air) <= -11.0  # about -12 °C: under the -10 °C gross limit
    above = sum(1 for v in air if v > -18.0)
    assert 0 < above < 20 * 60  # shorter than the freezer's 20-minute alarm delay
    assert statuses[-1].defrosts_started == 1
    assert max(rec.between("Z1-air", defrosting[-1] + 30 * 60, rec.times[-1] + 1)) <= -18.0


def test_door_left_open_gives_an_excursion_longer_than_10_min() -> None:
    rec = recording("door-left-open")
    fault = rec.scenario.faults[0]
    air = rec.true["F1-air"]
    above = [t for t, v in zip(rec.times, air, strict=True) if v > 4.0]
    assert above[0] >= fault.start_s
    assert above[-1] - above[0] > 10 * 60
    assert len(above) == pytest.approx(above[-1] - above[0] + 1, abs=1)  # one excursion
    assert max(air) < 8.0
    assert above[-1] < fault.end_s + 15 * 60  # recovers once the door is shut
    opening = [s.door_opening for t, s in zip(rec.times, rec.enclosures["F1"], strict=True)]
    assert max(opening) == pytest.approx(0.1)


def test_power_cut_warms_slowly_then_recovers() -> None:
    rec = recording("power-cut")
    fault = rec.scenario.faults[0]
    # A status describes the step that led to its time: the cut covers (start, end].
    cut = [
        s
        for t, s in zip(rec.times, rec.enclosures["F1"], strict=True)
        if fault.start_s < t <= fault.end_s
    ]
    assert all(not s.compressor_on and not s.powered for s in cut)
    during = rec.between("F1-air", fault.start_s, fault.end_s)
    crossing = next(i for i, v in enumerate(during) if v > 4.0)
    assert crossing > 2 * 60  # slow: minutes, not seconds
    assert during[-1] > during[len(during) // 2] > during[0]
    assert 5.0 < during[-1] < 10.0
    after = rec.between("F1-air", fault.end_s + 30 * 60, rec.times[-1] + 1)
    assert max(after) <= 4.0
