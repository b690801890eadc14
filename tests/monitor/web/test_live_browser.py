"""The overview live in a real browser, fed over MQTT: the simulator's MQTT front-end
publishes F1's probe through a real Mosquitto to the daemon's MQTT driver, as in the lab.

A wall screen (kiosk) stays on the overview, never reloaded: a new reading of F1 shows on
its tile within 2 s of reaching the daemon; F1 rises out of its 0..4 °C band, the tile says
the excursion is within its delay (shortened here to 6 s), then that alarm band:F1 waits,
in the unacknowledged colour; a technician acknowledges it in her own browser with a comment
and her password, and the wall's tile turns to the acknowledged-but-active colour while F1
is still warm. The alarms stream holds her signed acknowledgement.
"""

from __future__ import annotations

import asyncio
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config import Settings
from monitor.alarms import AlarmState
from monitor.journal import JournalReader
from monitor.journal.streams import ALARM_STREAM
from monitor.service.daemon import Daemon
from monitor.users import Role
from monitor.web.acknowledging import MEANING
from simulator.frontends.mqtt_publisher import MqttFrontend
from simulator.models.probe import ProbeOutput
from tests.fixtures.browser import expect, sign_in
from tests.fixtures.mosquitto import MosquittoBroker
from tests.monitor.service.lab_settings import EXAMPLE
from tests.monitor.service.quiet_daemon import PW, quiet_daemon

if TYPE_CHECKING:
    from playwright.async_api import Browser, Locator

PEOPLE = {"anne": Role.TECHNICIAN, "wall": Role.KIOSK}
ALARM = "band:F1"
DELAY_MIN = 0.1  # the rules' 10 minutes, as 6 s: long enough to see, short enough to wait for
PUBLISH_EVERY_S = 0.2
COMMENT = "door found ajar, shut at once"
# The tiles' left border, as lactamon.css colours each state (--normal, --delay, …).
COLOURS = {
    "normal": "rgb(30, 132, 73)",
    "delay": "rgb(185, 119, 14)",
    "unacked": "rgb(192, 57, 43)",
    "acked": "rgb(125, 60, 152)",
}


class Fridge:
    """The simulated lab as the MQTT front-end asks it: F1-air says what the test sets."""

    def __init__(self, value_c: float) -> None:
        self.value_c = value_c

    def probe_output(self, probe_id: str) -> ProbeOutput:
        if probe_id != "F1-air":
            raise LookupError(probe_id)
        return ProbeOutput(self.value_c)

    def link_up(self, link_id: str) -> bool:
        raise LookupError(link_id)  # the broker is not a link this lab cuts


def sections(broker: MosquittoBroker) -> dict[str, Any]:
    """The daemon reads the test's broker, and F1 alarms after ``DELAY_MIN``."""
    enclosures = tomllib.loads(EXAMPLE.read_text())["enclosures"]
    return {
        "mqtt": {"host": broker.host, "port": broker.port,
                 "backoff": {"initial_s": 0.05, "max_s": 0.5}},
        "enclosures": [{**e, "delay_min": DELAY_MIN} if e["id"] == "F1" else e
                       for e in enclosures],
    }  # fmt: skip


def publishing(settings: Settings) -> Settings:
    """The simulator's settings: F1-air alone, published every ``PUBLISH_EVERY_S`` (the
    daemon polls it hourly only so that it never goes stale while a test runs)."""
    f1 = next(p for p in settings.probes if p.id == "F1-air")
    return settings.model_copy(
        update={"probes": [f1.model_copy(update={"sample_period_s": PUBLISH_EVERY_S})]}
    )


