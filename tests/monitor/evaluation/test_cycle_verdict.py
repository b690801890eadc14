"""The verdict names the cause: every interruption, a probe fault, cooled milk, a slow come-up.

docs/RULES.md, How the hold is read from real probes, H7: milk that cools to 5 °C below the
setpoint before a complete hold has failed, at once, and the verdict names every
interruption, the first one first; each interruption is also its own alarm text. P11: the
setpoint must be reached within the come-up limit; a curve still short of it once half the
limit is spent is a warning (``come_up_slow``).
"""

from __future__ import annotations

import pytest

from monitor.alarms.model import Priority
from monitor.evaluation import CyclePolicy, Outcome, Phase, Severity, Tick
from monitor.evaluation.event_base import Effect
from monitor.evaluation.events import (
    ComeUpSlow,
    ComeUpSlowEnded,
    CycleFailed,
    HoldInterrupted,
)
from tests.monitor.evaluation.curves import FAULT, MIN, S, at, feed_all, flat, heated, new_cycle

SETPOINT = 58.0  # holder58; heated() starts the hold at 600 s


def test_a_failed_cycle_lists_every_interruption_the_first_first() -> None:
    cycle = new_cycle()
    heated(cycle)
    events = feed_all(cycle, [*flat(610, 1200, 58.5), at(1210, 57.5), *flat(1220, 1500, 58.5)])
    events += [e for t in range(1510, 1600, 10) for e in cycle.tick(t * S)]  # silent 100 s
    events += feed_all(cycle, flat(1600, 2000, 58.5))
    events += feed_all(cycle, [at(t, 3276.7, quality=FAULT) for t in range(2010, 2070, 10)])
    events += feed_all(cycle, [*flat(2070, 2400, 58.5), at(2410, 56.0), at(2420, 52.0)])
    breaks = [e for e in events if isinstance(e, HoldInterrupted)]
    assert [b.cause for b in breaks] == ["dip", "gap", "fault", "dip"]
    failed = events[-1]
    assert isinstance(failed, CycleFailed)
    assert failed.ts == 2420 * S  # at once, not when the 90-min recovery limit runs out
    headline, *entries = failed.verdict.reasons
    assert headline == (
        "cooled before the hold was complete: probe ref read 52.00 °C < 53.00 °C "
        "(setpoint 58.00 °C − 5 °C)"
    )
    assert len(entries) == 4
    for entry, interrupted in zip(entries, breaks, strict=True):
        assert entry.startswith(interrupted.reason)  # the alarm's own text, first first
    assert entries[0].startswith("hold interrupted at 0:20:10 after 0:10:10 of hold")
    assert "probe ref read 57.50 °C < setpoint 58.00 °C" in entries[0]
    assert "no valid data from probe ref for more than 0:00:30" in entries[1]
    assert entries[1].endswith("(valid data back after 0:01:40)")
    assert "probe ref faulty (fault value 3276.7)" in entries[2]
    assert entries[2].endswith("(valid data back after 0:01:10)")
    assert entries[3].endswith("(lowest 52.00 °C)")
    joined = failed.fields()["reasons"]
    assert isinstance(joined, str)
    assert joined.split("; ") == [headline, *entries]  # the record's reasons split back whole


@pytest.mark.parametrize(("value", "fails"), [(53.0, False), (52.99, True)])
def test_cooled_means_below_the_setpoint_minus_5(value: float, fails: bool) -> None:
    cycle = new_cycle()
    heated(cycle)
    feed_all(cycle, [*flat(610, 900, 58.5), at(910, 56.0)])
    events = cycle.feed(at(920, value))
    assert bool(events) is fails
    assert cycle.closed is fails
    if fails:
        assert [e.kind for e in events] == ["hold_interruption_ended", "cycle_failed"]
        assert not events[0].recovered  # type: ignore[attr-defined]
        assert cycle.feed(at(930, 60.0)) == ()  # heating the milk again is a new cycle


def test_the_cooling_fail_margin_is_a_parameter() -> None:
    cycle = new_cycle(policy=CyclePolicy(cooling_fail_margin_c=2.0))
    heated(cycle)
    events = feed_all(cycle, [*flat(610, 900, 58.5), at(910, 55.99)])
    assert events[-1].kind == "cycle_failed"
    assert "< 56.00 °C (setpoint 58.00 °C − 2 °C)" in cycle.verdict.reasons[0]  # type: ignore[union-attr]


