"""Parameters: docs/RULES.md defaults, and bad values refused with the name of the setting."""

from __future__ import annotations

import pytest

from monitor.evaluation import (
    DEFAULT_PROGRAMS,
    HOLDER58,
    HOLDER62_5,
    HOLDER63,
    PROGRAM_PRESETS,
    BandSpec,
    CyclePolicy,
    FloraLimits,
    HeatingWatchSpec,
    ProbeHealthSpec,
    Program,
    gap_limit_for,
)


def test_domain_defaults() -> None:
    assert (HOLDER58.setpoint_c, HOLDER58.hold_s, HOLDER58.max_total_flora_cfu_ml) == (
        58.0,
        3600.0,
        1e4,
    )
    assert (HOLDER63.setpoint_c, HOLDER63.hold_s, HOLDER63.max_total_flora_cfu_ml) == (
        63.0,
        1800.0,
        1e5,
    )
    policy = CyclePolicy()
    assert policy.hold_policy == "restart"
    assert policy.gap_limit_s == gap_limit_for(10.0) == 30.0
    assert (policy.overshoot_margin_c, policy.come_up_limit_s) == (3.0, 5400.0)
    assert (policy.cooling_target_c, policy.cooling_limit_s) == (6.0, 3600.0)
    assert (policy.settle_s, policy.cooling_fail_margin_c) == (120.0, 5.0)
    assert FloraLimits() == FloraLimits(1e5, 1e4)
    fridge, freezer = BandSpec.fridge(), BandSpec.freezer()
    assert (fridge.low_c, fridge.high_c, fridge.delay_s) == (0.0, 4.0, 600.0)
    assert (fridge.gross_low_c, fridge.gross_high_c, fridge.deadband_c) == (0.0, 8.0, 0.5)
    assert (freezer.low_c, freezer.high_c, freezer.delay_s) == (None, -18.0, 1200.0)
    assert (freezer.gross_low_c, freezer.gross_high_c) == (None, -10.0)
    # a reading vouches for the stale limit of a default probe: 3 periods of 10 s
    assert fridge.coverage_s == freezer.coverage_s == ProbeHealthSpec(10.0).stale_after_s
    assert ProbeHealthSpec(10.0).stale_after_s == 30.0
    assert HeatingWatchSpec().threshold_c == 45.0


def test_a_settling_time_of_zero_is_allowed() -> None:
    # Zero: every dip after the first crossing is an alarm, as before the settling rule.
    assert CyclePolicy(settle_s=0).settle_s == 0.0


def test_holder62_5_is_a_preset_but_not_a_default() -> None:
    assert (HOLDER62_5.setpoint_c, HOLDER62_5.hold_s) == (62.5, 1800.0)
    assert HOLDER62_5.max_total_flora_cfu_ml == HOLDER63.max_total_flora_cfu_ml
    assert set(PROGRAM_PRESETS) == {"holder58", "holder62_5", "holder63"}
    assert HOLDER62_5 not in DEFAULT_PROGRAMS


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Program("", 58, 60, 1), "name"),
        (lambda: Program("p", float("nan"), 60, 1), "setpoint_c"),
        (lambda: Program("p", 120, 60, 1), "setpoint_c"),
        (lambda: Program("p", 58, 0, 1), "hold_s"),
        (lambda: Program("p", 58, 601 * 60, 1), r"hold_s .* at most 36000 s \(600 min\)"),
        (lambda: Program("p", 58, 60, -1), "max_total_flora_cfu_ml"),
        (lambda: CyclePolicy(hold_policy="sometimes"), "hold_policy"),  # type: ignore[arg-type]
        (lambda: CyclePolicy(gap_limit_s=0), "gap_limit_s"),
        (lambda: CyclePolicy(cooling_limit_s=float("inf")), "cooling_limit_s"),
        (lambda: CyclePolicy(overshoot_margin_c=True), "overshoot_margin_c"),
        (lambda: CyclePolicy(overshoot_margin_c=21), "overshoot_margin_c must be at most 20"),
        (lambda: CyclePolicy(come_up_limit_s=1e6), "come_up_limit_s"),
        (lambda: CyclePolicy(cooling_target_c=-200), "cooling_target_c must lie in -100..150"),
        (lambda: CyclePolicy(settle_s=-1), "settle_s must be 0 s or more"),
        (lambda: CyclePolicy(settle_s=7200), r"settle_s .* at most 1800 s \(30 min\)"),
        (lambda: CyclePolicy(settle_s=float("nan")), "settle_s must be a finite number"),
        (lambda: CyclePolicy(cooling_fail_margin_c=0), "cooling_fail_margin_c must be > 0"),
        (lambda: CyclePolicy(cooling_fail_margin_c=25), "cooling_fail_margin_c must be at most 20"),
        (lambda: FloraLimits(destroy_above_s_aureus_cfu_ml=0), "aureus"),
        (lambda: gap_limit_for(10.0, 0), "periods"),
        (lambda: gap_limit_for(10.0, 101), r"gap_periods must be an integer in 1\.\.100"),
        (lambda: BandSpec("cellar", 0, 4, 600, None, None), "kind"),  # type: ignore[arg-type]
        (lambda: BandSpec("fridge", 5, 4, 600, None, None), "low_c 5 > high_c 4"),
        (lambda: BandSpec("fridge", 0, 4, -1, None, None), "delay_s"),
        (lambda: BandSpec("fridge", 0, 4, 25 * 3600, None, None), "delay_s .* at most 86400 s"),
        (lambda: BandSpec("fridge", 0, 4, 600, None, 200.0), "gross_high_c must lie in"),
        (lambda: BandSpec("freezer", None, -18, 600, None, None, 6), "deadband_c must be at most"),
        (lambda: BandSpec("fridge", 0, 4, 600, None, 3.0), "gross_high_c"),
        (lambda: BandSpec("fridge", 0, 4, 600, 1.0, None), "gross_low_c"),
        (lambda: BandSpec("freezer", None, -18, 600, -30.0, None), "gross_low_c"),
        (lambda: BandSpec("fridge", 0, 4, 600, None, None, deadband_c=2), "deadband_c"),
        (lambda: BandSpec("fridge", 0, 4, 600, None, None, coverage_s=0), "coverage_s"),
        (lambda: BandSpec("fridge", 0, 4, 600, None, None, coverage_s=1e6), "coverage_s .* 86400"),
        (lambda: ProbeHealthSpec(0), "sample_period_s"),
        (lambda: ProbeHealthSpec(10, stale_periods=1001), "stale_periods"),
        (lambda: ProbeHealthSpec(10, stuck_after_s=-5), "stuck_after_s"),
        (lambda: ProbeHealthSpec(10, calibration_due_ns=1.5), "calibration_due_ns"),  # type: ignore[arg-type]
        (lambda: HeatingWatchSpec(deadband_c=-1), "deadband_c"),
        (lambda: HeatingWatchSpec(threshold_c=float("nan")), "threshold_c"),
    ],
)
def test_bad_values_name_the_setting(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]
