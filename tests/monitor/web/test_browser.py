"""The web application in a real browser (Chromium through Playwright) against a real daemon:
a technician acknowledges two alarms with one password, the kiosk only looks, an inspector
is refused on POST. ``LACTAMON_SCREENSHOTS=docs/images`` keeps the screenshots there."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.alarms import AlarmState, Priority
from monitor.journal import JournalReader
from monitor.journal.streams import ALARM_STREAM
from monitor.reading import Quality, Reading
from monitor.users import Role
from tests.fixtures.browser import expect, sign_in
from tests.monitor.service.quiet_daemon import PW, STALE, quiet_daemon

PEOPLE = {"anne": Role.TECHNICIAN, "wall": Role.KIOSK, "ines": Role.INSPECTOR}
SECOND = "unclean_restart:device"
LAB = {"P1-bath": 21.4, "P1-ref": 20.9, "P1-b1": 21.0, "F1-air": 3.4, "Z1-air": -19.6}

if TYPE_CHECKING:
    from playwright.async_api import Browser


async def test_acknowledge_two_alarms_kiosk_and_inspector(tmp_path: Path, browser: Browser) -> None:
    shots = Path(os.environ.get("LACTAMON_SCREENSHOTS", tmp_path))
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        assert daemon.pipeline is not None
        desk = daemon.pipeline.desk
        desk.pulse(
            daemon.clock.now_ns(),
            SECOND,
            "device",
            Priority.HIGH,
            "the previous run did not stop cleanly (crash or power cut)",
        )
        now = daemon.clock.now_ns()
        for probe, value in LAB.items():  # what the lab's probes would say (F2-air stays silent)
            daemon.pipeline.on_reading(Reading(probe, now, value, Quality.OK))
        base = daemon.api_url
        tech = await browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 860})
        page = await tech.new_page()
        await sign_in(page, base, "anne", PW)
        banner = page.locator("#banner")
        await expect(banner).to_contain_text("2 alarm(s)")
        await expect(banner).to_contain_text(STALE)
        # The live feed updates the page without a reload.
        await expect(page.locator("#live")).to_have_text("live")
        await page.screenshot(path=str(shots / "overview.png"), full_page=True)

        await page.click("text=Acknowledge…")
        await page.check(f"input[name=key][value='{STALE}']")
        await page.check(f"input[name=key][value='{SECOND}']")
        await page.fill("input[name=comment]", "lab simulator not started yet")
        await page.fill("#ack-form input[name=password]", PW)
        await expect(page.locator(".meaning")).to_contain_text("I acknowledge")
        await page.screenshot(path=str(shots / "alarms.png"), full_page=True)
        await page.click("#ack-form button[type=submit]")
        await expect(page.locator(".flash.ok")).to_contain_text(STALE)
        await expect(page.locator(".flash.ok")).to_contain_text(SECOND)
        assert desk.get(STALE).state is AlarmState.ACKED
        assert desk.get(SECOND).state is AlarmState.NORMAL
        await page.goto(base + "/")
        await expect(page.locator("#banner")).to_be_hidden()

        kiosk = await browser.new_context(viewport={"width": 1280, "height": 800})
        wall = await kiosk.new_page()
        await sign_in(wall, base, "wall", PW)
        await expect(wall.locator(".tile").first).to_be_visible()
        acting = wall.locator("a.button, main button", has_text="Acknowledge")
        assert await acting.count() == 0
        assert await wall.locator("input[type=checkbox]").count() == 0

        inspect = await browser.new_context(locale="fr-FR")
        ines = await inspect.new_page()
        await sign_in(ines, base, "ines", PW)
        await ines.goto(base + "/alarms")
        await expect(ines.locator("h1")).to_have_text("Alarmes")
        token = await ines.locator("input[name=csrf]").first.get_attribute("value")
        refused = await ines.request.post(
            base + "/alarms/acknowledge",
            form={"csrf": token or "", "key": STALE, "comment": "c", "password": PW},
        )
        assert refused.status == 403
        daemon.pipeline.journal.flush()
        with JournalReader(daemon.pipeline.journal.path) as reader:
            acks = [
                r for r in reader.stream_records(ALARM_STREAM) if r.kind == "alarm_acknowledged"
            ]
        assert sorted(r.fields["alarm"] for r in acks) == sorted([STALE, SECOND])
        assert {
            (r.fields["user"], r.fields["printed_name"], r.fields["meaning"]) for r in acks
        } == {("anne", "Anne", "acknowledged")}
