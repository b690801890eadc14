"""Each role in a real browser sees the acts it may sign, and no other.

A technician, a supervisor, an inspector and a wall screen (kiosk) each sign in through the
form and open the same pages: the overview (with alarm stale:F2-air waiting), the alarms, a
lot in quarantine, yesterday's closed daily sheet of F1, the cycles and the users. Each page
offers the acts of the role: the technician acknowledges, handles the lot, signs the sheet
and starts cycles; the supervisor also releases and manages users; the inspector reads all
and signs nothing; the kiosk sees the overview only. Then the inspector forges, from her own
page with its valid CSRF token, the POSTs the forms would send: each is refused (403, her
role named) and nothing is recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from monitor.users import Role
from tests.fixtures.browser import expect, sign_in
from tests.monitor.service.quiet_daemon import PW, STALE, quiet_daemon, snapshot
from tests.monitor.web.test_lot_pages import READY, create_lot
from tests.monitor.web.test_sheet_pages import D19, closed_day

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

PEOPLE = {
    "anne": Role.TECHNICIAN,
    "sophie": Role.SUPERVISOR,
    "ines": Role.INSPECTOR,
    "wall": Role.KIOSK,
}
LOT = f"/lots/{READY}"
SHEET = f"/sheets/F1/{D19}"
PAGES = ("/", "/alarms", LOT, SHEET, "/cycles", "/users")
# What a person sees to sign each act, wherever it is offered.
ACTS = {
    "acknowledge": "#banner a.button[href='/alarms'], #ack-form button[type=submit], "
    "input[name=key][type=checkbox]",
    "release": "#release-form",
    "handle lot": "#store-form, #bacteriology-form, #destroy-form",
    "sign sheet": "#sign-form",
    "start cycle": "form[action='/cycles/start']",
    "manage users": "form[action='/users/add']",
}
Offers = dict[str, set[str] | int]  # each page's acts, or its status when refused
TECHNICIAN: Offers = {"/": {"acknowledge"}, "/alarms": {"acknowledge"}, LOT: {"handle lot"},
              SHEET: {"sign sheet"}, "/cycles": {"start cycle"}, "/users": 403}  # fmt: skip
OFFERS: dict[str, Offers] = {
    "anne": TECHNICIAN,
    "sophie": {**TECHNICIAN, LOT: {"release", "handle lot"}, "/users": {"manage users"}},
    "ines": {**{path: set() for path in PAGES}, "/users": 403},
    "wall": {**dict.fromkeys(PAGES, 403), "/": set()},
}
READING = ["Overview", "Alarms", "Cycles", "Lots", "Daily sheets", "Probes", "Audit trail",
           "Verification"]  # fmt: skip
NAV = {"anne": READING, "sophie": [*READING, "Users"], "ines": READING, "wall": ["Overview"]}
# The POSTs of the forms, as an inspector would forge them.
FORGED = {
    "/alarms/acknowledge": {"key": STALE, "comment": "seen", "password": PW},
    f"{LOT}/release": {"comment": "looks fine", "password": PW},
    f"{LOT}/store": {"enclosure": "F1", "comment": "", "password": PW},
    f"{SHEET}/sign": {"comment": "", "password": PW},
    "/cycles/start": {"pasteuriser": "P1", "program": "holder63", "lots": READY, "password": PW},
    "/users/add": {"username": "eve", "name": "Eve", "role": "supervisor",
                   "new_password": "a long password", "password": PW},
}  # fmt: skip
FETCH = """
async ([path, fields]) => {
  const answer = await fetch(path, { method: "POST", body: new URLSearchParams(fields),
                                     credentials: "same-origin", redirect: "manual" });
  return [answer.status, await answer.text()];
}
"""


async def offers(page: Page, url: str) -> set[str] | int:
    """The acts ``url`` offers the page's user, or the page's status if it is refused."""
    answer = await page.goto(url)
    assert answer is not None
    if answer.status != 200:
        return answer.status
    return {act for act, selector in ACTS.items() if await page.locator(selector).count()}


async def test_each_role_sees_its_acts_and_an_inspector_forges_in_vain(
    tmp_path: Path, browser: Browser
) -> None:
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        await create_lot(daemon, READY)
        closed_day(daemon)
        base = daemon.api_url
        pages: dict[str, Page] = {}
        for user, role in PEOPLE.items():
            context = await browser.new_context(locale="en-GB")
            page = pages[user] = await context.new_page()
            await sign_in(page, base, user, PW)
            await expect(page.locator(".who .user")).to_have_text(f"{user.title()} · {role}")
            await expect(page.locator("#banner-list")).to_contain_text(STALE)
            await expect(page.locator("header.top nav a")).to_have_text(NAV[user])
            seen = {path: await offers(page, base + path) for path in PAGES}
            assert seen == OFFERS[user], user
        # The kiosk's banner names the alarm without a link to a page it may not read.
        wall = pages["wall"]
        await wall.goto(base + "/")
        assert await wall.locator("#banner-list a").count() == 0
        # An inspector may read every record, and signs none of them.
        ines = pages["ines"]
        for path in ("/", "/alarms", f"/alarms/{STALE}", LOT, SHEET, "/sheets", "/cycles"):
            await ines.goto(base + path)
            assert await ines.locator("fieldset.signature").count() == 0, path

        await ines.goto(base + "/alarms")
        token = await ines.locator("input[name=csrf]").first.get_attribute("value")
        assert token
        before = snapshot(daemon)
        for path, fields in FORGED.items():
            status, text = await ines.evaluate(FETCH, [path, {"csrf": token, **fields}])
            assert status == 403, (path, status)
            assert "inspector ines may not" in text, path  # her role, not the token
        assert snapshot(daemon) == before
