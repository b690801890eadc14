"""The serial driver against the simulator's serial front-end, over a real pseudo-terminal."""

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings, settings_from_mapping
from drivers.line_format import LINE_TOO_LONG, NOT_A_NUMBER, NOT_PRINTABLE, UNKNOWN_KEY
from drivers.serial_line import SerialLineReader
from drivers.sink import CollectingSink
from monitor.clock import SystemClock
from monitor.reading import Quality
from simulator.frontends.serial_device import SerialFrontend, SerialLineSimulator
from simulator.models.probe import ProbeFaultKind, ProbeOutput
from tests.fixtures.waiting import eventually

SERIAL_WAIT_S = 5.0

DRIVER_LOG = "test.serial.driver"


class FakeLab:
    """Probe outputs and link states set by the test."""

    def __init__(self, outputs: dict[str, ProbeOutput], links: tuple[str, ...] = ()) -> None:
        self.outputs = outputs
        self.links = set(links)
        self.down: set[str] = set()

    def probe_output(self, probe_id: str) -> ProbeOutput:
        return self.outputs[probe_id]

    def link_up(self, link_id: str) -> bool:
        if link_id not in self.links:
            raise LookupError(link_id)
        return link_id not in self.down


def make_settings(tmp_path: Path, **line: Any) -> Settings:
    return settings_from_mapping(
        {
            "serial": [
                {
                    "id": "bench",
                    "device": str(tmp_path / "ttyBENCH"),
                    "silence_s": 0.5,
                    "backoff": {"initial_s": 0.05, "max_s": 0.2},
                    **line,
                }
            ],
            "probes": [
                {
                    "id": "ref2",
                    "source": {"kind": "serial", "line": "bench", "field": "T1"},
                    "sample_period_s": 0.05,
                    "stale_after_periods": 4,
                },
                {
                    "id": "bottle2",
                    "source": {"kind": "serial", "line": "bench", "field": "T2"},
                    "sample_period_s": 0.05,
                    "stale_after_periods": 4,
                    "unit": "F",
                },
            ],
        }
    )


@contextlib.asynccontextmanager
async def reading(reader: SerialLineReader) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(reader.run(), name="serial reader under test")
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def reader_for(settings: Settings, sink: CollectingSink) -> SerialLineReader:
    return SerialLineReader(
        settings.serial[0],
        settings.probes,
        sink,
        SystemClock(),
        logger=logging.getLogger(DRIVER_LOG),
    )


