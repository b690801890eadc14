"""A daemon behind its broker: no false stale alarm, the real ones still, and the overload alarm.

``Broker`` plays Mosquitto's queue for the daemon: the lab's three MQTT sensors publish every
10 s, the driver's lag markers (``WatermarkLedger``, the real one) join the queue every
second, and the daemon reads the queue only ``lag_s`` behind, stamping each message when it
reads it, as the driver does. The ticker ticks every second on the daemon's clock whatever
the backlog (docs/RULES.md, F4 and F9).
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest

from drivers.mqtt_watermark import WatermarkLedger
from monitor.clock import NS_PER_S
from monitor.reading import Quality, Reading
from monitor.service.clock_watch import ClockStep
from monitor.service.overload import OVERLOAD_KEY
from monitor.service.queue_sink import Shed
from monitor.service.status import status_json
from tests.monitor.service.pipeline_lab import T0, PipelineLab

MQTT = {"F1-air": 3.0, "F2-air": 3.5, "Z1-air": -19.0}
STALE = [f"stale:{p}" for p in MQTT]


class Synchronised:
    def synchronised(self) -> bool:
        return True


class Broker:
    """The broker's queue for the daemon, and the daemon reading it ``lag_s`` behind."""

    def __init__(self, lab: PipelineLab) -> None:
        self.lab = lab
        self.real_s = 0.0  # the machine's monotonic clock: a second a step, whatever the wall's
        self.ledger = WatermarkLedger("unit", real=lambda: self.real_s)
        self.ledger.start_session()
        lab.pipeline.input.attach("mqtt", self.ledger)
        self.queue: deque[tuple[float, str, bytes | float]] = deque()  # real time sent
        self.lag_s = 0.0
        self.stopped: set[str] = set()
        self.lags: list[float] = []

    def run(self, seconds: int) -> None:
        for _ in range(seconds):
            lab = self.lab
            now = lab.clock.now
            if (now - T0) // NS_PER_S % 10 == 0:
                for probe, value in MQTT.items():
                    if probe not in self.stopped:
                        self.queue.append((self.real_s, probe, value))
            self.queue.append((self.real_s, "", self.ledger.stamp(now)))
            read = 0  # a microsecond per message read: stamps as distinct as the driver's
            while self.queue and self.queue[0][0] <= self.real_s - self.lag_s:
                _, probe, item = self.queue.popleft()
                stamp = now + read * 1000
                read += 1
                if isinstance(item, bytes):
                    mark = self.ledger.returned(item, stamp)
                    assert mark is not None
                    lab.pipeline.on_watermark(mark)
                else:
                    lab.pipeline.on_reading(Reading(probe, stamp, item, Quality.OK))
            lab.clock.now += NS_PER_S
            self.real_s += 1.0
            lab.pipeline.tick(lab.clock.now)
            status = status_json(lab.pipeline, lab.clock.now, Synchronised(), None)  # type: ignore[arg-type]
            self.lags.append(status["input"]["lag_s"])


def raised(lab: PipelineLab, key: str) -> list[int]:
    return [r.ts for r in lab.of_kind("alarm_raised", "alarms") if r.fields["alarm"] == key]


def lab_with_broker(tmp_path: Path) -> tuple[PipelineLab, Broker]:
    lab = PipelineLab(tmp_path / "unit")
    broker = Broker(lab)
    broker.run(60)  # caught up: every sensor heard, nothing behind
    assert not any(lab.alarm_active(k) for k in STALE)
    return lab, broker


