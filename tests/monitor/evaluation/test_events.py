"""Every event kind: stable kinds, flat payloads, and a coherent alarm meaning."""

from __future__ import annotations

import dataclasses
import re
import types
import typing

import pytest

from monitor.evaluation import cold_chain_events, daily, events
from monitor.evaluation.daily import DailySummary, DaySummarised
from monitor.evaluation.event_base import Effect, Event, Severity, event_kinds
from monitor.evaluation.verdict import CycleMetrics, CycleVerdict, Outcome

METRICS = CycleMetrics(1.0, 2.0, 3.0, 58.1, 60.2, 4.0, 1, 0, 5.0)
VERDICT = CycleVerdict(
    Outcome.FAIL, ("a", "b"), "holder58", 58.0, 3600.0, False, 1, 2, None, None, None, METRICS
)
SUMMARY = DailySummary("2024-03-01", 0, 10, 3, 1.0, 1, 4.0, 2, 2.5, 30.0, 5.0, 1, 0)
SAMPLES: dict[object, object] = {
    str: "x",
    int: 7,
    float: 1.5,
    bool: True,
    CycleVerdict: VERDICT,
    DailySummary: SUMMARY,
}


def concrete_events() -> list[type[Event]]:
    # each module defines its own events; a name it only imports is not counted twice
    found = [
        value
        for module in (events, cold_chain_events, daily)
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Event)
        and value.__module__ == module.__name__
    ]
    return [cls for cls in found if cls.kind != "event" and cls is not events.CycleClosed]


def sample(cls: type[Event]) -> Event:
    hints = typing.get_type_hints(cls)
    values: dict[str, typing.Any] = {}
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        if isinstance(hint, types.UnionType):
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        values[f.name] = SAMPLES[hint]
    return cls(**values)


EVENTS = concrete_events()


def test_every_kind_is_known_unique_and_snake_case() -> None:
    kinds = [cls.kind for cls in EVENTS]
    assert len(set(kinds)) == len(kinds)
    assert set(kinds) == {
        "reading_rejected",
        "cycle_refused",
        "cycle_started",
        "hold_judged_on_bath",
        "hold_started",
        "hold_settling",
        "hold_interrupted",
        "hold_interruption_ended",
        "hold_completed",
        "overshoot_started",
        "overshoot_ended",
        "come_up_slow",
        "come_up_slow_ended",
        "cooling_completed",
        "cycle_passed",
        "cycle_failed",
        "cycle_aborted",
        "unregistered_heating_started",
        "unregistered_heating_ended",
        "excursion_started",
        "excursion_alarmed",
        "excursion_ended",
        "day_summarised",
        "probe_stale_raised",
        "probe_stale_cleared",
        "probe_fault_raised",
        "probe_fault_cleared",
        "probe_stuck_raised",
        "probe_stuck_cleared",
        "calibration_overdue_raised",
        "calibration_overdue_cleared",
    }
    assert all(re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", k) for k in kinds)


@pytest.mark.parametrize("cls", EVENTS, ids=lambda c: c.kind)
def test_every_event_is_frozen_slotted_and_flat(cls: type[Event]) -> None:
    event = sample(cls)
    assert not hasattr(event, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.ts = 1  # type: ignore[misc]
    fields = event.fields()
    assert "ts" not in fields
    assert "kind" not in fields
    assert fields["subject"] == "x"
    assert all(v is None or type(v) in (str, int, float, bool) for v in fields.values())
    assert isinstance(event.severity, Severity)


@pytest.mark.parametrize("cls", EVENTS, ids=lambda c: c.kind)
def test_alarm_meaning_is_coherent(cls: type[Event]) -> None:
    event = sample(cls)
    if cls.condition is None:
        assert cls.effect is None
        assert event.alarm_key is None
        return
    assert cls.effect in (Effect.RAISE, Effect.CLEAR, Effect.PULSE)
    assert event.alarm_key == f"{cls.condition}:x"
    same = {c.effect for c in EVENTS if c.condition == cls.condition}
    if cls.effect is Effect.PULSE:
        assert same == {Effect.PULSE}
    else:
        assert same == {Effect.RAISE, Effect.CLEAR}  # every raised condition can be cleared
    if cls.effect is not Effect.CLEAR:
        assert cls.severity in (Severity.ALARM, Severity.WARNING)


def test_closing_events_inline_the_verdict() -> None:
    fields = events.CycleFailed(5, "C1", VERDICT).fields()
    assert fields["outcome"] == "fail"
    assert fields["reasons"] == "a; b"
    assert fields["hold_restarts"] == 1
    assert fields["hold_started_ts"] is None
    assert set(fields) == {"subject", *VERDICT.fields()}


def test_day_summary_event_inlines_the_summary() -> None:
    fields = DaySummarised(5, "F1", SUMMARY).fields()
    assert fields == {"subject": "F1", **dataclasses.asdict(SUMMARY)}


@pytest.mark.parametrize("cls", concrete_events(), ids=lambda c: c.kind)
def test_every_alarm_condition_declares_its_priority(cls: type[Event]) -> None:
    assert (cls.condition is None) == (cls.priority is None)


def test_the_highest_priority_goes_to_what_endangers_milk() -> None:
    from monitor.alarms import Priority

    critical = {c.condition for c in concrete_events() if c.priority is Priority.CRITICAL}
    assert critical == {"band", "cycle_failed", "hold_interrupted", "fault"}


def test_event_kinds_names_every_kind_the_rules_conclude_and_nothing_else() -> None:
    kinds = event_kinds()
    assert {cls.kind for cls in concrete_events()} <= kinds
    assert kinds - {cls.kind for cls in concrete_events()} <= {"event", events.CycleClosed.kind}
    assert "probe_availability" not in kinds
