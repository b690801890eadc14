"""The daily sheet pages over real HTTP against a real daemon: a closed day (its records
written as the daemon closes a day), the month's table, a signature from the day's page,
the review refused with the desk's reason, the month's PDF, and bad days as error pages."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from monitor.journal import JournalReader
from monitor.service.daemon import Daemon
from monitor.users import Role
from tests.monitor.service.quiet_daemon import PW, quiet_daemon
from tests.monitor.sheets.month_journal import Day, Excursion, close_day
from tests.monitor.web.web_client import WebClient

PEOPLE = {"sophie": Role.SUPERVISOR, "anne": Role.TECHNICIAN, "ines": Role.INSPECTOR}
D19 = date(2026, 11, 19)  # the day before the daemon's clock starts (2026-11-20, 10:00 Paris)


def closed_day(daemon: Daemon) -> None:
    assert daemon.pipeline is not None
    spec = Day(D19, 2.1, 6.4, 3.2, excursions=(Excursion(600, 640, 6.4),))
    close_day(daemon.pipeline.journal, "F1", spec)


def signatures(daemon: Daemon) -> list[tuple[str, str, str]]:
    assert daemon.pipeline is not None
    daemon.pipeline.journal.flush()
    with JournalReader(daemon.pipeline.journal.path) as reader:
        records = reader.stream_records("sheets:F1:2026-11")
    return [(r.kind, str(r.fields["user"]), str(r.fields["meaning"])) for r in records]


async def test_the_month_a_day_and_its_signature(tmp_path: Path) -> None:
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        closed_day(daemon)
        anne = WebClient(daemon.api_url, headers={"Accept-Language": "en"})
        try:
            await anne.sign_in("anne", PW)
            answer = await anne.get("/sheets?enclosure=F1&month=2026-11")
            assert answer.status == 200, anne.message()
            assert 'href="/sheets/F1/2026-11-19"' in anne.page
            assert '<tr class="sheet-unsigned">' in anne.page
            assert "NOT SIGNED" in anne.page
            assert "6.4 °C" in anne.page
            assert 'href="/sheets"' in anne.page  # the navigation
            assert 'id="review-form"' not in anne.page  # a supervisor's

            await anne.get("/sheets/F1/2026-11-19")
            assert "I sign the daily sheet" in anne.page
            assert "2.1 °C" in anne.page
            assert "alarmed" in anne.page  # the excursion
            answer = await anne.post("/sheets/F1/2026-11-19/sign", {"comment": "door shut",
                                                                     "password": PW})  # fmt: skip
            assert answer.status == 200
            assert ("ok", "Daily sheet signed — Anne (I sign the daily sheet)") in anne.flashes()
            assert "Signed by Anne (anne)" in anne.page
            assert "Correct the signature" in anne.page

            answer = await anne.post("/sheets/F1/2026-11-19/sign", {"password": PW})
            assert answer.status == 409
            assert "is already signed by Anne (anne)" in anne.page
            answer = await anne.post("/sheets/F1/2026-11-20/sign", {"password": PW})
            assert answer.status == 409
            assert "is not closed yet" in anne.page
            await anne.get("/sheets?enclosure=F1&month=2026-11")
            answer = await anne.post("/sheets/F1/2026-11/review", {"password": PW})
            assert answer.status == 403
            assert "only supervisors review" in anne.page
        finally:
            await anne.close()
        assert signatures(daemon) == [("sheet_signed", "anne", "I sign the daily sheet")]


async def test_review_refused_pdf_bad_days_and_an_inspector(tmp_path: Path) -> None:
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        closed_day(daemon)
        sophie, ines = WebClient(daemon.api_url), WebClient(daemon.api_url)
        try:
            await sophie.sign_in("sophie", PW)
            await sophie.get("/sheets?enclosure=F1&month=2026-10")
            assert 'id="review-form"' in sophie.page  # October is over
            answer = await sophie.post("/sheets/F1/2026-10/review", {"password": PW})
            assert answer.status == 404
            assert "no daily sheet of F1 in 2026-10" in sophie.page
            answer = await sophie.post("/sheets/F1/2026-11/review", {"password": PW})
            assert answer.status == 409
            assert "the month 2026-11 is not over" in sophie.page

            for path, status, words in [
                ("/sheets/F1/2026-11-31", 400, "malformed day '2026-11-31'"),
                ("/sheets/F9/2026-11-19", 404, "unknown enclosure 'F9'"),
                ("/sheets?enclosure=F1&month=11", 400, "malformed month '11'"),
                ("/sheets?enclosure=F9", 404, "unknown enclosure 'F9'"),
                ("/sheets/F9/2026-11.pdf", 404, "unknown enclosure 'F9'"),
            ]:
                answer = await sophie.get(path)
                assert answer.status == status, path
                assert words in html.unescape(sophie.message()), path

            await ines.sign_in("ines", PW)
            answer = await ines.get("/sheets/F1/2026-11-19")
            assert answer.status == 200
            assert 'id="sign-form"' not in ines.page
            answer = await ines.post("/sheets/F1/2026-11-19/sign", {"password": PW})
            assert answer.status == 403
            answer = await ines.http.get(f"{daemon.api_url}/sheets/F1/2026-11.pdf")
            assert answer.status == 200, await answer.text()
            assert answer.headers["Content-Type"] == "application/pdf"
            assert "sheets-F1-2026-11.pdf" in answer.headers["Content-Disposition"]
            assert (await answer.read()).startswith(b"%PDF")
        finally:
            await sophie.close()
            await ines.close()
        assert signatures(daemon) == []