def test_milk_still_heating_has_not_cooled() -> None:
    cycle = new_cycle()
    assert feed_all(cycle, flat(0, 1200, 20.0)) == []
    assert cycle.phase is Phase.HEATING


def test_cooled_while_settling_fails_too() -> None:
    cycle = new_cycle()
    heated(cycle)  # 58.5 at 600 s
    events = feed_all(cycle, [at(610, 57.9), at(620, 50.0)])
    assert [e.kind for e in events] == ["hold_settling", "cycle_failed"]
    headline, settling = cycle.verdict.reasons  # type: ignore[union-attr]
    assert headline.startswith("cooled before the hold was complete")
    assert settling.startswith("hold settling at 0:10:10")


def test_under_policy_fail_the_verdict_names_the_interruption() -> None:
    cycle = new_cycle(policy=CyclePolicy(hold_policy="fail"))
    heated(cycle)
    feed_all(cycle, [*flat(610, 900, 58.5), at(910, 57.5)])
    verdict = cycle.verdict
    assert verdict is not None
    assert verdict.outcome is Outcome.FAIL
    headline, dip = verdict.reasons
    assert headline == "hold interrupted at 0:15:10 under hold policy 'fail'"
    assert dip.startswith("hold interrupted at 0:15:10 after 0:05:10 of hold: probe ref read")


def test_an_expired_recovery_names_the_interruptions_too() -> None:
    cycle = new_cycle()
    heated(cycle)
    feed_all(cycle, [*flat(610, 790, 58.5), at(800, 57.0)])
    cycle.tick(800 * S + 90 * MIN + 1)
    headline, dip = cycle.verdict.reasons  # type: ignore[union-attr]
    assert headline.startswith("hold not resumed within 1:30:00 of its interruption at 0:13:20")
    assert dip.startswith("hold interrupted at 0:13:20")


def test_a_gap_that_never_ends_says_so() -> None:
    cycle = new_cycle(policy=CyclePolicy(hold_policy="fail"))
    heated(cycle)
    feed_all(cycle, flat(610, 900, 58.5))
    cycle.tick(931 * S)
    assert cycle.verdict.reasons[1].endswith("(no valid data again before the verdict)")  # type: ignore[union-attr]


# -- a slow come-up ----------------------------------------------------------------------------


@pytest.mark.parametrize(("tick_ns", "warns"), [(45 * MIN, False), (45 * MIN + 1, True)])
def test_a_come_up_still_short_at_half_its_limit_is_a_warning(tick_ns: int, warns: bool) -> None:
    cycle = new_cycle()
    feed_all(cycle, flat(0, 2690, 50.0))
    events = cycle.step(Tick(tick_ns))
    assert bool(events) is warns
    if warns:
        (slow,) = events
        assert isinstance(slow, ComeUpSlow)
        assert (slow.alarm_key, slow.effect, slow.severity) == (
            "come_up_slow:C1",
            Effect.RAISE,
            Severity.WARNING,
        )
        assert slow.priority is Priority.MEDIUM
        assert slow.elapsed_s == pytest.approx(2700.0)
        assert (slow.limit_s, slow.coldest_c) == (5400.0, 50.0)
        assert "half of the 1:30:00 come-up limit" in slow.reason


def test_the_slow_come_up_warning_clears_when_the_setpoint_is_reached() -> None:
    cycle = new_cycle()
    feed_all(cycle, flat(0, 3000, 50.0))
    events = cycle.feed(at(3010, 58.0))
    assert [e.kind for e in events] == ["come_up_slow_ended", "hold_started"]
    ended = events[0]
    assert isinstance(ended, ComeUpSlowEnded)
    assert (ended.since_ts, ended.reached, ended.effect) == (2710 * S, True, Effect.CLEAR)


def test_the_slow_come_up_warning_clears_when_the_cycle_closes() -> None:
    cycle = new_cycle()
    feed_all(cycle, flat(0, 3000, 50.0))
    events = cycle.tick(90 * MIN + 1)
    assert [e.kind for e in events] == ["come_up_slow_ended", "cycle_failed"]
    assert events[0].reached is False  # type: ignore[attr-defined]


def test_a_come_up_already_failed_gives_no_warning() -> None:
    cycle = new_cycle()
    cycle.feed(at(0, 20.0))
    assert [e.kind for e in cycle.tick(91 * MIN)] == ["cycle_failed"]
