"""The replay ticks the machines only where the live pipeline did: at readings and at the
machines' own conclusions. A record a driver or a person adds (a probe's availability) is no
point the machines were ticked at: a conclusion the replay drew there would be on record
nowhere, and lost for good. No sockets."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from drivers.sink import AvailabilityChange
from monitor.clock import NS_PER_S
from monitor.service.wiring import day_key, day_start_ns
from tests.monitor.service.pipeline_lab import PipelineLab

COLD = {"F1-air": 3.0, "F2-air": 3.0, "Z1-air": -20.0}
WARM = {**COLD, "F1-air": 6.2}


def answering(lab: PipelineLab, probe: str) -> None:
    """The probe's driver says it answers again, as a driver does after a restart."""
    lab.pipeline.on_availability(AvailabilityChange(probe, lab.clock.now, True, "answering"))


def test_a_day_is_closed_on_record_when_the_first_record_after_its_midnight_is_no_tick(
    tmp_path: Path,
) -> None:
    lab = PipelineLab(tmp_path)
    zone = lab.settings.site.timezone
    first = date.fromisoformat(day_key(lab.clock.now, zone))
    midnight = day_start_ns(first + timedelta(days=1), zone)
    lab.run((midnight - lab.clock.now) / NS_PER_S - 30, 60, COLD)
    # Down through midnight; the next process hears a probe and is killed before its
    # first tick: the availability record is the only one after midnight.
    lab.restart(crash=True, downtime_s=35)
    answering(lab, "F1-air")
    lab.restart(crash=True, downtime_s=1)
    lab.run(60, 10, COLD)
    for enclosure in ("F1", "F2", "Z1"):
        sheets = lab.of_kind("day_summarised", f"enclosure:{enclosure}:{first.isoformat()}")
        assert [r.fields["day"] for r in sheets] == [first.isoformat()], enclosure
    lab.close()


def test_an_excursion_alarms_when_its_delay_ends_between_the_last_tick_and_a_kill(
    tmp_path: Path,
) -> None:
    lab = PipelineLab(tmp_path)
    lab.run(30 * 60, 10, COLD)
    lab.run(10 * 60 - 2, 10, WARM)  # the last tick two seconds before the delay ends
    assert not lab.alarm_active("band:F1")
    lab.clock.now += int(2.5 * NS_PER_S)
    answering(lab, "F2-air")  # on record, then the kill, before the next tick
    lab.restart(crash=True, downtime_s=1)
    lab.run(60, 10, WARM)
    assert lab.alarm_active("band:F1")
    lab.close()
