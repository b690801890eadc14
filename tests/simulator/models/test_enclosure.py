"""Fridge and freezer models: thermostat band, door, power cut, defrost."""

from __future__ import annotations

import dataclasses
import random

import pytest

from simulator.models.defrost import DefrostParams
from simulator.models.enclosure import (
    NORMAL_INPUTS,
    EnclosureInputs,
    EnclosureModel,
    EnclosureParams,
)


def _run(
    model: EnclosureModel,
    start: float,
    seconds: float,
    dt: float = 1.0,
    inputs: EnclosureInputs = NORMAL_INPUTS,
) -> list[float]:
    values = []
    for i in range(round(seconds / dt)):
        model.step(start + i * dt, dt, inputs)
        values.append(model.air_c)
    return values


def _fridge(seed: int = 1) -> EnclosureModel:
    return EnclosureModel(EnclosureParams.fridge(), 21.0, random.Random(seed))


def _freezer(first_defrost_s: float = 3600.0) -> EnclosureModel:
    params = EnclosureParams.freezer(defrost=DefrostParams(first_at_s=first_defrost_s))
    return EnclosureModel(params, 21.0, random.Random(1))


def test_fridge_cycles_inside_its_band() -> None:
    model = _fridge()
    air = _run(model, 0.0, 4 * 3600)
    assert min(air) >= 2.0
    assert max(air) <= 4.0
    assert model.contents_c == pytest.approx(3.0, abs=0.3)


def test_an_open_door_raises_the_air_fast_and_it_recovers() -> None:
    model = _fridge()
    _run(model, 0.0, 1800)
    spike = _run(model, 1800.0, 40, inputs=EnclosureInputs(door_opening=1.0))
    assert max(spike) > 5.0
    after = _run(model, 1840.0, 900)
    assert after[-1] < 4.0
    assert model.status().door_opening == 0.0


def test_power_cut_stops_the_compressor_and_warms_slowly() -> None:
    model = _fridge()
    _run(model, 0.0, 1800)
    air = _run(model, 1800.0, 3600, inputs=EnclosureInputs(powered=False))
    assert not model.status().compressor_on
    assert not model.status().powered
    assert air[60] < 4.5  # a minute in: barely moved
    assert 5.0 < air[-1] < 9.0  # an hour in: warm, still far from the room


def test_freezer_defrost_rises_briefly_then_pulls_down() -> None:
    model = _freezer()
    before = _run(model, 0.0, 3600)
    assert max(before) <= -18.0
    during = _run(model, 3600.0, 3600)
    assert -14.5 <= max(during) <= -11.0  # about -12 °C: under the -10 °C gross limit
    assert model.status().defrosts_started == 1
    assert max(during[-1200:]) <= -18.0


def test_no_defrost_heater_without_power() -> None:
    model = _freezer(first_defrost_s=60.0)
    air = _run(model, 0.0, 1800, inputs=EnclosureInputs(powered=False))
    assert model.status().defrosts_started == 1
    assert max(air) < -10.0  # only the slow warm-up of a freezer without power


@pytest.mark.parametrize("dt", [2.0, 5.0])
def test_longer_steps_keep_the_freezer_stable(dt: float) -> None:
    air = _run(_freezer(), 0.0, 3 * 3600, dt=dt)
    assert min(air) >= -23.0
    assert max(air) <= -11.0


def test_impossible_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="compressor_w must be > 0"):
        dataclasses.replace(EnclosureParams.fridge(), compressor_w=0.0)
    with pytest.raises(ValueError, match="door_openings_per_h"):
        EnclosureParams.fridge(door_openings_per_h=-1.0)
