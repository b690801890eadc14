"""Starting a pasteurisation cycle: the lots' bacteriology first, then the start records."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.evaluation.cycle import CycleMachine
from monitor.evaluation.cycle_setup import CycleProbes, CycleSetup
from monitor.evaluation.event_base import Event
from monitor.evaluation.events import CycleStarted, HoldJudgedOnBath
from monitor.evaluation.lot_rules import LotBacteriology, check_program
from monitor.evaluation.params import CyclePolicy, FloraLimits, Program


def start_cycle(
    cycle_id: str,
    started_ts: int,
    program: Program,
    lots: Sequence[LotBacteriology],
    probes: CycleProbes,
    policy: CyclePolicy | None = None,
    flora: FloraLimits | None = None,
) -> tuple[CycleMachine, tuple[Event, ...]]:
    """Start a cycle for ``lots`` once their bacteriology allows ``program``.

    Raises ``StartRefused`` (with the reason, and ``.event(ts, subject)`` to record it) when
    a lot must be destroyed or exceeds the program's flora ceiling (see ``lot_rules``), and
    ``ValueError`` on inconsistent parameters. Returns the machine and its start records.
    """
    check_program(program, lots, flora)
    lot_ids = tuple(lot.lot_id for lot in lots)
    setup = CycleSetup(cycle_id, started_ts, program, lot_ids, probes, policy or CyclePolicy())
    return CycleMachine(setup), start_events(setup)


def start_events(setup: CycleSetup) -> tuple[Event, ...]:
    """``CycleStarted``, and ``HoldJudgedOnBath`` when no reference (milk) probe exists."""
    program, policy, probes = setup.program, setup.policy, setup.probes
    judged = probes.judged_ids
    started = CycleStarted(
        setup.started_ts,
        setup.cycle_id,
        program=program.name,
        setpoint_c=program.setpoint_c,
        hold_s=program.hold_s,
        lots=",".join(setup.lot_ids),
        judged_probes=",".join(judged),
        judged_on_bath=probes.judged_on_bath,
        hold_policy=policy.hold_policy,
        gap_limit_s=policy.gap_limit_s,
        overshoot_limit_c=program.setpoint_c + policy.overshoot_margin_c,
        come_up_limit_s=policy.come_up_limit_s,
        cooling_target_c=policy.cooling_target_c,
        cooling_limit_s=policy.cooling_limit_s,
        settle_s=policy.settle_s,
        cooled_fail_below_c=program.setpoint_c - policy.cooling_fail_margin_c,
        come_up_warning_s=policy.come_up_warning_s,
    )
    if not probes.judged_on_bath:
        return (started,)
    why = "no reference (milk) probe configured: the hold is judged on the bath"
    return started, HoldJudgedOnBath(setup.started_ts, setup.cycle_id, judged[0], why)
