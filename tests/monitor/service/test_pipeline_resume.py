"""A restart changes nothing an alarm or a daily sheet says: each alarm kind raised, the
service restarted (cleanly or by a crash), the condition ended, the alarm back to normal;
and a day's sheet across a restart equal to the same day without one. No sockets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from monitor.reading import Quality, Reading
from monitor.service.pipeline import Pipeline
from monitor.service.wiring import day_key, day_start_ns
from tests.monitor.service.pipeline_lab import PipelineLab

WARM = {"F1-air": 6.2, "F2-air": 3.0, "Z1-air": -20.0}
COLD = {"F1-air": 3.0, "F2-air": 3.0, "Z1-air": -20.0}
Scenario = tuple[str, Callable[[PipelineLab], None], Callable[[PipelineLab], None]]


def band_raise(lab: PipelineLab) -> None:
    lab.run(11 * 60, 10, WARM)


def band_end(lab: PipelineLab) -> None:
    lab.run(200 * 10, 10, COLD)


def stale_raise(lab: PipelineLab) -> None:
    lab.run(5 * 60, 10, {"F1-air": 3.0, "F2-air": 3.0})  # the freezer's probe says nothing


def fault_raise(lab: PipelineLab) -> None:
    lab.run(60, 10, COLD)
    lab.read("F2-air", 3276.7, Quality.FAULT)


def heating_raise(lab: PipelineLab) -> None:
    lab.run(60, 1, {"P1-bath": 52.0, "P1-ref": 50.0, "P1-b1": 50.0, **COLD})


def heating_end(lab: PipelineLab) -> None:
    lab.run(60, 1, {"P1-bath": 20.0, "P1-ref": 20.0, "P1-b1": 20.0, **COLD})


SCENARIOS: list[Scenario] = [
    ("band:F1", band_raise, band_end),
    ("band:Z1", lambda lab: lab.run(60, 10, {**COLD, "Z1-air": -5.0}), band_end),
    ("stale:Z1-air", stale_raise, band_end),
    ("fault:F2-air", fault_raise, band_end),
    ("unregistered_cycle:P1", heating_raise, heating_end),
]


@pytest.mark.parametrize("crash", [False, True], ids=["clean", "crash"])
@pytest.mark.parametrize(("key", "raise_it", "end_it"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_a_condition_restored_as_active_clears_when_fresh_readings_show_it_ended(
    tmp_path: Path,
    key: str,
    raise_it: Callable[[PipelineLab], None],
    end_it: Callable[[PipelineLab], None],
    crash: bool,
) -> None:
    lab = PipelineLab(tmp_path / "restarted")
    raise_it(lab)
    assert lab.alarm(key).condition_active
    lab.restart(crash=crash)
    assert lab.alarm(key).condition_active, "restored as active"
    end_it(lab)
    assert not lab.alarm(key).condition_active
    assert lab.alarm(key).state.value == "returned_to_normal_unacknowledged"
    cleared = [r for r in lab.records("alarms") if r.kind == "alarm_cleared"]
    assert [r.fields["alarm"] for r in cleared].count(key) == 1
    lab.close()

    steady = PipelineLab(tmp_path / "steady")
    raise_it(steady)
    end_it(steady)
    assert steady.states()[key] == lab.states()[key]
    steady.close()


def test_silence_never_clears_a_restored_condition(tmp_path: Path) -> None:
    lab = PipelineLab(tmp_path)
    band_raise(lab)
    lab.restart(crash=True)
    lab.idle(30 * 60)
    assert lab.alarm("band:F1").condition_active
    lab.close()


def test_the_daemons_outage_is_not_a_probes_silence(tmp_path: Path) -> None:
    lab = PipelineLab(tmp_path)
    lab.run(5 * 60, 10, COLD)
    lab.restart(crash=True, downtime_s=600)
    lab.run(20, 10, COLD)  # within three sample periods of the restart: no stale alarm
    # (the pasteuriser's probes, silent all along, are stale since before the restart)
    assert not {"stale:F1-air", "stale:F2-air", "stale:Z1-air"} & set(lab.states())
    lab.close()


def day_sheet(lab: PipelineLab, enclosure: str) -> dict[str, object]:
    [closing] = [r for r in lab.of_kind("day_summarised", f"enclosure:{enclosure}:")]
    return dict(closing.fields)


@pytest.mark.parametrize("crash", [False, True], ids=["clean", "crash"])
def test_a_days_sheet_across_a_restart_equals_the_same_day_without_one(
    tmp_path: Path, crash: bool
) -> None:
    def day(lab: PipelineLab, restart_at_min: int | None) -> None:
        # From 08:00 UTC: an excursion in the morning, the restart in its middle, cold later,
        # until past local midnight (Europe/Paris), when the sheet is closed.
        lab.run(30 * 60, 10, COLD)
        lab.run(6 * 60, 10, WARM)
        if restart_at_min is not None:
            lab.restart(crash=crash)
        lab.run(8 * 60, 10, WARM)
        lab.run(15 * 60 * 60, 60, COLD)

    restarted = PipelineLab(tmp_path / "restarted")
    day(restarted, 36)
    steady = PipelineLab(tmp_path / "steady")
    day(steady, None)
    for enclosure in ("F1", "F2", "Z1"):
        assert day_sheet(restarted, enclosure) == day_sheet(steady, enclosure), enclosure
    assert restarted.states() == steady.states()
    restarted.close()
    steady.close()


def test_a_restored_alarm_says_what_it_last_said(tmp_path: Path) -> None:
    lab = PipelineLab(tmp_path)
    lab.run(60, 10, {**COLD, "F2-air": 9.0})  # gross: at once
    lab.run(20 * 60, 10, COLD)
    lab.run(11 * 60, 10, {**COLD, "F2-air": 5.0})  # out of the band for the delay
    said = lab.alarm("band:F2").message
    assert "for 0:10:00" in said
    lab.restart(crash=True)
    assert lab.alarm("band:F2").message == said
    lab.close()


def test_the_desk_journals_every_transition_itself(tmp_path: Path) -> None:
    lab = PipelineLab(tmp_path)
    band_raise(lab)
    pipeline: Pipeline = lab.pipeline
    band = [r.kind for r in lab.records("alarms") if r.fields.get("alarm") == "band:F1"]
    assert band == ["alarm_raised"]
    assert ("band:F1",) in [note.alarms for note in lab.notes]
    assert pipeline.desk.is_active("band:F1")
    lab.close()


def test_a_resumed_start_state_replays_only_what_follows_the_last_state(tmp_path: Path) -> None:
    lab = PipelineLab(tmp_path)
    lab.run(2 * 60 * 60, 10, COLD)  # past the hourly state record
    lab.restart(crash=True)
    assert lab.resumed is not None
    assert lab.resumed.state_ts is not None
    assert lab.resumed.records_replayed < 3 * 360 * 3 // 2  # an hour at most, not two
    assert lab.pipeline.machines.bands["F1"].state.day.samples == 2 * 360
    lab.close()


def test_a_cycle_in_progress_is_resumed_from_its_stream(tmp_path: Path) -> None:
    from monitor.evaluation import LotBacteriology

    lab = PipelineLab(tmp_path)
    cycle = lab.pipeline.start_cycle(
        "P1", [LotBacteriology("L1", 1e3, 10)], "holder63", lab.clock.now
    )
    lab.run(10 * 60, 1, {"P1-bath": 65.0, "P1-ref": 63.5, "P1-b1": 63.4, **COLD})
    held = lab.pipeline.cycles["P1"].machine.state.hold_started_ts
    assert held is not None
    lab.restart(crash=True, downtime_s=1)
    resumed = lab.pipeline.cycles["P1"]
    assert resumed.stream == cycle.stream
    assert resumed.machine.state.hold_started_ts == held
    assert lab.resumed is not None
    assert lab.resumed.cycles == [cycle.stream]
    lab.close()


def test_a_day_the_daemon_was_down_through_closes_at_its_midnight_in_its_own_stream(
    tmp_path: Path,
) -> None:
    lab = PipelineLab(tmp_path)
    zone = lab.settings.site.timezone
    first = date.fromisoformat(day_key(lab.clock.now, zone))
    lab.run(60, 10, COLD)
    lab.restart(crash=True, downtime_s=2 * 86400)  # two midnights without a daemon
    lab.run(60, 10, COLD)
    sheets = lab.of_kind("day_summarised", "enclosure:F1:")
    days = [first, first + timedelta(days=1)]
    assert [r.stream for r in sheets] == [f"enclosure:F1:{d.isoformat()}" for d in days]
    ends = [day_start_ns(d + timedelta(days=1), zone) for d in days]
    assert [r.fields["end_ts"] for r in sheets] == ends
    lab.close()


def test_an_alarm_a_suspect_reading_raises_names_the_jump(tmp_path: Path) -> None:
    lab = PipelineLab(tmp_path)
    lab.run(60, 10, COLD)
    jump = "jump of 35.3 °C in 10 s: wrong unit or loose probe?"
    lab.pipeline.on_reading(Reading("F2-air", lab.clock.now, 38.3, Quality.SUSPECT, None, jump))
    assert jump in lab.alarm("band:F2").message
    lab.close()


def test_a_sealed_cycle_is_not_read_again_at_a_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.evaluation import LotBacteriology
    from monitor.journal import JournalReader, Record

    lab = PipelineLab(tmp_path)
    hot = {"P1-bath": 65.0, "P1-ref": 63.5, "P1-b1": 63.4, **COLD}
    done = lab.pipeline.start_cycle(
        "P1", [LotBacteriology("L1", 1e3, 10)], "holder63", lab.clock.now
    )
    lab.run(5 * 60, 1, hot)
    lab.pipeline.abort_cycle("P1", "anne", "the lid was open", lab.clock.now)
    assert lab.records(done.stream)[-1].kind == "seal"
    running = lab.pipeline.start_cycle(
        "P1", [LotBacteriology("L2", 1e3, 10)], "holder63", lab.clock.now
    )
    lab.run(5 * 60, 1, hot)
    read: list[str] = []
    whole = JournalReader.stream_records

    def stream_records(reader: JournalReader, stream: str) -> list[Record]:
        read.append(stream)
        return whole(reader, stream)

    monkeypatch.setattr(JournalReader, "stream_records", stream_records)
    lab.restart(crash=True, downtime_s=1)
    assert lab.resumed is not None
    assert lab.resumed.cycles == [running.stream]
    assert running.stream in read
    assert done.stream not in read  # its 900 readings stay on disk
    lab.close()
