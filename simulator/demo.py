"""``lactamon demo``: an accelerated day of a simulated lab, with nothing but Python.

The simulator serves a pasteuriser over Modbus TCP and fridges and a freezer over MQTT
(through an embedded broker); the daemon reads them on a temporary journal. A technician
registers lots and starts two cycles; the second one's heater fails mid-hold; a fridge door
is left ajar; a freezer probe goes silent. At the end the technician acknowledges every
alarm, the journal is verified, and the commands to look further are printed.

The daemon serves the web application all along, with a user of each role to sign in as;
``keep=True`` leaves the lab running at real speed after the day, until a stop signal.

Everything the technician does goes through the daemon's HTTP API with her password, as it
would from the command line: the demo has no door of its own into the daemon.
"""

from __future__ import annotations

import asyncio
import socket
import time
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
# A user of each role, to see in the browser what each may do. Sophie comes first: the
# first user signs for herself, and a supervisor adds the others.
DEMO_USERS = (
    ("sophie", "Dr Sophie Bernard (supervisor)", Role.SUPERVISOR, "demo-sophie-1"),
    ("anne", "Anne Martin (technician)", Role.TECHNICIAN, PASSWORD),
    ("ines", "Ines Morel (inspector)", Role.INSPECTOR, "demo-ines-1"),
    ("wall", "Wall screen (kiosk)", Role.KIOSK, "demo-wall-1"),
)


class DemoClock(ScaledClock):
    """A ``ScaledClock`` that pauses while the process does not run, and can slow down once
    the day is over, without a jump in time.

    At 200x, a tenth of a real second in which the machine runs something else is 20
    simulated seconds: longer than the pasteuriser's gap limit (three 5 s periods), so a
    busy laptop would break holds and call probes stale that neither the lab nor the daemon
    could help. The simulator and the daemon share this clock, and neither ran during such a
    pause: the clock lets at most ``MAX_STEP_S`` of real time pass between two readings of
    it, and the rest of the pause does not count. The lab reads it hundreds of times a real
    second, so nothing but a pause is ever cut; at real speed (``slow_to(1.0)``) every
    second counts.
    """

    MAX_STEP_S = 0.02  # real seconds: 4 simulated seconds at 200x, under a sample period

    def __init__(self, speed: float) -> None:
        super().__init__(speed)
        self._rate = float(speed)
        self._from_s = 0.0  # simulated seconds at the last change of speed
        self._from_real = self.real_start
        self._last_real = self.real_start

    @property
    def speed(self) -> float:
        return self._rate

    def monotonic(self) -> float:
        real = time.monotonic()
        if self._rate > 1.0 and real - self._last_real > self.MAX_STEP_S:
            self._from_real += real - self._last_real - self.MAX_STEP_S
        self._last_real = max(self._last_real, real)
        return self._from_s + (real - self._from_real) * self._rate

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self._rate)

    def slow_to(self, speed: float) -> None:
        self._from_s, self._from_real = self.monotonic(), time.monotonic()
        self._last_real = self._from_real
        self._rate = float(speed)


def demo_settings(folder: Path, mqtt_port: int, modbus_port: int, web_port: int = 0) -> Settings:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["mqtt"]["port"] = mqtt_port
    data["modbus"][0]["port"] = modbus_port
    data["journal"] = {"path": str(folder / "journal.sqlite")}
    data["signing"] = {"key_file": str(folder / "device.key")}
    data["users"] = {"path": str(folder / "users.sqlite")}
    data["web"] = {"host": "127.0.0.1", "port": web_port}
    # The pasteuriser read every 5 s: sped up 200x, the hold's gap limit (3 periods) is
    # still 75 ms of real time, which a laptop busy elsewhere does not miss.
    for probe in data["probes"]:
        probe["sample_period_s"] = max(probe.get("sample_period_s", 10.0), 5.0)
    return validate_mapping(data, str(EXAMPLE))


