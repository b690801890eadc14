"""Random door openings: rate, durations and independence from the step size."""

from __future__ import annotations

import random

import pytest

from simulator.models.doors import RandomDoor


def _openings(per_hour: float, seed: int, dt: float, hours: float) -> list[float]:
    door = RandomDoor(per_hour, random.Random(seed))
    starts, was_open = [], False
    for i in range(int(hours * 3600 / dt)):
        t = i * dt
        now_open = door.is_open(t)
        if now_open and not was_open:
            starts.append(t)
        was_open = now_open
    return starts


def test_rate_is_about_what_was_asked() -> None:
    assert len(_openings(6.0, 1, 1.0, 50)) == pytest.approx(300, rel=0.2)


def test_never_opens_at_rate_zero() -> None:
    assert _openings(0.0, 1, 10.0, 24) == []


def test_openings_do_not_depend_on_the_step() -> None:
    fine = _openings(4.0, 3, 1.0, 5)
    coarse = _openings(4.0, 3, 5.0, 5)
    assert len(fine) == len(coarse)
    assert all(abs(a - b) <= 5.0 for a, b in zip(fine, coarse, strict=True))


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="door openings"):
        RandomDoor(-1.0, random.Random(1))