def test_a_backlog_in_the_broker_raises_no_stale_alarm_but_the_overload_alarm(
    tmp_path: Path,
) -> None:
    lab, broker = lab_with_broker(tmp_path)
    broker.lag_s = 90.0  # the daemon falls 90 s behind: three stale limits
    broker.run(300)
    assert raised(lab, OVERLOAD_KEY), "no overload alarm while 90 s behind"
    assert max(broker.lags) >= 90.0
    broker.lag_s = 0.0  # it catches up
    broker.run(30)
    assert not lab.alarm_active(OVERLOAD_KEY)
    assert broker.lags[-1] < 2.0
    assert not any(raised(lab, k) for k in STALE)
    behind = lab.of_kind("input_behind", "device")
    caught_up = lab.of_kind("input_caught_up", "device")
    assert len(behind) == len(caught_up) == 1
    assert caught_up[0].fields["max_lag_s"] == 90.0
    assert caught_up[0].ts > behind[0].ts


def test_a_sensor_that_really_stops_is_stale_once_the_backlog_shows_it(tmp_path: Path) -> None:
    lab, broker = lab_with_broker(tmp_path)
    broker.lag_s = 60.0
    broker.run(100)
    stopped_at = lab.clock.now
    broker.stopped.add("Z1-air")  # its last message went into the queue 10 s or less ago
    broker.run(200)
    stale = raised(lab, "stale:Z1-air")
    assert len(stale) == 1
    # Its last message, sent 10 s before, was read and stamped 60 s late; its silence counts
    # from that stamp, and is known once the markers read 60 s later have passed its limit.
    last_sent = stopped_at - 10 * NS_PER_S
    assert last_sent + (60 + 30 + 60) * NS_PER_S < stale[0] <= last_sent + 153 * NS_PER_S
    assert not raised(lab, "stale:F1-air")
    assert not raised(lab, "stale:F2-air")


def test_a_broker_whose_markers_do_not_work_leaves_silence_on_the_daemons_clock(
    tmp_path: Path,
) -> None:
    lab, broker = lab_with_broker(tmp_path)
    broker.ledger.end_session()  # the connection is gone: its markers will never come back
    broker.queue.clear()
    lab.idle(31)
    assert all(lab.alarm_active(k) for k in STALE)


@pytest.mark.parametrize("step_s", [3600.0, -3600.0])
def test_a_step_of_the_wall_clock_is_no_lag(tmp_path: Path, step_s: float) -> None:
    lab, broker = lab_with_broker(tmp_path)
    broker.lag_s = 3.0  # markers are out as the clock steps
    broker.run(5)
    before = lab.clock.now
    lab.clock.now += int(step_s * NS_PER_S)  # the first synchronisation of a Pi's clock
    lab.pipeline.clock_stepped(ClockStep(before, lab.clock.now, broker.real_s, step_s))
    broker.run(60)
    assert not raised(lab, OVERLOAD_KEY)
    assert max(broker.lags) <= 3.0  # the backlog, not the step
    assert not any(raised(lab, k) for k in STALE)


def test_a_lag_that_stays_short_never_raises_the_overload_alarm(tmp_path: Path) -> None:
    lab, broker = lab_with_broker(tmp_path)
    broker.lag_s = 8.0
    broker.run(120)
    assert not raised(lab, OVERLOAD_KEY)
    assert not any(raised(lab, k) for k in STALE)


def test_readings_shed_are_recorded_and_raise_the_overload_alarm(tmp_path: Path) -> None:
    lab, broker = lab_with_broker(tmp_path)
    shed = Shed(count=3, first_ts=lab.clock.now - 2 * NS_PER_S, last_ts=lab.clock.now)
    shed.probes.update({"F1-air": 2, "Z1-air": 1})
    lab.pipeline.on_shed(shed, lab.clock.now)
    assert lab.alarm_active(OVERLOAD_KEY)
    [record] = lab.of_kind("readings_shed", "device")
    assert record.fields["count"] == 3
    assert record.fields["probes"] == "F1-air=2,Z1-air=1"
    assert (record.fields["first_ts"], record.fields["last_ts"]) == (shed.first_ts, shed.last_ts)
    broker.run(10)  # caught up, nothing more shed: the alarm returns to normal
    assert not lab.alarm_active(OVERLOAD_KEY)
    [caught_up] = lab.of_kind("input_caught_up", "device")
    assert caught_up.fields["shed"] == 3
