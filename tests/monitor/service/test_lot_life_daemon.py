"""Three lots from collection to baby through a real daemon, a real cycle and the command line.

The simulated lab (300x, Modbus TCP and an embedded MQTT broker) runs one holder63 cycle for
three lots, which passes. Two lots are controlled negative, released by a supervisor, stored
in fridge F1; the third is controlled positive: its release is refused and it is destroyed.
F1's door is then left open: the alarm names both lots (``excursion_lots``), each lot lists
the excursion with its measured and unmeasured time and worst value, and the supervisor
decides to keep them. Both move to freezer Z1 in one act and are given out in two parts
each, one counted in bottles and one in mL, until closed. Every refusal exits 1 and records
nothing; the journal verifies, and a lot's bundle says it was all distributed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher

from config import load_settings
from monitor.clock import ScaledClock, datetime_to_ns
from monitor.journal import (
    JournalReader,
    export_lot_bundle,
    keygen,
    load_key_file,
    verify_bundle,
    verify_journal,
)
from monitor.journal.streams import ALARM_STREAM
from monitor.service.daemon import Daemon
from monitor.users import Role, UserStore
from simulator.lab import Lab
from simulator.scenario.parse import parse_scenario
from simulator.session import Simulation
from tests.benchmarks.test_demo_footprint import toml_text
from tests.fixtures.ports import free_port
from tests.monitor.cli.lot_cli import Run, lactamon
from tests.monitor.service.lab_settings import lab_settings_mapping
from tests.monitor.service.lot_harness import PW

SPEED = 300.0
ORIGIN_NS = datetime_to_ns(datetime(2026, 11, 20, 8, tzinfo=UTC))  # 09:00 in Paris
L1, L2, L3 = "L2026-401", "L2026-402", "L2026-403"
DOOR_MIN = 130  # after the cycle (it passes about 80 min after its start at 15)
SCENARIO = f"""
[scenario]
name = "a lot's life"
seed = 3
duration_min = 240
room_c = 21.0

[[pasteurisers]]
id = "P1"
bottles = 20
bath_probe = "P1-bath"
reference_probe = "P1-ref"
bottle_probes = ["P1-b1"]
link = "pasteuriser-1"

[[pasteurisers.cycles]]
start_min = 15
setpoint_c = 63.0
hold_min = 36

[[fridges]]
id = "F1"
probe = "F1-air"
link = "mqtt"
setpoint_c = 3.0

[[fridges]]
id = "F2"
probe = "F2-air"
link = "mqtt"
setpoint_c = 3.0

[[freezers]]
id = "Z1"
probe = "Z1-air"
link = "mqtt"
setpoint_c = -20.0

[[faults]]
at_min = {DOOR_MIN}
duration_min = 8
kind = "door_open"
target = "F1"
opening = 0.3
"""


async def until(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    for _ in range(int(timeout_s / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Lab3:
    """The daemon's journal and command line, as the test uses them."""

    def __init__(self, daemon: Daemon, config: Path) -> None:
        self.daemon, self.config = daemon, config

    async def run(self, *args: str) -> Run:
        return await asyncio.to_thread(lactamon, self.config, *args, stdin=PW + "\n")

    async def ok(self, *args: str) -> str:
        run = await self.run(*args)
        assert run.code == 0, (args, run.err)
        return run.out

    async def refused(self, message: str, *args: str) -> None:
        before = self.counts()
        run = await self.run(*args)
        assert (run.code, run.out) == (1, ""), run.err
        assert message in run.err, run.err
        assert self.counts() == before

    def counts(self) -> dict[str, int]:
        """Records per stream, but the readings and the signatures that come with time."""
        pipeline = self.daemon.pipeline
        assert pipeline is not None
        pipeline.journal.flush()
        with JournalReader(pipeline.journal.path) as reader:
            return {
                name: len(reader.stream_records(name))
                for name in reader.stream_names()
                if name.startswith(("lot:", "cycle:"))
            }


