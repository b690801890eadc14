from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from config import load_settings
from monitor.clock import datetime_to_ns
from monitor.errors import NotFound
from monitor.service import wiring

EXAMPLES = Path(__file__).parents[3] / "config" / "examples"


@pytest.fixture(scope="module")
def settings():  # type: ignore[no-untyped-def]
    return load_settings(EXAMPLES / "lab.toml")


def test_programs_follow_domain_defaults(settings) -> None:  # type: ignore[no-untyped-def]
    p = wiring.program(settings, "holder58")
    assert (p.setpoint_c, p.hold_s, p.max_total_flora_cfu_ml) == (58.0, 3600.0, 1e4)
    with pytest.raises(NotFound, match=r"unknown program 'holder70'.*holder58, holder63"):
        wiring.program(settings, "holder70")


def test_gap_limit_uses_slowest_judged_probe(settings) -> None:  # type: ignore[no-untyped-def]
    # lab.toml: references P1-ref (1 s) and P1-ref2 (2 s); 3 periods of the slowest.
    policy = wiring.cycle_policy(settings, wiring.pasteuriser(settings, "P1"))
    assert policy.gap_limit_s == 6.0
    assert policy.cooling_limit_s == 3600.0


def test_band_specs(settings) -> None:  # type: ignore[no-untyped-def]
    fridge = wiring.band_spec(settings.enclosures[0], settings)
    assert (fridge.low_c, fridge.high_c, fridge.delay_s, fridge.gross_high_c) == (0, 4, 600, 8)
    freezer = wiring.band_spec(settings.enclosures[2], settings)
    assert (freezer.low_c, freezer.high_c, freezer.delay_s) == (None, -18, 1200)


def test_calibration_due_is_valid_through_the_local_day() -> None:
    end = wiring.end_of_day_ns(date(2027, 3, 15), "Europe/Paris")
    assert end == datetime_to_ns(datetime(2027, 3, 15, 23, 0, tzinfo=UTC)) - 1
    assert wiring.end_of_day_ns(None, "Europe/Paris") is None


def test_day_key_is_local_date() -> None:
    late_utc = datetime_to_ns(datetime(2026, 7, 1, 22, 30, tzinfo=UTC))
    assert wiring.day_key(late_utc, "Europe/Paris") == "2026-07-02"
    assert wiring.day_key(late_utc, "UTC") == "2026-07-01"


def test_unknown_pasteuriser(settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound, match=r"unknown pasteuriser 'P9' \(known: P1\)"):
        wiring.pasteuriser(settings, "P9")


def test_the_settle_time_the_fail_margin_and_the_coverage_reach_the_rules(settings) -> None:  # type: ignore[no-untyped-def]
    policy = wiring.cycle_policy(settings, settings.pasteurisers[0])
    assert (policy.settle_s, policy.cooling_fail_margin_c) == (120.0, 5.0)
    fridge = settings.enclosures[0]
    slowest = max(settings.probe(p).stale_after_s for p in fridge.probes)
    assert wiring.band_spec(fridge, settings).coverage_s == slowest
