"""A step of the wall clock never blinds monitoring: stepped back an hour, readings are still
judged and alarmed; stepped forward a day, no probe is called silent; both on record, and
the journal still verifies, the step explaining the stamps that go back."""

from __future__ import annotations

from pathlib import Path

from monitor.clock import NS_PER_S
from monitor.journal import verify_journal
from monitor.journal.verification import FindingKind
from monitor.service.clock_watch import ClockStep
from tests.monitor.service.pipeline_lab import PipelineLab

COLD = {"F1-air": 3.0, "F2-air": 3.0, "Z1-air": -20.0}
HOUR = 3600 * NS_PER_S


def step(lab: PipelineLab, by_ns: int) -> None:
    before = lab.clock.now
    lab.clock.now += by_ns
    lab.pipeline.clock_stepped(ClockStep(before, lab.clock.now, 0.0, by_ns / NS_PER_S))


def test_stepped_back_an_hour_a_warm_fridge_still_alarms(tmp_path: Path) -> None:
    lab = PipelineLab(tmp_path)
    lab.run(5 * 60, 10, COLD)
    step(lab, -HOUR)
    lab.run(60, 10, {**COLD, "F1-air": 12.5})  # beyond the gross limit: at once
    assert lab.alarm("band:F1").condition_active
    rejected = [
        r
        for r in lab.of_kind("reading_rejected", "enclosure:")
        if r.ts >= lab.clock.now - 60 * NS_PER_S
    ]
    assert rejected == []
    steps = [r for r in lab.records("device") if r.kind == "clock_step"]
    assert steps[0].fields["step_s"] == -3600.0
    lab.close()
    report = verify_journal(lab.path, lab.key.public)
    assert report.ok, report.format()
    assert any(f.kind is FindingKind.CLOCK_STEP for f in report.findings)


def test_stepped_forward_a_day_no_probe_is_called_silent(tmp_path: Path) -> None:
    lab = PipelineLab(tmp_path)
    lab.run(5 * 60, 10, COLD)
    step(lab, 24 * HOUR)
    lab.run(20, 10, COLD)
    assert not {"stale:F1-air", "stale:F2-air", "stale:Z1-air"} & set(lab.states())
    lab.close()


def test_an_open_excursion_keeps_its_age_across_a_step(tmp_path: Path) -> None:
    lab = PipelineLab(tmp_path)
    lab.run(6 * 60, 10, {**COLD, "F1-air": 5.0})  # six of the ten minutes of delay
    step(lab, -HOUR)
    lab.run(3 * 60, 10, {**COLD, "F1-air": 5.0})
    assert not lab.alarm_active("band:F1")
    lab.run(2 * 60, 10, {**COLD, "F1-air": 5.0})
    assert lab.alarm_active("band:F1")
    lab.close()
