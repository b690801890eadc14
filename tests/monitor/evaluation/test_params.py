"""Parameters: DOMAIN.md defaults, and bad values refused with the name of the setting."""

from __future__ import annotations

import pytest

from monitor.evaluation import (
    HOLDER58,
    HOLDER63,
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
    assert FloraLimits() == FloraLimits(1e5, 1e4)
    fridge, freezer = BandSpec.fridge(), BandSpec.freezer()
    assert (fridge.low_c, fridge.high_c, fridge.delay_s) == (0.0, 4.0, 600.0)
    assert (fridge.gross_low_c, fridge.gross_high_c, fridge.deadband_c) == (0.0, 8.0, 0.5)
    assert (freezer.low_c, freezer.high_c, freezer.delay_s) == (None, -18.0, 1200.0)
    assert (freezer.gross_low_c, freezer.gross_high_c) == (None, -10.0)
    assert ProbeHealthSpec(10.0).stale_after_s == 30.0
    assert HeatingWatchSpec().threshold_c == 45.0


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Program("", 58, 60, 1), "name"),
        (lambda: Program("p", float("nan"), 60, 1), "setpoint_c"),
        (lambda: Program("p", 120, 60, 1), "setpoint_c"),
        (lambda: Program("p", 58, 0, 1), "hold_s"),
        (lambda: Program("p", 58, 60, -1), "max_total_flora_cfu_ml"),
        (lambda: CyclePolicy(hold_policy="sometimes"), "hold_policy"),  # type: ignore[arg-type]
        (lambda: CyclePolicy(gap_limit_s=0), "gap_limit_s"),
        (lambda: CyclePolicy(cooling_limit_s=float("inf")), "cooling_limit_s"),
        (lambda: CyclePolicy(overshoot_margin_c=True), "overshoot_margin_c"),
        (lambda: FloraLimits(destroy_above_s_aureus_cfu_ml=0), "aureus"),
        (lambda: gap_limit_for(10.0, 0), "periods"),
        (lambda: BandSpec("cellar", 0, 4, 600, None, None), "kind"),  # type: ignore[arg-type]
        (lambda: BandSpec("fridge", 5, 4, 600, None, None), "low_c 5 > high_c 4"),
        (lambda: BandSpec("fridge", 0, 4, -1, None, None), "delay_s"),
        (lambda: BandSpec("fridge", 0, 4, 600, None, 3.0), "gross_high_c"),
        (lambda: BandSpec("fridge", 0, 4, 600, 1.0, None), "gross_low_c"),
        (lambda: BandSpec("freezer", None, -18, 600, -30.0, None), "gross_low_c"),
        (lambda: BandSpec("fridge", 0, 4, 600, None, None, deadband_c=2), "deadband_c"),
        (lambda: ProbeHealthSpec(0), "sample_period_s"),
        (lambda: ProbeHealthSpec(10, stuck_after_s=-5), "stuck_after_s"),
        (lambda: ProbeHealthSpec(10, calibration_due_ns=1.5), "calibration_due_ns"),  # type: ignore[arg-type]
        (lambda: HeatingWatchSpec(deadband_c=-1), "deadband_c"),
    ],
)
def test_bad_values_name_the_setting(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]
