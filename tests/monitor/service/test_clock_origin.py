"""An accelerated clock goes on where its journal stands: a restart in the same boot keeps
the recorded timeline, and a journal from an earlier boot is never left behind."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from monitor.clock import NS_PER_S, ScaledClock, SystemClock
from monitor.journal import Journal, generate_key_file, load_key_file
from monitor.service.clock_origin import continued_clock, record_clock_origin

SPEED = 300.0


def journal_at(tmp_path: Path, clock: ScaledClock) -> Journal:
    key = tmp_path / "device.key"
    if not key.exists():
        generate_key_file(key)
    return Journal(tmp_path / "journal.sqlite", load_key_file(key), clock)


def test_at_speed_one_the_clock_is_the_real_one(tmp_path: Path) -> None:
    assert isinstance(continued_clock(1.0, tmp_path / "journal.sqlite"), SystemClock)


def test_a_restart_takes_back_the_recorded_timeline(tmp_path: Path) -> None:
    first = ScaledClock(SPEED, origin_ns=1_780_000_000 * NS_PER_S)
    journal = journal_at(tmp_path, first)
    record_clock_origin(journal, first)
    journal.append_event("device", "note", {"text": "an hour in"}, ts=first.now_ns())
    journal.close()
    time.sleep(0.05)  # 15 simulated seconds
    again = continued_clock(SPEED, tmp_path / "journal.sqlite")
    assert isinstance(again, ScaledClock)
    assert again.origin_ns == first.origin_ns
    assert again.real_start == first.real_start
    assert abs(again.now_ns() - first.now_ns()) < NS_PER_S * SPEED * 0.05


def test_the_same_origin_is_recorded_once(tmp_path: Path) -> None:
    clock = ScaledClock(SPEED)
    journal = journal_at(tmp_path, clock)
    assert record_clock_origin(journal, clock) is not None
    assert record_clock_origin(journal, clock) is None
    journal.close()


def test_a_timeline_of_another_boot_goes_on_after_the_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    future = ScaledClock(SPEED, origin_ns=time.time_ns() + 3600 * NS_PER_S)
    journal = journal_at(tmp_path, future)
    record = record_clock_origin(journal, future)
    assert record is not None
    last = journal.append_event("device", "note", {"text": "late"}, ts=future.now_ns()).ts
    journal.close()
    # The recorded real start is kept only within one boot: another boot's is refused.
    monkeypatch.setattr("monitor.service.clock_origin.boot_id", lambda: "another-boot")
    again = continued_clock(SPEED, tmp_path / "journal.sqlite")
    assert again.now_ns() > last
