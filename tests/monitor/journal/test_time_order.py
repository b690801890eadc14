"""Time only goes forward in a stream: a stamp going back is an error, unless a recorded
clock step explains it (then a warning that names the step)."""

from __future__ import annotations

from pathlib import Path

from monitor.journal import Journal, verify_journal
from monitor.journal.verification import FindingKind
from monitor.reading import Quality, Reading
from tests.monitor.journal.samples import StepClock, device_key

S = 1_000_000_000
T0 = 1_795_680_000 * S
STREAM = "alarms"
KEY = device_key()


def journal_with_a_step_back(path: Path, recorded: bool) -> None:
    with Journal(path, KEY, StepClock(now=T0)) as journal:
        journal.append_event(STREAM, "alarm_raised", {"alarm": "band:F1"}, ts=T0 + 3600 * S)
        if recorded:
            fields = {"wall_before_ns": T0 + 3601 * S, "wall_after_ns": T0 + S, "step_s": -3600.0}
            journal.append_event("device", "clock_step", fields, ts=T0 + S)
        journal.append_event(STREAM, "alarm_acknowledged", {"alarm": "band:F1"}, ts=T0 + 2 * S)
        journal.append_reading(
            "enclosure:F1:2026-11-26", Reading("F1-air", T0 + 3 * S, 3.0, Quality.OK)
        )


def test_a_stamp_going_back_that_nothing_explains_is_an_error(tmp_path: Path) -> None:
    journal_with_a_step_back(tmp_path / "j.sqlite", recorded=False)
    report = verify_journal(tmp_path / "j.sqlite", KEY.public)
    assert not report.ok
    [finding] = [f for f in report.findings if f.kind is FindingKind.TIME_BACKWARDS]
    assert (finding.stream, finding.seq) == (STREAM, 2)


def test_a_recorded_clock_step_explains_it_as_a_warning(tmp_path: Path) -> None:
    journal_with_a_step_back(tmp_path / "j.sqlite", recorded=True)
    report = verify_journal(tmp_path / "j.sqlite", KEY.public)
    assert report.ok, report.format()
    [finding] = [f for f in report.findings if f.kind is FindingKind.CLOCK_STEP]
    assert "device#" in finding.message
