import asyncio
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings, settings_from_mapping
from monitor.clock import SystemClock
from simulator.frontends.serial_device import SerialFrontend, SerialLineSimulator
from simulator.models.probe import ProbeFaultKind, ProbeOutput


class FakeLab:
    def __init__(self, outputs: dict[str, ProbeOutput]) -> None:
        self.outputs = outputs
        self.up = True

    def probe_output(self, probe_id: str) -> ProbeOutput:
        return self.outputs[probe_id]

    def link_up(self, link_id: str) -> bool:
        if link_id != "bench":
            raise LookupError(link_id)
        return self.up


def make_settings(device: Path, **line: Any) -> Settings:
    serial_probe = {"kind": "serial", "line": "bench"}
    return settings_from_mapping(
        {
            "serial": [{"id": "bench", "device": str(device), **line}],
            "probes": [
                {"id": "a", "source": {**serial_probe, "field": "T1"}, "sample_period_s": 2},
                {"id": "b", "source": {**serial_probe, "field": "T2"}, "sample_period_s": 1},
            ],
        }
    )


@contextlib.contextmanager
def simulated(device: Path, lab: FakeLab, **options: Any) -> Iterator[SerialLineSimulator]:
    settings = make_settings(device)
    simulator = SerialLineSimulator(
        settings.serial[0], settings.probes, lab, SystemClock(), **options
    )
    simulator.open()
    try:
        yield simulator
    finally:
        simulator.close()


def read_all(device: Path) -> bytes:
    fd = os.open(device, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    data = b""
    try:
        while True:
            data += os.read(fd, 65536)
    except BlockingIOError:
        return data
    finally:
        os.close(fd)


def test_each_period_prints_one_line_with_the_lab_values_and_faults(tmp_path: Path) -> None:
    device = tmp_path / "ttyBENCH"
    lab = FakeLab({"a": ProbeOutput(62.48), "b": ProbeOutput(61.9)})
    with simulated(device, lab) as simulator:
        assert os.readlink(device).startswith("/dev/pts/")
        assert simulator.period_s == 1  # the fastest probe of the line
        simulator.write_period()
        lab.outputs["a"] = ProbeOutput(None, ProbeFaultKind.DEVICE_EXCEPTION)
        lab.outputs["b"] = ProbeOutput(3276.7, ProbeFaultKind.OPEN_CIRCUIT)
        simulator.write_period()
        lab.outputs["a"] = ProbeOutput(None, ProbeFaultKind.NO_ANSWER)
        simulator.write_period()
        lab.outputs["b"] = ProbeOutput(None, ProbeFaultKind.NO_ANSWER)
        simulator.write_period()  # nothing to say: nothing printed
        lab.outputs["b"] = ProbeOutput(1.0)
        lab.up = False
        simulator.write_period()  # link down: nothing at all
        assert read_all(device) == b"T1=62.48;T2=61.90\r\nT1=ERR;T2=3276.70\r\nT2=3276.70\r\n"
        assert simulator.counters.lines == 3
        assert simulator.counters.silent_periods == 2
    assert not device.exists()
    assert not device.is_symlink()


def test_injected_and_generated_garbage(tmp_path: Path) -> None:
    device = tmp_path / "ttyBENCH"
    lab = FakeLab({"a": ProbeOutput(1.0), "b": ProbeOutput(2.0)})
    with simulated(device, lab, garbage_every=1, seed=3) as simulator:
        simulator.inject(b"\x00\xffnoise")
        for _ in range(4):
            simulator.write_period()
        written = read_all(device)
    assert simulator.counters.dropped == 0
    assert written.startswith(b"\x00\xffnoise")
    assert written.count(b"T1=1.00;T2=2.00\r\n") == 4
    assert simulator.counters.garbage == 5
    assert len(written.split(b"\r\n")) > 8  # a garbage line before every good one


def test_with_nobody_reading_lines_are_dropped_not_blocked(tmp_path: Path) -> None:
    lab = FakeLab({"a": ProbeOutput(1.0), "b": ProbeOutput(2.0)})
    with simulated(tmp_path / "ttyBENCH", lab) as simulator:
        for _ in range(2000):
            simulator.write_period()
    assert simulator.counters.dropped > 0
    assert simulator.counters.lines == 2000


def test_never_replaces_what_is_not_an_old_simulator_link(tmp_path: Path) -> None:
    lab = FakeLab({"a": ProbeOutput(1.0), "b": ProbeOutput(2.0)})
    regular = tmp_path / "ttyUSB0"
    regular.write_text("a real device's place")
    with (
        pytest.raises(FileExistsError, match="exists and is not a simulated serial device"),
        simulated(regular, lab),
    ):
        pass
    other = tmp_path / "ttyOther"
    other.symlink_to(regular)
    with pytest.raises(FileExistsError, match="not to a pseudo-terminal"), simulated(other, lab):
        pass
    with (
        pytest.raises(FileNotFoundError, match=r"directory .* does not exist"),
        simulated(tmp_path / "missing" / "tty", lab),
    ):
        pass
    assert regular.read_text() == "a real device's place"
    stale = tmp_path / "ttyStale"
    stale.symlink_to("/dev/pts/999")
    with simulated(stale, lab):
        assert os.readlink(stale) != "/dev/pts/999"


def test_frontend_serves_the_lines_that_have_probes(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "ttyBENCH")
    lab = FakeLab({"a": ProbeOutput(1.0), "b": ProbeOutput(2.0)})
    assert list(SerialFrontend(settings, lab, SystemClock()).lines) == ["bench"]
    with pytest.raises(ValueError, match="probe a of a serial line is not in the simulated lab"):
        SerialFrontend(settings, FakeLab({"b": ProbeOutput(2.0)}), SystemClock())


async def test_frontend_creates_links_on_entry_and_removes_them_on_exit(tmp_path: Path) -> None:
    device = tmp_path / "ttyBENCH"
    lab = FakeLab({"a": ProbeOutput(1.0), "b": ProbeOutput(2.0)})
    async with SerialFrontend(make_settings(device), lab, SystemClock()):
        assert device.is_symlink()
    assert not device.is_symlink()


async def test_run_makes_the_links_before_its_first_wait(tmp_path: Path) -> None:
    device = tmp_path / "ttyBENCH"
    lab = FakeLab({"a": ProbeOutput(1.0), "b": ProbeOutput(2.0)})
    task = asyncio.create_task(SerialFrontend(make_settings(device), lab, SystemClock()).run())
    try:
        await asyncio.sleep(0)
        assert device.is_symlink()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert not device.is_symlink()
