"""A night of the cold chain killed 20 times, and a hold killed 5 times: the record holds.

The daemon runs as a process of its own (``daemon_process``) against the simulator, which
runs in the test's loop: fridges and freezer over a real Mosquitto, the pasteuriser over
Modbus TCP, all on one accelerated timeline shared by every process of a run.

The night (``scenarios/cold-chain-night.toml``, 21:00 to 02:00 in Europe/Paris, across the
local midnight) is run twice from the same origin: once untouched, once with the daemon
killed by SIGKILL at 20 seeded random instants and started again at once each time. The
alarms end in the same states (but the alarm the kills themselves raise), each enclosure's
closed day counts the same excursions and alarms, its extremes agree within what the
outages can hide, and the killed run's journal verifies.

The hold: one holder63 cycle, whose device holds long enough, is killed five times during
its hold. Under ``hold_policy = "restart"`` each outage is a gap that breaks the hold and
the hold starts again; the sixth hold completes and the cycle passes. The journal verifies.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import random
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher

from monitor.clock import NS_PER_S, ScaledClock, datetime_to_ns
from monitor.journal import Record, keygen, verify_journal
from monitor.service.daemon import UNCLEAN_KEY
from monitor.users import Role, UserStore
from simulator.lab import Lab
from simulator.scenario import load_scenario
from simulator.session import Simulation
from tests.fixtures.mosquitto import MosquittoBroker
from tests.monitor.service import kill_runs as runs
from tests.monitor.service.daemon_process import Daemons

SCENARIO = Path(__file__).parent / "scenarios" / "cold-chain-night.toml"
SPEED = 300.0
ORIGIN_NS = datetime_to_ns(datetime(2026, 1, 15, 21, 0, tzinfo=ZoneInfo("Europe/Paris")))
MIDNIGHT_S = 3 * 3600.0
END_S = 5 * 3600.0
CLOSED_DAY = "2026-01-15"
KILLS = 20
KILLS_FROM_S, KILLS_UNTIL_S = 15 * 60.0, 285 * 60.0
SEED = 1501
# A stall of the loaded test machine is no probe silence: 10 periods (100 simulated s, a
# third of a real second; readings come at most 20 s apart here), still shorter than the
# quickest restart (some 190 s), so a daemon that counted its own outage as the probes'
# silence would still raise the stale alarms.
STALE_PERIODS = 10
# Both runs read the same lab, but at instants up to a sample period (10 s) apart and so
# with other noise draws: the steepest curve of the night (the freezer losing power, about
# 0.4 °C/min) and the noise (sigma 0.03 °C) keep a reading within 0.25 °C of the other run's.
SLACK_C = 0.25
EXPECTED = {"F1": (1, 1), "F2": (1, 1), "Z1": (1, 1)}  # excursions, alarms of the closed day


def kill_instants() -> list[float]:
    """One instant drawn in each of 18 equal slots of the run, and a crash loop a moment
    before midnight: killed there, and killed again as soon as the process started then
    serves, so that the day rolls while no monitor runs. Random instants closer together
    than a restart (about half a second) do the same now and then; the loop makes it sure."""
    rng = random.Random(SEED)
    slots = KILLS - 2
    slot_s = (KILLS_UNTIL_S - KILLS_FROM_S) / slots
    instants = [KILLS_FROM_S + (i + rng.random()) * slot_s for i in range(slots)]
    before_midnight = MIDNIGHT_S - rng.uniform(30.0, 180.0)
    return sorted([*instants, before_midnight, before_midnight])


async def night(folder: Path, broker: MosquittoBroker, kills: list[float]) -> tuple[Daemons, str]:
    """The night on a clock at ``ORIGIN_NS``, the daemon killed and restarted at ``kills``;
    the run's daemons and the public half of its device key."""
    clock = ScaledClock(SPEED, ORIGIN_NS)
    daemons = runs.daemons_in(folder, broker.port, clock, stale_after_periods=STALE_PERIODS)
    public_key, _ = keygen(daemons.settings.signing.key_file)
    lab = Lab.from_scenario(load_scenario(SCENARIO))
    try:
        async with Simulation(daemons.settings, lab, clock) as simulation:
            process = daemons.start()
            await runs.serving(daemons, process, 30)
            for at_s in kills:
                await runs.until_sim(clock, at_s)
                await runs.kill(process)
                process = await runs.restart(daemons)
            await runs.until_sim(clock, END_S)
            await runs.stop(daemons, process)
            assert simulation.failed() is None
    finally:
        daemons.stop_all()
    return daemons, public_key


async def test_a_night_killed_20_times_ends_as_the_untouched_night(
    tmp_path: Path, mosquitto: MosquittoBroker
) -> None:
    reference, _ = await night(tmp_path / "reference", mosquitto, [])
    killed, public_key = await night(tmp_path / "killed", mosquitto, kill_instants())
    compare_nights(reference.settings.journal.path, killed.settings.journal.path, public_key)