async def test_three_lots_from_collection_to_baby(tmp_path: Path) -> None:
    web = {"host": "127.0.0.1", "port": free_port()}
    config = tmp_path / "lactamon.toml"
    # A busy machine may delay a poll past the gap limit (3 periods of 10 s, 100 ms at 300x)
    # and restart the hold: the lab holds 36 min, and 10 periods make a gap.
    rules = {"gap_periods": 10}
    data = lab_settings_mapping(tmp_path, free_port(), web=web, pasteurisation=rules)
    config.write_text(toml_text(data))
    settings = load_settings(config)
    public_key, _ = keygen(settings.signing.key_file)
    users = UserStore(
        settings.users.path, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    users.add(0, "sophie", "Dr Sophie Bernard", Role.SUPERVISOR, PW, by="test")
    users.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="test")
    users.close()
    clock = ScaledClock(SPEED, ORIGIN_NS)
    lab = Lab.from_scenario(parse_scenario(SCENARIO))
    daemon = Daemon(settings, clock)
    async with Simulation(settings, lab, clock, embedded_broker=True):
        task = asyncio.create_task(daemon.run(), name="daemon")
        try:
            await asyncio.wait_for(daemon.ready.wait(), 10)
            await life(Lab3(daemon, config), daemon, lab)
        finally:
            daemon.stop("test over")
            await asyncio.wait_for(task, 10)
    report = verify_journal(settings.journal.path, public_key)
    assert report.ok, report.format()
    bundle = tmp_path / f"{L1}.jsonl"
    export_lot_bundle(
        settings.journal.path, L1, bundle, key=load_key_file(settings.signing.key_file)
    )
    contents = verify_bundle(bundle, public_key).contents
    assert f"lot {L1}: all distributed (2 distribution(s))" in contents
    assert any(
        line.startswith("  released ") and "by Dr Sophie Bernard" in line for line in contents
    )


