"""Probe noise, offset and resolution."""

from __future__ import annotations

import random
import statistics

import pytest

from simulator.models.probe import ProbeChannel, ProbeCharacter, quantise


def test_noise_has_the_configured_sigma_and_no_bias() -> None:
    channel = ProbeChannel(ProbeCharacter(sigma_c=0.05, resolution_c=0.0), random.Random(1))
    values = [channel.measure(63.0) for _ in range(5000)]
    assert statistics.fmean(values) == pytest.approx(63.0, abs=0.005)
    assert statistics.stdev(values) == pytest.approx(0.05, rel=0.1)


def test_offset_and_resolution_apply() -> None:
    character = ProbeCharacter(sigma_c=0.0, resolution_c=0.1, offset_c=-0.3)
    channel = ProbeChannel(character, random.Random(1))
    assert channel.measure(4.04) == pytest.approx(3.7)
    assert str(channel.measure(63.26)) == "63.0"


def test_quantise_gives_clean_decimals() -> None:
    assert quantise(63.14, 0.1) == 63.1
    assert quantise(-127.03, 0.0625) == -127.0
    assert quantise(1.234567, 0.0) == 1.234567


def test_same_rng_seed_same_noise() -> None:
    a = ProbeChannel(ProbeCharacter(), random.Random("7/P1-ref/noise"))
    b = ProbeChannel(ProbeCharacter(), random.Random("7/P1-ref/noise"))
    assert [a.measure(5.0) for _ in range(50)] == [b.measure(5.0) for _ in range(50)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sigma_c": -1.0}, "sigma"),
        ({"resolution_c": float("nan")}, "resolution"),
        ({"offset_c": float("inf")}, "offset"),
    ],
)
def test_bad_characters_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ProbeCharacter(**kwargs)