def compare_nights(ref_journal: Path, journal: Path, public_key: str) -> None:
    report = verify_journal(journal, public_key)
    assert report.ok, report.format()
    # Every kill is on record: the journal's own gap record, written as the next process
    # opens the file.
    restarts = runs.reopened_unclean(journal)
    assert len(restarts) == KILLS
    assert runs.reopened_unclean(ref_journal) == []

    # The alarms: the same keys in the same state, the condition active or not alike; the
    # killed run has one more, the pulse its restarts raise, waiting for acknowledgement.
    alarms = runs.final_alarms(journal)
    assert alarms.pop(UNCLEAN_KEY) == ("returned_to_normal_unacknowledged", False)
    expected_alarms = runs.final_alarms(ref_journal)
    assert alarms == expected_alarms
    assert {f"band:{e}" for e in EXPECTED} <= set(expected_alarms), expected_alarms

    # The closed day of each enclosure, once each. What the outages cannot change is
    # compared exactly: how many excursions began that day and how many alarmed (each one
    # lasts far longer than an outage and alarms long before midnight). The samples, the
    # mean, the time out of band and the day's end (the roll happens at the first tick
    # after midnight, later when no monitor ran then) depend on what was read and are not
    # compared, but that the killed run read less. The extremes may only miss what the
    # killed run did not read: its maximum lies between the reference's highest reading
    # outside the stretches the killed run has no reading of (before its first one, and
    # from the last reading before each restart to the first one after it) and the
    # reference's maximum, within ``SLACK_C``; the minimum alike.
    ref_days = runs.closed_days(ref_journal, CLOSED_DAY)
    days = runs.closed_days(journal, CLOSED_DAY)
    assert sorted(days) == sorted(ref_days) == sorted(EXPECTED)
    for enclosure, (excursions, alarmed) in EXPECTED.items():
        assert len(ref_days[enclosure]) == len(days[enclosure]) == 1, days[enclosure]
        ref, day = ref_days[enclosure][0].fields, days[enclosure][0].fields
        assert (ref["excursions"], ref["alarms"]) == (excursions, alarmed), ref
        assert (day["excursions"], day["alarms"]) == (excursions, alarmed), (day, ref)
        assert 0 < int(day["samples"]) < int(ref["samples"])
        seen = [ts for ts, _ in runs.enclosure_readings(journal, enclosure)]
        unseen = runs.unseen_spans(seen, restarts)
        ref_values = runs.enclosure_readings(ref_journal, enclosure, CLOSED_DAY)
        both = [v for ts, v in ref_values if not any(a < ts < b for a, b in unseen)]
        assert both, (enclosure, unseen)
        ref_min, ref_max = float(ref["min_c"]), float(ref["max_c"])
        day_min, day_max = float(day["min_c"]), float(day["max_c"])
        assert max(both) - SLACK_C <= day_max <= ref_max + SLACK_C, (enclosure, day, ref)
        assert ref_min - SLACK_C <= day_min <= min(both) + SLACK_C, (enclosure, day, ref)

    # Each process started after a kill served its API, so it had recorded (and alarmed)
    # the unclean end of the one before: a kill soon after cannot take that record back.
    assert len(runs.unclean_restarts(journal)) == KILLS, runs.unclean_restarts(journal)


# -- five kills during one cycle's holds -----------------------------------------------------

# The device holds 140 min at 64 °C: five broken holds of some 10 simulated minutes each
# (2 of hold, 4 without a monitor, the restart), then a whole restarted 30-min hold, fit
# with room for slower restarts before it cools the milk. What it holds after the
# monitor's last hold is proven counts as cooling time for the monitor, so the cooling limit
# is widened to cover it (cooling is not what this test is about).
DEVICE_HOLD_S = 140 * 60.0
COOLING_LIMIT_MIN = 150
HOLD_KILLS = 5
GAP_PERIODS = 20  # 200 s: a stalled process for a moment (0.67 s real) breaks no hold
OUTAGE_S = 4 * 60.0  # more than the gap limit, however fast the restart
HELD_BEFORE_KILL_S = 2 * 60.0
PW = "correct horse battery"
LOT = "L2026-015"


def holding(journal: Path, stream: str, attempt: int) -> bool:
    """Committed: hold ``attempt`` started and the reference proved it for a while."""
    found = runs.stream_records(journal, stream)
    started = [r for r in found if r.kind == "hold_started" and r.fields["attempt"] == attempt]
    if not started:
        return False
    last = max(r.ts for r in found if r.kind == "reading" and r.fields["probe"] == "P1-ref")
    return last - started[0].ts >= HELD_BEFORE_KILL_S * NS_PER_S