def _free_port(wanted: int = 0) -> int:
    """``wanted`` if nothing listens on it on the loopback (0: any free port), else 0."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", wanted))
        except OSError:
            return 0
        return int(sock.getsockname()[1])


def web_port(wanted: int) -> tuple[int, str]:
    """The port to serve the web application on, and a note when it is not ``wanted``."""
    port = _free_port(wanted)
    if port:
        return port, ""
    port = _free_port()
    return port, f" (port {wanted} is busy)"


async def _until(check: Callable[[], bool], limit_s: float) -> bool:
    for _ in range(int(limit_s / 0.1)):
        if check():
            return True
        await asyncio.sleep(0.1)
    return check()


async def run_demo(
    folder: Path,
    speed: float,
    say: Callable[[str], None],
    *,
    port: int,
    keep: bool = False,
) -> bool:
    """Run the day; True when both cycles closed and the journal verified.

    ``port``: the web application's, or a free one if it is busy. ``keep``: then serve on at
    real speed until SIGINT or SIGTERM stops the daemon.
    """
    served_on, busy = web_port(port)
    settings = demo_settings(folder, _free_port(), _free_port(), served_on)
    public_key, key_id = keygen(settings.signing.key_file)
    (folder / "device.pub").write_text(public_key + "\n", encoding="ascii")
    users = UserStore(settings.users.path, PasswordHasher(time_cost=1, memory_cost=1024))
    for username, name, role, password in DEMO_USERS:
        users.add(0, username, name, role, password, by=DEMO_USERS[0][0])
    users.close()
    clock = DemoClock(speed)
    lab = Lab.from_scenario(load_shipped_scenario("demo-day"))
    daemon = Daemon(settings, clock)
    say(f"journal {settings.journal.path} (device key {key_id}); simulated time {speed:g}x")
    async with Simulation(settings, lab, clock, embedded_broker=True):
        task = asyncio.create_task(daemon.run(), name="daemon")
        try:
            await asyncio.wait_for(daemon.ready.wait(), 15)
            say(f"web application: {daemon.api_url}/{busy}; sign in as")
            for username, name, _role, password in DEMO_USERS:
                say(f"  {username:7} password {password:16} {name}")
            if daemon.api_socket is None:
                say("the daemon could not open its Unix socket: see the log above")
                return False
            api = Technician(daemon.api_socket)
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
            if keep:
                # Real time from here: a lab to look at in the browser, not one that races.
                clock.slow_to(1.0)
                say(f"the day is over; the lab goes on at 1x and {daemon.api_url}/ stays up: "
                    "Ctrl-C stops")  # fmt: skip
                await task  # the daemon's own handlers turn SIGINT and SIGTERM into its stop
        finally:
            daemon.stop("demo over")
            await asyncio.wait_for(task, 15)
    report = verify_journal(settings.journal.path, public_key)
    say(f"journal verification: {'OK' if report.ok else 'FAILED'}")
    return report.ok


class Technician:
    """Anne at the API through the daemon's Unix socket, as the command line goes: every
    change she asks for carries her password."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket

    async def get(self, path: str) -> Any:
        return await request(self.socket, "http://localhost", "GET", path, None)

    async def post(self, path: str, **body: Any) -> Any:
        signed = {"user": "anne", "password": PASSWORD, **body}
        return await request(self.socket, "http://localhost", "POST", path, signed)


def _closed(daemon: Daemon) -> dict[str, str]:
    """Closed cycles and their verdict in words, as the daemon's pipeline holds them."""
    out = {}
    for cycle in daemon.pipeline.closed if daemon.pipeline else []:
        verdict = cycle.machine.verdict
        if verdict is not None:
            reasons = "; ".join(verdict.reasons) or "hold proven, cooled in time"
            out[cycle.stream] = f"{verdict.outcome.value.upper()} ({reasons})"
    return out
