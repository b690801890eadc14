"""``lactamon demo``: an accelerated day of a simulated lab, with nothing but Python.

The simulator serves a pasteuriser over Modbus TCP and fridges and a freezer over MQTT
(through an embedded broker); the daemon reads them on a temporary journal. A technician
registers lots and starts two cycles; the second one's heater fails mid-hold; a fridge door
is left ajar; a freezer probe goes silent. At the end every alarm is acknowledged, the
journal is verified, and the commands to look further are printed.
"""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Callable
from pathlib import Path

from argon2 import PasswordHasher
from pydantic import SecretStr

from config import Settings
from config.loading import validate_mapping
from monitor.alarms import Signature
from monitor.api.requests import CycleStartRequest, LotCreateRequest
from monitor.clock import ScaledClock
from monitor.journal import keygen, verify_journal
from monitor.service.daemon import Daemon
from monitor.service.facade import ServiceFacade
from monitor.users import Role, UserStore
from simulator.lab import Lab
from simulator.scenario import load_shipped_scenario
from simulator.session import Simulation

EXAMPLE = Path(__file__).parents[2] / "config" / "examples" / "simulator.toml"
PASSWORD = "demo-password-1"


def demo_settings(folder: Path, mqtt_port: int, modbus_port: int) -> Settings:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["mqtt"]["port"] = mqtt_port
    data["modbus"][0]["port"] = modbus_port
    data["journal"] = {"path": str(folder / "journal.sqlite")}
    data["signing"] = {"key_file": str(folder / "device.key")}
    data["users"] = {"path": str(folder / "users.sqlite")}
    data["web"] = {"host": "127.0.0.1", "port": 0}
    # The pasteuriser read every 5 s: sped up 200x, the hold's gap limit (3 periods) is
    # still 75 ms of real time, which a laptop busy elsewhere does not miss.
    for probe in data["probes"]:
        probe["sample_period_s"] = max(probe.get("sample_period_s", 10.0), 5.0)
    return validate_mapping(data, str(EXAMPLE))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _until(check: Callable[[], bool], limit_s: float) -> bool:
    for _ in range(int(limit_s / 0.1)):
        if check():
            return True
        await asyncio.sleep(0.1)
    return check()


async def run_demo(folder: Path, speed: float, say: Callable[[str], None]) -> bool:
    """Run the day; True when both cycles closed and the journal verified."""
    settings = demo_settings(folder, _free_port(), _free_port())
    public_key, key_id = keygen(settings.signing.key_file)
    users = UserStore(settings.users.path, PasswordHasher(time_cost=1, memory_cost=1024))
    users.add(0, "anne", "Anne Martin (technician)", Role.TECHNICIAN, PASSWORD, by="demo")
    users.close()
    clock = ScaledClock(speed)
    lab = Lab.from_scenario(load_shipped_scenario("demo-day"))
    daemon = Daemon(settings, clock)
    say(f"journal {settings.journal.path} (device key {key_id}); simulated time {speed:g}x")
    async with Simulation(settings, lab, clock, embedded_broker=True):
        task = asyncio.create_task(daemon.run(), name="daemon")
        try:
            await asyncio.wait_for(daemon.ready.wait(), 15)
            pipeline = daemon.pipeline
            assert pipeline is not None
            facade = ServiceFacade(pipeline, UserStore(settings.users.path), clock, daemon.sync)
            for lot, flora in (("L2026-001", 3e3), ("L2026-002", 4e4)):
                await facade.create_lot(LotCreateRequest(
                    user="anne", password=SecretStr(PASSWORD), lot=lot, sub_lots=["D001", "D002"],
                    total_flora_cfu_ml=flora, s_aureus_cfu_ml=10))  # fmt: skip
            plan = ((0, "L2026-001"), (95, "L2026-002"))
            for n, (at_min, lot) in enumerate(plan, start=1):
                await _until(lambda m=at_min: lab.sim_time_s >= m * 60, 600)  # type: ignore[misc]
                started = await facade.start_cycle(CycleStartRequest(
                    user="anne", password=SecretStr(PASSWORD), pasteuriser="P1", lots=[lot],
                    program="holder63"))  # fmt: skip
                say(f"t={lab.sim_time_s / 60:5.0f} min  cycle {n} started for {lot}: "
                    f"{started['cycle']}")  # fmt: skip
                closed = await _until(lambda k=n: len(pipeline.closed) >= k, 900)  # type: ignore[misc]
                if not closed:
                    say("a cycle did not close in time")
                    return False
                verdict = pipeline.closed[-1].machine.verdict
                assert verdict is not None
                reasons = "; ".join(verdict.reasons) or "hold proven, cooled in time"
                say(f"t={lab.sim_time_s / 60:5.0f} min  cycle {n}: {verdict.outcome.value.upper()}"
                    f" ({reasons})")  # fmt: skip
            say("alarms raised during the day:")
            for alarm in pipeline.alarms.listing(include_normal=True):
                say(f"  {alarm.key:28} {alarm.state.value:34} {alarm.message[:70]}")
            now = clock.now_ns()
            for alarm in pipeline.alarms.listing():
                if alarm.needs_ack:
                    sig = Signature("anne", "Anne Martin (technician)", "acknowledged",
                                    "seen during the demo")  # fmt: skip
                    pipeline.record_alarms(*pipeline.alarms.acknowledge(now, alarm.key, sig))
            say("all alarms acknowledged by Anne Martin")
        finally:
            daemon.stop("demo over")
            await asyncio.wait_for(task, 15)
    report = verify_journal(settings.journal.path, public_key)
    say(f"journal verification: {'OK' if report.ok else 'FAILED'}")
    return report.ok