async def until(check: Callable[[], bool], what: str, timeout_s: float = 10.0) -> None:
    for _ in range(int(timeout_s / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def has_read(daemon: Daemon, value_c: float) -> Callable[[], bool]:
    assert daemon.pipeline is not None
    view = daemon.pipeline.probes["F1-air"]
    return lambda: view.last is not None and view.last.value == value_c


async def shows(tile: Locator, state: str, timeout_ms: float = 5000) -> None:
    """The tile is in ``state``, and its colour is that state's."""
    await expect(tile).to_have_class(re.compile(rf"\bstate-{state}\b"), timeout=timeout_ms)
    colour = await tile.evaluate("t => getComputedStyle(t).borderLeftColor")
    assert colour == COLOURS[state], (state, colour)


async def test_live_values_and_an_excursion_acknowledged(
    tmp_path: Path, mosquitto: MosquittoBroker, browser: Browser
) -> None:
    async with quiet_daemon(tmp_path, PEOPLE, **sections(mosquitto)) as daemon:
        assert daemon.pipeline is not None
        fridge = Fridge(3.4)
        async with MqttFrontend(publishing(daemon.settings), fridge, daemon.clock):
            await until(has_read(daemon, 3.4), "F1-air's first reading over MQTT")
            base = daemon.api_url
            wall = await (await browser.new_context(locale="en-GB")).new_page()
            await sign_in(wall, base, "wall", PW)
            tile = wall.locator('[data-tile="F1"]')
            value = tile.locator('[data-probe="F1-air"] [data-field="value"]')
            await expect(value).to_have_text("3.4 °C")
            await shows(tile, "normal")
            await expect(tile.locator('[data-field="state"]')).to_have_text("normal")
            # Gone if the page reloads: the values must come over the live feed.
            await wall.evaluate("window.neverReloaded = true")

            fridge.value_c = 3.1
            await until(has_read(daemon, 3.1), "the new reading")
            await expect(value).to_have_text("3.1 °C", timeout=2000)

            fridge.value_c = 6.2
            await until(has_read(daemon, 6.2), "the warm reading")
            await expect(value).to_have_text("6.2 °C", timeout=2000)
            await shows(tile, "delay")
            await expect(tile.locator('[data-field="state"]')).to_have_text(
                "excursion within its delay"
            )
            await shows(tile, "unacked", timeout_ms=DELAY_MIN * 60_000 + 5000)
            await expect(tile.locator('[data-field="state"]')).to_have_text("alarm unacknowledged")
            await expect(wall.locator("#banner-list")).to_contain_text(ALARM)
            assert await wall.locator("#banner a.button").count() == 0  # a kiosk only looks

            anne = await (await browser.new_context(locale="en-GB")).new_page()
            await sign_in(anne, base, "anne", PW)
            await expect(anne.locator("#banner-list")).to_contain_text(ALARM)
            await anne.click("#banner >> text=Acknowledge…")
            await anne.check(f"input[name=key][value='{ALARM}']")
            await anne.fill("#ack-form input[name=comment]", COMMENT)
            await expect(anne.locator("#ack-form .meaning")).to_contain_text(
                "Anne (anne) — I acknowledge"
            )
            await anne.fill("#ack-form input[name=password]", PW)
            await anne.click("#ack-form button[type=submit]")
            await expect(anne.locator(".flash.ok")).to_have_text(f"Acknowledged: {ALARM}")

            await shows(tile, "acked")
            await expect(tile.locator('[data-field="state"]')).to_have_text(
                "acknowledged, still active"
            )
            assert await wall.evaluate("window.neverReloaded === true")
            alarm = daemon.pipeline.desk.get(ALARM)
            assert alarm.state is AlarmState.ACKED
            assert alarm.condition_active  # F1 is still at 6.2 °C

        daemon.pipeline.journal.flush()
        with JournalReader(daemon.pipeline.journal.path) as reader:
            acks = [r.fields for r in reader.stream_records(ALARM_STREAM)
                    if r.kind == "alarm_acknowledged" and r.fields["alarm"] == ALARM]  # fmt: skip
        assert [(f["user"], f["printed_name"], f["comment"], f["meaning"]) for f in acks] == [
            ("anne", "Anne", COMMENT, MEANING)
        ]