async def life(cli: Lab3, daemon: Daemon, lab: Lab) -> None:
    pipeline = daemon.pipeline
    assert pipeline is not None
    for lot, donors, size in (
        (L1, ("D1", "D2"), ("--bottles", "4")),
        (L2, ("D3",), ("--volume-ml", "500")),
        (L3, ("D1", "D4"), ("--bottles", "2")),
    ):
        given = [arg for donor in donors for arg in ("--donor", donor)]
        await cli.ok(
            "lot",
            "create",
            lot,
            *given,
            "--total-flora",
            "5e3",
            "--s-aureus",
            "0",
            *size,
            "--user",
            "anne",
        )
    started = await cli.ok(
        "cycle",
        "start",
        "--pasteuriser",
        "P1",
        "--lot",
        L1,
        "--lot",
        L2,
        "--lot",
        L3,
        "--program",
        "holder63",
        "--user",
        "anne",
    )
    assert "holder63" in started
    await until(lambda: bool(pipeline.closed), 120, "the cycle to close")
    verdict = pipeline.closed[0].machine.verdict
    assert verdict is not None
    assert verdict.outcome.value == "pass", verdict.reasons
    assert lab.sim_time_s < DOOR_MIN * 60, "the cycle closed too late for the door"

    await cli.refused(
        f"lot {L1} cannot be released: no control after pasteurisation",
        "lot",
        "release",
        L1,
        "--user",
        "sophie",
    )
    for lot, flora in ((L1, "0"), (L2, "0"), (L3, "40")):
        await cli.ok(
            "lot",
            "bacteriology",
            lot,
            "--total-flora",
            flora,
            "--s-aureus",
            "0",
            "--lab-reference",
            f"LAB-{lot[-3:]}",
            "--user",
            "anne",
        )
    await cli.refused("only a supervisor", "lot", "release", L1, "--user", "anne")
    await cli.refused(
        "every milk whose control is positive is destroyed",
        "lot",
        "release",
        L3,
        "--user",
        "sophie",
    )
    for lot in (L1, L2):
        released = await cli.ok("lot", "release", lot, "--user", "sophie")
        assert "signed by Dr Sophie Bernard (sophie) at 2026-11-20 " in released
    await cli.ok(
        "lot", "destroy", L3, "--reason", "positive control after pasteurisation", "--user", "anne"
    )
    await cli.refused(
        f"lot {L3} is destroyed", "lot", "store", L3, "--enclosure", "F1", "--user", "anne"
    )
    for lot in (L1, L2):
        await cli.ok("lot", "store", lot, "--enclosure", "F1", "--user", "anne")
    where = await cli.ok("lot", "where", "F1")
    assert where.startswith("F1 (fridge): 2 lot(s)\n"), where

    # The door of F1 is left open: an excursion while the lots are in it.
    alarms = pipeline.desk.manager.alarms
    await until(lambda: "band:F1" in alarms, 60, "the fridge alarm")
    await until(lambda: not alarms["band:F1"].condition_active, 90, "the fridge to recover")
    pipeline.journal.flush()
    with JournalReader(pipeline.journal.path) as reader:
        named = [
            r
            for r in reader.stream_records(ALARM_STREAM)
            if r.kind == "excursion_lots" and r.fields["alarm"] == "band:F1"
        ]
    assert {lot for r in named for lot in str(r.fields["lots"]).split(",")} == {L1, L2}
    shown = await cli.ok("lot", "show", L1)
    [line] = [s for s in shown.splitlines() if s.startswith("    band:F1 ")]
    assert "high, measured " in line, line
    assert "unmeasured " in line, line
    assert "alarmed" in line, line
    assert "worst 8." in line or "worst 9." in line, line
    assert "no decision recorded" in shown
    await cli.refused(
        "only a supervisor",
        "lot",
        "decide",
        L1,
        "--alarm",
        "band:F1",
        "--decision",
        "keep",
        "--reason",
        "x",
        "--user",
        "anne",
    )
    for lot in (L1, L2):
        await cli.ok(
            "lot",
            "decide",
            lot,
            "--alarm",
            "band:F1",
            "--decision",
            "keep",
            "--reason",
            "sealed bottles, under 10 °C for minutes",
            "--user",
            "sophie",
        )
    assert "decision: keep by Dr Sophie Bernard" in await cli.ok("lot", "show", L2)

    moved = await cli.ok("lot", "move", L1, L2, "--to", "Z1", "--from", "F1", "--user", "anne")
    assert moved.startswith(f"moved to Z1: {L1}, {L2}\n"), moved
    await cli.refused(
        f"lot {L1} has 4 bottle(s) left: 5 asked",
        "lot",
        "distribute",
        L1,
        "--bottles",
        "5",
        "--ward",
        "neonatology",
        "--recipient",
        "RX-1",
        "--user",
        "anne",
    )
    for lot, unit, parts in ((L1, "--bottles", ("1", "3")), (L2, "--volume-ml", ("300", "200"))):
        for i, part in enumerate(parts):
            await cli.ok(
                "lot",
                "distribute",
                lot,
                unit,
                part,
                "--ward",
                "neonatology",
                "--recipient",
                f"RX-{lot[-1]}{i}",
                "--user",
                "anne",
            )
    assert (await cli.ok("lot", "where", "Z1")).startswith("Z1 (freezer): no lot(s)")
    listing = await cli.ok("lot", "list", "--all")
    assert f"lot {L1}: all distributed" in listing
    assert f"lot {L2}: all distributed" in listing
    assert f"lot {L3}: destroyed (positive control after pasteurisation)" in listing
    traced = await cli.ok("trace", "--donor", "D1")
    assert traced.startswith("donor D1: milk in 2 lot(s)\n")
    assert "for RX-10 by Anne Martin" in traced
    assert "destroyed " in traced