async def test_values_read_over_a_pty_match_what_the_simulator_wrote(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    lab = FakeLab({"ref2": ProbeOutput(62.48), "bottle2": ProbeOutput(4.0)})
    sink = CollectingSink()
    reader = reader_for(settings, sink)
    clock = SystemClock()
    before = clock.now_ns()
    async with SerialFrontend(settings, lab, clock), reading(reader):
        await eventually(lambda: len(sink.for_probe("bottle2")) >= 3, SERIAL_WAIT_S)
    after = clock.now_ns()
    for probe_id, expected in (("ref2", 62.48), ("bottle2", 4.0)):
        readings = sink.for_probe(probe_id)
        assert readings
        for r in readings:
            assert r.value == pytest.approx(expected, abs=0.01)
            assert r.quality is Quality.OK
            assert before <= r.ts <= after
    assert sink.for_probe("bottle2")[0].raw == pytest.approx(39.2)  # printed in °F
    assert reader.rejects.total() == 0
    assert not (tmp_path / "ttyBENCH").exists()


async def test_regex_lines_are_served_and_read(tmp_path: Path) -> None:
    pattern = r"A:\s*(?P<T1>-?\d+\.\d+)\s+B:\s*(?P<T2>-?\d+\.\d+)\s*F?"
    settings = make_settings(tmp_path, format="regex", pattern=pattern)
    lab = FakeLab({"ref2": ProbeOutput(63.1), "bottle2": ProbeOutput(-18.5)})
    sink = CollectingSink()
    reader = reader_for(settings, sink)
    async with SerialFrontend(settings, lab, SystemClock()), reading(reader):
        await eventually(lambda: len(sink.for_probe("bottle2")) >= 2, SERIAL_WAIT_S)
    assert sink.for_probe("ref2")[-1].value == pytest.approx(63.1)
    assert sink.for_probe("bottle2")[-1].value == pytest.approx(-18.5, abs=0.01)
    assert reader.rejects.total() == 0


async def test_faults_from_the_lab_reach_the_driver_as_faults(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=DRIVER_LOG)
    settings = make_settings(tmp_path)
    lab = FakeLab({"ref2": ProbeOutput(62.0), "bottle2": ProbeOutput(4.0)})
    sink = CollectingSink()
    reader = reader_for(settings, sink)
    async with SerialFrontend(settings, lab, SystemClock()), reading(reader):
        await eventually(lambda: reader.tracker.is_available("ref2"), SERIAL_WAIT_S)
        lab.outputs["ref2"] = ProbeOutput(None, ProbeFaultKind.DEVICE_EXCEPTION)
        lab.outputs["bottle2"] = ProbeOutput(3276.7, ProbeFaultKind.OPEN_CIRCUIT)
        await eventually(lambda: not reader.tracker.is_available("ref2"), SERIAL_WAIT_S)
        await eventually(
            lambda: sink.for_probe("bottle2")[-1].quality is Quality.FAULT, SERIAL_WAIT_S
        )
        lab.outputs["bottle2"] = ProbeOutput(None, ProbeFaultKind.NO_ANSWER)
        await eventually(lambda: not reader.tracker.is_available("bottle2"), SERIAL_WAIT_S)
    assert sink.for_probe("bottle2")[-1].detail == "fault value 3276.7"
    down = {c.probe_id: c.reason for c in sink.changes if not c.available}
    assert down["ref2"] == "device reports 'ERR' for T1"
    assert down["bottle2"].startswith("no data for")
    assert reader.counters.device_errors >= 1
    assert reader.rejects.total() == 0


async def test_link_down_silences_the_line_and_the_port_is_reopened(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=DRIVER_LOG)
    settings = make_settings(tmp_path, silence_s=0.3)
    lab = FakeLab({"ref2": ProbeOutput(62.0), "bottle2": ProbeOutput(4.0)}, links=("bench",))
    sink = CollectingSink()
    reader = reader_for(settings, sink)
    async with SerialFrontend(settings, lab, SystemClock()), reading(reader):
        await eventually(lambda: reader.tracker.is_available("ref2"), SERIAL_WAIT_S)
        lab.down.add("bench")
        await eventually(lambda: reader.counters.opens >= 3, SERIAL_WAIT_S)
        assert not reader.tracker.is_available("ref2")
        lab.down.clear()
        await eventually(lambda: reader.tracker.is_available("ref2"), SERIAL_WAIT_S)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == ["serial line bench: nothing received for 0.3 s; retrying in 0.05 s"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings.count("serial line bench: receiving again") == 1
    assert warnings.count("probe ref2: available again") == 1


async def test_a_vanished_port_is_reopened_with_backoff(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=DRIVER_LOG)
    settings = make_settings(tmp_path)
    lab = FakeLab({"ref2": ProbeOutput(62.0), "bottle2": ProbeOutput(4.0)})
    sink = CollectingSink()
    reader = reader_for(settings, sink)
    clock = SystemClock()
    async with reading(reader):
        async with SerialFrontend(settings, lab, clock):
            await eventually(lambda: reader.tracker.is_available("ref2"), SERIAL_WAIT_S)
        # Unplugged: the pty is closed and its link removed.
        await eventually(lambda: reader.counters.open_failures >= 3, SERIAL_WAIT_S)
        assert not reader.tracker.is_available("ref2")
        lab.outputs["ref2"] = ProbeOutput(70.0)
        async with SerialFrontend(settings, lab, clock):
            await eventually(lambda: sink.for_probe("ref2")[-1].value > 69, SERIAL_WAIT_S)
    messages = [(r.levelno, r.getMessage()) for r in caplog.records]
    errors = [m for level, m in messages if level == logging.ERROR]
    assert len(errors) == 2, errors  # the port failing, then the first failed reopening
    assert "ttyBENCH" in errors[0]
    assert errors[1].startswith(f"serial line bench: cannot open {tmp_path / 'ttyBENCH'}")
    for probe_id in ("ref2", "bottle2"):
        assert sum(m.startswith(f"probe {probe_id}: unavailable") for _, m in messages) == 1
        assert sum(m == f"probe {probe_id}: available again" for _, m in messages) == 1


async def test_garbage_is_counted_and_logged_and_good_readings_keep_flowing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=DRIVER_LOG)
    settings = make_settings(tmp_path)
    lab = FakeLab({"ref2": ProbeOutput(62.48), "bottle2": ProbeOutput(4.0)})
    sink = CollectingSink()
    reader = reader_for(settings, sink)
    hand_written = [
        b"\x00\x01\x02\xff\xfe\r\n",  # binary noise
        b"T1=62.4\x008;T2=39.20\r\n",  # a NUL inside a value
        b"T1=abc;T2=39.20\r\n",  # one bad value, one good
        b"T7=1.0\r\n",  # unknown key
        b"9" * 600 + b"\r\n",  # longer than max_line_bytes
        b"\xef\xbb\xbfT1=62.48\r\n",  # a UTF-8 byte order mark
    ]
    async with SerialFrontend(settings, lab, SystemClock(), garbage_every=2) as frontend:
        simulator = frontend.lines["bench"]
        async with reading(reader):
            await eventually(lambda: reader.counters.accepted >= 2, SERIAL_WAIT_S)
            for garbage in hand_written * 20:
                simulator.inject(garbage)
            accepted = reader.counters.accepted
            await eventually(
                lambda: reader.rejects.total(reason=LINE_TOO_LONG) >= 20, SERIAL_WAIT_S
            )
            await eventually(lambda: reader.counters.accepted >= accepted + 20, SERIAL_WAIT_S)
    assert reader.rejects.total(reason=NOT_PRINTABLE) >= 60
    assert reader.rejects.total(reason=NOT_A_NUMBER) >= 20
    assert reader.rejects.total(reason=UNKNOWN_KEY) >= 20
    assert all(r.value == pytest.approx(62.48) for r in sink.for_probe("ref2"))
    assert all(r.value == pytest.approx(4.0, abs=0.01) for r in sink.for_probe("bottle2"))
    logged = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert any("(not printable ASCII)" in m for m in logged)
    assert any("(line too long): longer than 512 bytes" in m for m in logged)
    # Rate-limited: the first of each kind, then one summary of each when the reader stops.
    firsts = [m for m in logged if ": rejected (" in m]
    assert len(firsts) <= 6
    assert len(logged) - len(firsts) <= 6
    assert simulator.counters.garbage >= 120


async def test_the_last_window_of_rejects_is_logged_when_the_reader_stops(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=DRIVER_LOG)
    reader = reader_for(make_settings(tmp_path), CollectingSink())
    async with reading(reader):
        # running, with no port
        await eventually(lambda: reader.counters.open_failures >= 1, SERIAL_WAIT_S)
        for value in (b"abc", b"def", b"ghi"):
            reader.handle_line(b"T1=" + value, time.time_ns())
    logged = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert logged[0].startswith("serial line bench: rejected (not a number): ")
    assert logged[-1].startswith("serial line bench: 2 rejected (not a number) in the last ")
    assert logged[-1].endswith("latest: T1='ghi'")


async def test_old_bytes_buffered_before_the_port_was_opened_are_not_read(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    lab = FakeLab({"ref2": ProbeOutput(10.0), "bottle2": ProbeOutput(4.0)})
    simulator = SerialLineSimulator(settings.serial[0], settings.probes, lab, SystemClock())
    simulator.open()
    try:
        for _ in range(5):
            simulator.write_period()  # nobody listening yet: these are old values
        lab.outputs["ref2"] = ProbeOutput(20.0)
        sink = CollectingSink()
        reader = reader_for(settings, sink)
        async with reading(reader):
            await eventually(lambda: reader.counters.opens == 1, SERIAL_WAIT_S)
            for _ in range(3):
                simulator.write_period()
            await eventually(lambda: len(sink.for_probe("ref2")) >= 2, SERIAL_WAIT_S)
        assert {r.value for r in sink.for_probe("ref2")} == {20.0}
    finally:
        simulator.close()


def test_a_reader_reads_only_the_probes_of_its_line(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    other = settings.probes[0].model_copy(
        update={
            "id": "elsewhere",
            "source": settings.probes[0].source.model_copy(update={"line": "x"}),
        }
    )
    reader = SerialLineReader(
        settings.serial[0], [*settings.probes, other], CollectingSink(), SystemClock()
    )
    assert [p.id for p in reader.probes] == ["ref2", "bottle2"]
    assert os.fspath(reader.line.device).endswith("ttyBENCH")


def test_a_line_silence_shorter_than_two_periods_is_raised_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=DRIVER_LOG)
    reader = reader_for(make_settings(tmp_path, silence_s=0.09), CollectingSink())
    assert reader.silence_s == 0.1
    assert [r.getMessage() for r in caplog.records] == [
        "serial line bench: silence_s 0.09 s is shorter than two sample periods of probe ref2; "
        "using 0.1 s"
    ]
