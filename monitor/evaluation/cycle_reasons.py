"""The words of a cycle's alarms and verdict: interruptions, expired limits, cooled milk.

docs/RULES.md, How the hold is read from real probes, H7: the verdict of a failed cycle names
its cause first, then every interruption of the hold, the first one first, each in the words
of its own alarm (``HoldInterrupted.reason``; a settling dip in those of ``HoldSettling``),
completed with what was learnt after the alarm: how low a dip went, how long a gap or a
probe fault lasted. Times are told from the cycle's start, as read on a curve (``h:mm:ss``).
No text holds ``"; "``: the verdict's record joins its reasons with it, reports split there.
"""

from __future__ import annotations

from monitor.evaluation.cycle_setup import CycleSetup, CycleState
from monitor.evaluation.event_base import FieldValue
from monitor.evaluation.text import celsius, clock_text, to_ns

Interruption = dict[str, FieldValue]
"""One interruption as ``CycleState`` keeps it: ``text`` (its alarm's words), ``cause``
(``dip``, ``gap`` or ``fault``), ``probe``, ``value_c``, ``lowest_c``, ``since_ts``,
``back_ts`` (the silent probe's first valid reading again, or None) and ``settling``."""


def dip_what(probe_id: str, value: float, setpoint: float) -> str:
    return f"probe {probe_id} read {celsius(value)} < setpoint {celsius(setpoint)}"


def gap_what(probe_id: str, gap_ns: int) -> str:
    return f"no valid data from probe {probe_id} for more than {clock_text(gap_ns)}"


def fault_what(probe_id: str, detail: str, gap_ns: int) -> str:
    return f"probe {probe_id} faulty ({detail}): no valid data for more than {clock_text(gap_ns)}"


def interruption_text(at_ns: int, held_ns: int, what: str) -> str:
    """An interruption's alarm text; ``at_ns`` is counted from the cycle's start."""
    return f"hold interrupted at {clock_text(at_ns)} after {clock_text(held_ns)} of hold: {what}"


def settling_text(at_ns: int, held_ns: int, what: str, settle_ns: int) -> str:
    """A settling dip's record: the timer restarts, nothing is raised.

    docs/RULES.md, How the hold is read from real probes, H6.
    """
    at, held, settle = clock_text(at_ns), clock_text(held_ns), clock_text(settle_ns)
    return (
        f"hold settling at {at} after {held} of hold: {what} (within {settle} of the first "
        "crossing: the timer restarts, no alarm)"
    )


def verdict_entry(record: Interruption) -> str:
    """An interruption as the verdict lists it: its alarm text, and how it turned out."""
    text = str(record["text"])
    if record["cause"] == "dip":
        lowest, value = _number(record.get("lowest_c")), _number(record.get("value_c"))
        if lowest is not None and value is not None and lowest < value:
            return f"{text} (lowest {celsius(lowest)})"
        return text
    back, since = record.get("back_ts"), record.get("since_ts")
    if isinstance(back, int) and isinstance(since, int):
        return f"{text} (valid data back after {clock_text(back - since)})"
    return f"{text} (no valid data again before the verdict)"


def fail_policy_text(at_ns: int) -> str:
    """Why a cycle under hold policy ``fail`` failed.

    docs/RULES.md, How the hold is read from real probes, H2.
    """
    return f"hold interrupted at {clock_text(at_ns)} under hold policy 'fail'"


def cooled_text(probe_id: str, value: float, setpoint: float, margin_c: float) -> str:
    """Why milk that cooled before a complete hold failed.

    docs/RULES.md, How the hold is read from real probes, H7.
    """
    limit = celsius(setpoint - margin_c)
    return (
        f"cooled before the hold was complete: probe {probe_id} read {celsius(value)} < {limit} "
        f"(setpoint {celsius(setpoint)} − {margin_c:g} °C)"
    )


def come_up_slow_text(setup: CycleSetup, state: CycleState, elapsed_ns: int) -> str:
    """The warning of a come-up still short of the setpoint past half its limit (P11)."""
    setpoint = celsius(setup.program.setpoint_c)
    limit = clock_text(to_ns(setup.policy.come_up_limit_s))
    what = f"setpoint {setpoint} not reached {clock_text(elapsed_ns)} after the start: half of "
    return what + f"the {limit} come-up limit is spent" + last_values_text(setup, state)


def late_text(setup: CycleSetup, state: CycleState, limit: str) -> str:
    """The failure reason of an expired time limit: ``come_up``, ``recovery``, ``cooling``."""
    policy, setpoint = setup.policy, setup.program.setpoint_c
    if limit == "cooling":
        within = clock_text(to_ns(policy.cooling_limit_s))
        what = f"milk not below {celsius(policy.cooling_target_c)} within {within} of the end "
        what += "of the hold"
    else:
        within = clock_text(to_ns(policy.come_up_limit_s))
        what = f"setpoint {celsius(setpoint)} not reached within {within} of the start"
        if limit == "recovery" and state.interrupted_since_ts is not None:
            at = clock_text(state.interrupted_since_ts - state.started_ts)
            what = f"hold not resumed within {within} of its interruption at {at}"
    return what + last_values_text(setup, state)


def last_values_text(setup: CycleSetup, state: CycleState) -> str:
    """Why the proof is missing, for a reason: silent probes, else the last values."""
    judged = setup.probes.judged_ids
    silent = [p for p in judged if p not in state.evidence_ts]
    if silent:
        return f" (no valid data from probe {', '.join(silent)})"
    values = ", ".join(f"{p} {celsius(state.latest_c[p])}" for p in judged)
    return f" (last reading: {values})"


def _number(value: FieldValue) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