async def register_cycle(url: str) -> str:
    """The lot and a holder63 cycle on P1, over the API; the cycle's stream. A start is
    refused (409) until the pasteuriser's probes have answered the new process."""
    lot = {"user": "anne", "password": PW, "lot": LOT, "sub_lots": ["D1"],
           "total_flora_cfu_ml": 8e3, "s_aureus_cfu_ml": 10}  # fmt: skip
    assert (await runs.post(url, "/api/lots", lot))[0] == 201
    start = {"user": "anne", "password": PW, "pasteuriser": "P1", "program": "holder63",
             "lots": [LOT]}  # fmt: skip
    for _ in range(100):
        status, cycle = await runs.post(url, "/api/cycles", start)
        if status != 409:
            break
        await asyncio.sleep(0.1)
    assert status == 201, cycle
    return str(cycle["cycle"])


async def test_five_kills_during_the_holds_of_one_cycle(
    tmp_path: Path, mosquitto: MosquittoBroker
) -> None:
    clock = ScaledClock(SPEED)
    daemons = runs.daemons_in(tmp_path, mosquitto.port, clock,
                              pasteurisation={"hold_policy": "restart",
                                              "gap_periods": GAP_PERIODS,
                                              "cooling_limit_min": COOLING_LIMIT_MIN})  # fmt: skip
    settings = daemons.settings
    journal = settings.journal.path
    public_key, _ = keygen(settings.signing.key_file)
    users = UserStore(
        settings.users.path, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    users.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="test")
    users.close()
    url = runs.url_of(daemons)
    # The night's lab without its faults; the device's cycle is started here, not scripted.
    scenario = dataclasses.replace(load_scenario(SCENARIO), faults=())
    lab = Lab.from_scenario(scenario)
    befores: list[list[Record]] = []
    try:
        async with Simulation(settings, lab, clock) as simulation:
            process = daemons.start()
            await runs.serving(daemons, process, 30)
            stream = await register_cycle(url)
            # The device heats once the cycle is registered: no unregistered cycle.
            lab.start_cycle("P1", 64.0, DEVICE_HOLD_S)
            for attempt in range(1, HOLD_KILLS + 1):
                under_way = functools.partial(holding, journal, stream, attempt)
                await runs.until_journal(under_way, 60, f"hold {attempt} under way", daemons)
                await runs.kill(process)
                befores.append(await asyncio.to_thread(runs.stream_records, journal, stream))
                await clock.sleep(OUTAGE_S)
                process = await runs.restart(daemons)
            await runs.until_journal(lambda: runs.stream_records(journal, stream)[-1].kind
                                     == "seal", 90, "the cycle to close", daemons)  # fmt: skip
            await runs.stop(daemons, process)
            assert simulation.failed() is None
    finally:
        daemons.stop_all()

    report = verify_journal(journal, public_key)
    assert report.ok, report.format()
    assert len(runs.unclean_restarts(journal)) == HOLD_KILLS
    check_holds(runs.stream_records(journal, stream), befores)


def check_holds(found: list[Record], befores: list[list[Record]]) -> None:
    """Each outage a gap that broke the hold, each hold started again; the last one passes."""
    kinds = [r.kind for r in found]
    gap_limit_s = found[0].fields["gap_limit_s"]  # cycle_started states the rules it runs by
    assert isinstance(gap_limit_s, float)
    gaps = [r for r in found if r.kind == "hold_interrupted"]
    ended = [r for r in found if r.kind == "hold_interruption_ended"]
    holds = [r for r in found if r.kind == "hold_started"]
    assert len(gaps) == len(ended) == len(befores) == HOLD_KILLS, kinds
    assert [h.fields["attempt"] for h in holds] == list(range(1, HOLD_KILLS + 2))
    assert kinds.count("cycle_resumed") == HOLD_KILLS
    assert "reading_rejected" not in kinds  # one timeline: no reading older than the journal
    for before, gap, end, hold in zip(befores, gaps, ended, holds[1:], strict=True):
        # The record as it stood once the process was gone (what a kill cannot take back),
        # kept as it was: the restart appended, then said so first.
        assert found[: len(before)] == before
        assert found[len(before)].kind == "cycle_resumed"
        proofs = [r.ts for r in before if r.kind == "reading" and r.fields["probe"] == "P1-ref"]
        assert gap.fields["cause"] == "gap", gap.fields
        assert gap.fields["probe_id"] == "P1-ref"
        assert gap.fields["since_ts"] == proofs[-1]  # the last proof committed before the kill
        assert gap.ts - proofs[-1] > max(gap_limit_s, OUTAGE_S) * NS_PER_S
        assert end.fields["since_ts"] == proofs[-1]
        assert end.fields["recovered"] is True
        assert hold.ts >= gap.ts
    closing = [r for r in found if r.kind in ("cycle_passed", "cycle_failed", "cycle_aborted")]
    assert [r.kind for r in closing] == ["cycle_passed"], [r.fields for r in closing]
    verdict = closing[0].fields
    assert verdict["hold_restarts"] == HOLD_KILLS
    assert verdict["hold_started_ts"] == holds[-1].ts
    completed = [r for r in found if r.kind == "hold_completed"]
    assert [r.fields["hold_started_ts"] for r in completed] == [holds[-1].ts]
    assert completed[0].ts - holds[-1].ts >= 30 * 60 * NS_PER_S
    assert kinds[-1] == "seal"
