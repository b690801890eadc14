"""The serial driver reading the simulated lab of a shipped scenario, through a pty."""

import asyncio
import contextlib
import time
from collections import defaultdict
from pathlib import Path

from config.settings import settings_from_mapping
from drivers.serial_line import SerialLineReader
from drivers.sink import CollectingSink
from monitor.clock import ScaledClock
from monitor.reading import Quality
from simulator.frontends.serial_device import SerialFrontend
from simulator.lab import Lab
from simulator.models.probe import ProbeOutput
from simulator.runner import run_lab
from simulator.scenario import load_shipped_scenario


class RecordingLab:
    """The real lab, noting every value the front-end was given."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.given: dict[str, list[float]] = defaultdict(list)

    def probe_output(self, probe_id: str) -> ProbeOutput:
        output = self.lab.probe_output(probe_id)
        if output.value_c is not None:
            self.given[probe_id].append(output.value_c)
        return output

    def link_up(self, link_id: str) -> bool:
        return self.lab.link_up(link_id)


async def test_a_pasteurisation_cycle_read_over_serial(tmp_path: Path) -> None:
    settings = settings_from_mapping(
        {
            "serial": [{"id": "bench", "device": str(tmp_path / "ttyBENCH"), "silence_s": 120}],
            "probes": [
                {
                    "id": probe_id,
                    "source": {"kind": "serial", "line": "bench", "field": field},
                    "sample_period_s": 10.0,
                }
                for probe_id, field in (("P1-bath", "T1"), ("P1-ref", "T2"))
            ],
        }
    )
    clock = ScaledClock(speed=1200.0)  # twenty simulated minutes per second
    lab = RecordingLab(Lab(load_shipped_scenario("normal-day")))
    sink = CollectingSink()
    reader = SerialLineReader(settings.serial[0], settings.probes, sink, clock)
    lab_task = asyncio.create_task(run_lab(lab.lab, clock), name="lab")
    reader_task = asyncio.create_task(reader.run(), name="serial reader")
    try:
        async with SerialFrontend(settings, lab, clock):
            deadline = time.monotonic() + 10
            while lab.lab.sim_time_s < 15 * 60 or len(sink.for_probe("P1-ref")) < 30:
                assert time.monotonic() < deadline, "too few readings"
                await asyncio.sleep(0.05)
    finally:
        for task in (reader_task, lab_task):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    for probe_id in ("P1-bath", "P1-ref"):
        readings = sink.for_probe(probe_id)
        given = lab.given[probe_id]
        for r in readings:
            assert r.quality is Quality.OK
            # Printed with two decimals: every value read is one the lab gave, to 0.005 °C.
            assert min(abs(r.value - v) for v in given) <= 0.0051
        assert [r.ts for r in readings] == sorted(r.ts for r in readings)
    bath = [r.value for r in sink.for_probe("P1-bath")]
    assert bath[-1] > bath[0] + 10  # the cycle started at 5 min: the bath heats up
    assert reader.rejects.total() == 0
    assert reader.counters.open_failures == 0
