"""``lactamon demo``: an accelerated day of a simulated lab, with nothing but Python.

The simulator serves a pasteuriser over Modbus TCP and fridges and a freezer over MQTT
(through an embedded broker); the daemon reads them on a temporary journal. A technician
registers lots and starts two cycles; the second one's heater fails mid-hold; a fridge door
is left ajar; a freezer probe goes silent. At the end the technician acknowledges every
alarm, the journal is verified, and the commands to look further are printed.

Everything the technician does goes through the daemon's HTTP API with her password, as it
would from the command line: the demo has no door of its own into the daemon.
"""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from argon2 import PasswordHasher

from config import Settings
from config.loading import validate_mapping
from monitor.cli.http_client import request
from monitor.clock import ScaledClock
from monitor.journal import keygen, verify_journal
from monitor.service.daemon import Daemon
from monitor.users import Role, UserStore
from simulator.lab import Lab
from simulator.scenario import load_shipped_scenario
from simulator.session import Simulation

EXAMPLE = Path(__file__).parents[1] / "config" / "examples" / "simulator.toml"
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
    (folder / "device.pub").write_text(public_key + "\n", encoding="ascii")
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
            api = Technician(daemon.api_url)
            for lot, flora in (("L2026-001", 3e3), ("L2026-002", 4e4)):
                await api.post("/api/lots", lot=lot, sub_lots=["D001", "D002"],
                               total_flora_cfu_ml=flora, s_aureus_cfu_ml=10)  # fmt: skip
            plan = ((0, "L2026-001"), (95, "L2026-002"))
            for n, (at_min, lot) in enumerate(plan, start=1):
                await _until(lambda m=at_min: lab.sim_time_s >= m * 60, 600)  # type: ignore[misc]
                started = await api.post("/api/cycles", pasteuriser="P1", lots=[lot],
                                         program="holder63")  # fmt: skip
                say(f"t={lab.sim_time_s / 60:5.0f} min  cycle {n} started for {lot}: "
                    f"{started['cycle']}")  # fmt: skip
                closed = await _until(lambda c=started["cycle"]: c in _closed(daemon), 900)  # type: ignore[misc]
                if not closed:
                    say("a cycle did not close in time")
                    return False
                verdict = _closed(daemon)[started["cycle"]]
                say(f"t={lab.sim_time_s / 60:5.0f} min  cycle {n}: {verdict}")
            say("alarms raised during the day:")
            listing = await api.get("/api/alarms?all=1")
            for alarm in listing["alarms"]:
                say(f"  {alarm['key']:28} {alarm['state']:34} {alarm['message'][:70]}")
            for alarm in listing["alarms"]:
                if alarm["state"] in ("active_unacknowledged", "returned_to_normal_unacknowledged"):
                    await api.post(f"/api/alarms/{quote(alarm['key'], safe='')}/ack",
                                   comment="seen during the demo")  # fmt: skip
            say("all alarms acknowledged by Anne Martin, each with her password")
        finally:
            daemon.stop("demo over")
            await asyncio.wait_for(task, 15)
    report = verify_journal(settings.journal.path, public_key)
    say(f"journal verification: {'OK' if report.ok else 'FAILED'}")
    return report.ok


class Technician:
    """Anne at the API: every change she asks for carries her password."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def get(self, path: str) -> Any:
        return await request(None, self.url, "GET", path, None)

    async def post(self, path: str, **body: Any) -> Any:
        signed = {"user": "anne", "password": PASSWORD, **body}
        return await request(None, self.url, "POST", path, signed)


def _closed(daemon: Daemon) -> dict[str, str]:
    """Closed cycles and their verdict in words, as the daemon's pipeline holds them."""
    out = {}
    for cycle in daemon.pipeline.closed if daemon.pipeline else []:
        verdict = cycle.machine.verdict
        if verdict is not None:
            reasons = "; ".join(verdict.reasons) or "hold proven, cooled in time"
            out[cycle.stream] = f"{verdict.outcome.value.upper()} ({reasons})"
    return out
