"""After the journal opens, the cold chain's readings are committed as promptly as events for
one cold interval (the first readings after a start reach InfluxDB within a second), then
wait for the cold bound again."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from monitor.journal import Journal, JournalOptions, JournalReader
from monitor.reading import Quality, Reading
from tests.monitor.journal.samples import T0, StepClock, device_key

STREAM = "enclosure:F1:2026-11-26"


def committed(path: Path) -> int:
    with JournalReader(path) as reader:
        return len([r for r in reader.stream_records(STREAM) if r.kind == "reading"])


def test_cold_readings_are_urgent_for_one_cold_interval_after_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]  # the commit bounds' real time, held by the test
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    path = tmp_path / "j.sqlite"
    options = JournalOptions(commit_interval_s=1.0, cold_commit_interval_s=10.0)
    with Journal(path, device_key(), StepClock(), options) as journal:
        now[0] += 0.5
        journal.append_reading(STREAM, Reading("F1-air", T0, 3.5, Quality.OK))
        journal.commit_when_due()
        assert committed(path) == 1

        now[0] += 10.5  # past the first cold interval: a reading waits for the cold bound
        journal.append_reading(STREAM, Reading("F1-air", T0 + 1, 3.6, Quality.OK))
        now[0] += 1.5
        journal.commit_when_due()
        assert committed(path) == 1
        now[0] += 9.0
        journal.commit_when_due()
        assert committed(path) == 2
