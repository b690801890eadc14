"""A daily sheet signed in a real browser: a technician finds yesterday's sheet of F1 unsigned
in the month's table, opens it, reads what her signature means, is refused with a wrong
password (the reason shown on the same page, the sheet still unsigned), signs it with her
own, and the month's table shows it signed; the journal holds her one signature."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from monitor.journal import JournalReader
from monitor.users import Role
from tests.fixtures.browser import expect, sign_in
from tests.monitor.service.quiet_daemon import PW, quiet_daemon
from tests.monitor.web.test_sheet_pages import D19, closed_day

if TYPE_CHECKING:
    from playwright.async_api import Browser

MONTH_STREAM = "sheets:F1:2026-11"
MEANING = "I sign the daily sheet"
COMMENT = "excursion at 10:00: door left ajar during the delivery"


async def test_a_technician_signs_yesterdays_sheet(tmp_path: Path, browser: Browser) -> None:
    async with quiet_daemon(tmp_path, {"anne": Role.TECHNICIAN}) as daemon:
        assert daemon.pipeline is not None
        closed_day(daemon)
        context = await browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        await sign_in(page, daemon.api_url, "anne", PW)
        await page.click("nav >> text=Daily sheets")
        await expect(page.locator("h1")).to_have_text("Daily sheets — F1, 2026-11")
        row = page.locator("tr", has=page.locator(f'a[href="/sheets/F1/{D19}"]'))
        await expect(row).to_have_class("sheet-unsigned")
        await row.locator("a").click()

        await expect(page.locator("h1")).to_have_text(f"Daily sheet — F1, {D19}")
        await expect(page.locator("main")).to_contain_text("6.4 °C")  # the day's maximum
        form = page.locator("#sign-form")
        await expect(form.locator(".meaning")).to_have_text(f"Anne (anne) — {MEANING}")
        await form.locator("input[name=comment]").fill(COMMENT)
        await form.locator("input[name=password]").fill("not her password")
        async with page.expect_response(f"**/sheets/F1/{D19}/sign") as refused:
            await form.locator("button[type=submit]").click()
        assert (await refused.value).status == 401
        await expect(page.locator(".flash.refused[role=alert]")).to_contain_text(
            "Not done: wrong user name or password"
        )
        await expect(page.locator("main")).to_contain_text("Not signed.")

        await form.locator("input[name=comment]").fill(COMMENT)
        await form.locator("input[name=password]").fill(PW)
        await form.locator("button[type=submit]").click()
        await expect(page.locator(".flash.ok")).to_have_text(
            f"Daily sheet signed — Anne ({MEANING})"
        )
        await expect(page.locator(".signed")).to_contain_text("Signed by Anne (anne)")
        await expect(page.locator(".signed")).to_contain_text(COMMENT)
        await expect(page.locator("#sign-form h3")).to_have_text("Correct the signature")

        await page.click("text=The month's sheets")
        await expect(row).to_have_class("sheet-signed")
        await expect(row.locator(".sstate")).to_contain_text("Anne")

        daemon.pipeline.journal.flush()
        with JournalReader(daemon.pipeline.journal.path) as reader:
            records = reader.stream_records(MONTH_STREAM)
    signed = [(r.kind, r.fields["day"], r.fields["user"], r.fields["printed_name"],
               r.fields["meaning"], r.fields["comment"]) for r in records]  # fmt: skip
    assert signed == [("sheet_signed", D19.isoformat(), "anne", "Anne", MEANING, COMMENT)]
