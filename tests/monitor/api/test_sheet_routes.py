"""The daily sheets' routes over real HTTP, in front of the daemon's own sheet desk.

Each refusal has the status of its kind and records nothing; a signature and a review are
201 with the sheet or the month as they now stand.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from monitor.journal import JournalReader
from monitor.sheets.days import local_ns
from tests.fixtures.api_token import READ_HEADERS
from tests.monitor.api.fakes import serving
from tests.monitor.service.quiet_daemon import PW
from tests.monitor.service.sheet_lab import Lab, sheet_lab
from tests.monitor.sheets.month_journal import ZONE, Day

NOW = local_ns(date(2026, 11, 20), 12 * 60, ZONE)
DAYS = [("F1", Day(date(2026, 11, 19), 2.0, 3.9, 3.0)), ("F1", Day(date(2026, 11, 18), 2, 4, 3))]
SIGN = "/api/sheets/F1/2026-11-19/sign"
ANNE = {"user": "anne", "password": PW}


async def send(url: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession(headers=READ_HEADERS) as s,
        s.request(method, url + path, json=body) as r,
    ):
        return r.status, await r.json()


def sheet_records(lab: Lab) -> list[bytes]:
    lab.journal.flush()
    with JournalReader(lab.journal.path) as reader:
        names = [n for n in reader.stream_names() if n.startswith("sheets:")]
        return [r.hash for n in names for r in reader.stream_records(n)]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("GET", "/api/sheets/F1/2026-11-31", None, 400, "malformed day '2026-11-31'"),
        ("GET", "/api/sheets/F9/2026-11-19", None, 404, "unknown enclosure 'F9' (known: F1, F2"),
        ("GET", "/api/sheets?enclosure=F1", None, 400, "give the enclosure and the month"),
        ("GET", "/api/sheets?enclosure=F1&month=11", None, 400, "malformed month '11'"),
        ("POST", SIGN, {**ANNE, "user": "ines"}, 403, "inspector ines may not sign_sheet"),
        ("POST", SIGN, {**ANNE, "password": "nope"}, 401, "wrong user name or password"),
        ("POST", SIGN, {"user": "anne"}, 400, "password: Field required"),
        ("POST", SIGN, {**ANNE, "signed": True}, 400, "signed: Extra inputs"),
        ("POST", "/api/sheets/F1/2026-11-20/sign", ANNE, 409, "is not closed yet"),
        ("POST", "/api/sheets/F1/2026-11-02/sign", ANNE, 404, "holds no record of that day"),
        ("POST", "/api/sheets/F1/21-11-2026/sign", ANNE, 400, "malformed day"),
        ("POST", "/api/sheets/F1/2026-11/review", {**ANNE, "user": "sophie"}, 409,
         "the month 2026-11 is not over"),
        ("POST", "/api/sheets/F1/2026-11/review", ANNE, 403, "technician anne may not review"),
    ],
)  # fmt: skip
async def test_refusals_have_their_status_and_record_nothing(
    tmp_path: Path, method: str, path: str, body: Any, status: int, message: str
) -> None:
    async with sheet_lab(tmp_path, NOW, DAYS) as lab, lab.serve() as url:
        before = sheet_records(lab)
        answer = await send(url, method, path, body)
        assert answer[0] == status, answer
        assert message in answer[1]["error"]
        assert sheet_records(lab) == before


async def test_sign_correct_and_review(tmp_path: Path) -> None:
    async with sheet_lab(tmp_path, NOW, DAYS) as lab, lab.serve() as url:
        status, sheet = await send(url, "GET", "/api/sheets/F1/2026-11-19")
        assert (status, sheet["closed"], sheet["signature"]) == (200, True, None)
        status, signed = await send(url, "POST", SIGN, {**ANNE, "comment": "ok"})
        assert status == 201, signed
        assert signed["signature"]["printed_name"] == "Anne Martin"
        assert signed["signature"]["meaning"] == "I sign the daily sheet"
        status, twice = await send(url, "POST", SIGN, ANNE)
        assert status == 409
        assert "is already signed by Anne Martin (anne)" in twice["error"]
        status, fixed = await send(url, "POST", SIGN, {**ANNE, "correct": "wrong comment"})
        assert status == 201, fixed
        assert fixed["signature"]["replaces_seq"] == signed["signature"]["seq"]
        assert fixed["corrected"][0]["seq"] == signed["signature"]["seq"]

        lab.clock.now = local_ns(date(2026, 12, 1), 9 * 60, ZONE)
        review = {"user": "sophie", "password": PW}
        status, refused = await send(url, "POST", "/api/sheets/F1/2026-11/review", review)
        assert status == 409
        assert "1 sheet(s) of F1 for 2026-11 not signed (2026-11-18)" in (refused["error"])
        status, _ = await send(url, "POST", "/api/sheets/F1/2026-11-18/sign", review)
        assert status == 201
        status, month = await send(url, "POST", "/api/sheets/F1/2026-11/review", review)
        assert status == 201, month
        assert month["review"]["days"] == ["2026-11-18", "2026-11-19"]
        assert month["review_stands"] is True
        status, again = await send(url, "POST", "/api/sheets/F1/2026-11/review", review)
        assert status == 409
        assert "already reviewed by Dr Sophie Bernard" in again["error"]
        status, listed = await send(url, "GET", "/api/sheets?enclosure=F1&month=2026-11")
        assert status == 200
        assert listed["unsigned"] == []
        assert listed["review_stands"]


async def test_a_service_without_sheets_says_so() -> None:
    async with serving() as (server, _):
        status, answer = await send(server.url, "GET", "/api/sheets/F1/2026-11-19")
    assert (status, answer) == (404, {"error": "this service keeps no daily sheets"})
