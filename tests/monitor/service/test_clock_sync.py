"""The clock's sync state comes from systemd-timesyncd's file where it runs (readable under the
unit's sandbox), else from the kernel; a site that requires it refuses without it."""

from __future__ import annotations

from pathlib import Path

from monitor.service.clock_sync import ClockSync, clock_synchronised, kernel_clock_synchronised


def test_timesyncd_says_synchronised_by_its_file(tmp_path: Path) -> None:
    timesync = tmp_path / "timesync"
    timesync.mkdir()
    assert clock_synchronised(timesync) is False
    (timesync / "synchronized").touch()
    assert clock_synchronised(timesync) is True


def test_without_timesyncd_the_kernel_is_asked(tmp_path: Path) -> None:
    assert clock_synchronised(tmp_path / "absent") == kernel_clock_synchronised()


def test_a_required_sync_refuses_when_unknown() -> None:
    assert ClockSync(True, lambda: None).synchronised() is False
    assert ClockSync(False, lambda: None).synchronised() is True


def test_chrony_is_asked_when_timesyncd_does_not_run(tmp_path: Path) -> None:
    def fake_chronyc(leap: str) -> str:
        script = tmp_path / f"chronyc-{leap.replace(' ', '_')}"
        fields = ",".join(["A9FEA97B", "ntp", "3", "1764748800.0", *["0.0"] * 9, leap])
        script.write_text(f"#!/bin/sh\necho '{fields}'\n")
        script.chmod(0o755)
        return str(script)

    absent = tmp_path / "no-timesync"
    assert clock_synchronised(absent, fake_chronyc("Normal")) is True
    assert clock_synchronised(absent, fake_chronyc("Not synchronised")) is False
