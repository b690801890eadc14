"""The lot pages over real HTTP against a real daemon: the list and the dossier of a lot made
through the API, each act signed from its form and refused with the desk's reason, the
downloads, and the roles and CSRF enforced on the server."""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path
from typing import Any

import aiohttp

from monitor.journal import JournalReader, lot_stream
from monitor.service.daemon import Daemon
from monitor.users import Role
from tests.monitor.service.lot_harness import closed_cycle
from tests.monitor.service.quiet_daemon import PW, quiet_daemon
from tests.monitor.web.web_client import WebClient

PEOPLE = {
    "sophie": Role.SUPERVISOR,
    "anne": Role.TECHNICIAN,
    "ines": Role.INSPECTOR,
    "wall": Role.KIOSK,
}
RAW, READY = "L2026-001", "L2026-002"
REFUSED = '<p class="flash refused" role="alert"><strong>'


async def create_lot(daemon: Daemon, lot: str) -> dict[str, Any]:
    """A lot of two donors, six bottles, made through the API as ``lactamon lot create``."""
    body = {"user": "anne", "password": PW, "lot": lot, "sub_lots": ["D001", "D002"],
            "total_flora_cfu_ml": 5e3, "s_aureus_cfu_ml": 10, "bottles": 6,
            "volume_ml": 540, "lab_reference": "LAB-17"}  # fmt: skip
    async with (
        aiohttp.ClientSession() as http,
        http.post(daemon.api_url + "/api/lots", json=body) as answer,
    ):
        assert answer.status in (200, 201), await answer.text()
        found: dict[str, Any] = await answer.json()
        return found


def passed_cycle(daemon: Daemon, lot: str) -> str:
    """A passing cycle's records for ``lot``, as the pipeline closes one."""
    assert daemon.pipeline is not None
    now = daemon.clock.now_ns()
    return closed_cycle(daemon.pipeline.journal, [lot], now, now + 1_000_000)


def lot_kinds(daemon: Daemon, lot: str) -> list[str]:
    assert daemon.pipeline is not None
    daemon.pipeline.journal.flush()
    with JournalReader(daemon.pipeline.journal.path) as reader:
        return [r.kind for r in reader.stream_records(lot_stream(lot))]


async def test_list_and_dossier_of_a_lot_made_through_the_api(tmp_path: Path) -> None:
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        await create_lot(daemon, RAW)
        client = WebClient(daemon.api_url, headers={"Accept-Language": "en"})
        try:
            await client.sign_in("anne", PW)
            answer = await client.get("/lots")
            assert answer.status == 200
            assert f'href="/lots/{RAW}"' in client.page
            assert "in quarantine" in client.page
            assert '<a href="/lots">' in client.page  # the navigation
            answer = await client.get(f"/lots/{RAW}")
            assert answer.status == 200, client.message()
            for shown in ("D001, D002", "6 bottle(s), 540 mL", "LAB-17", "5000 CFU/mL",
                          "before pasteurisation", "in no enclosure", "Never stored."):  # fmt: skip
                assert shown in client.page, shown
            # A technician's forms; the release and the decision are a supervisor's.
            assert 'action="/lots/L2026-001/store"' in client.page
            assert "I store this lot" in client.page
            assert 'action="/lots/L2026-001/release"' not in client.page

            for bad in ("/lots/L2099-999", "/lots/not%20a%20lot", "/lots/L2099-999/curve.csv"):
                answer = await client.get(bad)
                assert answer.status == 404, bad
                assert "unknown lot" in client.message()
                assert "Traceback" not in client.page
            assert (await client.get("/lots?show=some")).status == 400
        finally:
            await client.close()


async def test_release_refused_by_role_then_by_rule_stored_and_distributed(
    tmp_path: Path,
) -> None:
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        await create_lot(daemon, RAW)
        await create_lot(daemon, READY)
        anne = WebClient(daemon.api_url, headers={"Accept-Language": "en"})
        sophie = WebClient(daemon.api_url, headers={"Accept-Language": "fr"})
        try:
            await anne.sign_in("anne", PW)
            await anne.get(f"/lots/{RAW}")
            answer = await anne.post(f"/lots/{RAW}/release", {"password": PW})
            assert answer.status == 403
            assert REFUSED + "Not done:" in anne.page  # on the lot's own page
            assert "only a supervisor (the pharmacist or doctor in charge) may release" in anne.page

            await sophie.sign_in("sophie", PW)
            await sophie.get(f"/lots/{RAW}")
            assert "Je libère ce lot" in sophie.page  # the meaning, by the password
            answer = await sophie.post(f"/lots/{RAW}/release", {"password": PW})
            assert answer.status == 409
            assert REFUSED + "Non fait :" in sophie.page
            assert "cannot be released: it is raw milk in quarantine" in sophie.page
            answer = await sophie.post(f"/lots/{RAW}/release", {"password": "wrong"})
            assert answer.status == 401
            answer = await sophie.post(f"/lots/{RAW}/destroy", {"reason": "", "password": PW})
            assert answer.status == 400
            assert "field reason is required" in sophie.page

            passed_cycle(daemon, READY)
            await anne.get(f"/lots/{READY}")
            control = {"stage": "after", "total_flora": "0", "s_aureus": "0",
                       "lab_reference": "LAB-18", "password": PW}  # fmt: skip
            answer = await anne.post(f"/lots/{READY}/bacteriology", control)
            assert answer.status == 200
            assert ("ok", "Bacteriology recorded — signed by Anne (recorded)") in anne.flashes()
            await sophie.get(f"/lots/{READY}")
            answer = await sophie.post(f"/lots/{READY}/release", {"comment": "", "password": PW})
            assert answer.status == 200, sophie.page
            assert "Lot libéré — signé par Sophie (released)" in sophie.page
            assert "libéré" in sophie.page

            answer = await anne.post(f"/lots/{READY}/store", {"enclosure": "F1", "password": PW})
            assert answer.status == 200
            assert '<dd class="where"><strong>F1</strong>' in anne.page
            assert "still there" in anne.page
            assert 'action="/lots/L2026-002/move"' in anne.page
            given = {"bottles": "2", "volume_ml": "180", "ward": "neonatology",
                     "recipient_ref": "RX-2231", "password": PW}  # fmt: skip
            answer = await anne.post(f"/lots/{READY}/distribute", given)
            assert answer.status == 200
            assert "RX-2231" in anne.page
            assert "4 bottle(s), 360 mL" in anne.page  # what is left
            answer = await anne.post(f"/lots/{READY}/store", {"enclosure": "F9", "password": PW})
            assert answer.status == 404
            assert "unknown enclosure 'F9'" in html.unescape(anne.page)
        finally:
            await anne.close()
            await sophie.close()
        assert lot_kinds(daemon, RAW) == ["lot_created", "bacteriology_recorded"]
        assert lot_kinds(daemon, READY)[-4:] == [
            "bacteriology_recorded", "lot_released", "stay_started", "lot_distributed"
        ]  # fmt: skip


async def test_downloads_inspector_reads_kiosk_may_not_and_posts_need_role_and_csrf(
    tmp_path: Path,
) -> None:
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        await create_lot(daemon, READY)
        cycle = passed_cycle(daemon, READY)
        ines, wall = WebClient(daemon.api_url), WebClient(daemon.api_url)
        anne = WebClient(daemon.api_url)
        try:
            await ines.sign_in("ines", PW)
            answer = await ines.get(f"/lots/{READY}")
            assert answer.status == 200
            assert "/store" not in ines.page  # no form for an inspector
            assert 'type="password"' not in ines.page

            answer = await ines.http.get(f"{daemon.api_url}/lots/{READY}/curve.csv")
            assert answer.status == 200
            assert answer.headers["Content-Type"].startswith("text/csv")
            assert "L2026-002-curves.csv" in answer.headers["Content-Disposition"]
            rows = list(csv.reader(io.StringIO(await answer.text())))
            assert rows[0] == ["stream", "seq", "ts_utc", "ts_local", "probe", "value_c",
                               "quality"]  # fmt: skip
            answer = await ines.http.get(f"{daemon.api_url}/lots/{READY}/bundle.jsonl")
            assert answer.status == 200
            lines = (await answer.text()).splitlines()
            streams = json.dumps([json.loads(line) for line in lines])
            assert lot_stream(READY) in streams
            assert cycle in streams
            answer = await ines.http.get(f"{daemon.api_url}/lots/{READY}/dossier.pdf")
            assert answer.status == 200, await answer.text()
            assert answer.headers["Content-Type"] == "application/pdf"
            assert (await answer.read()).startswith(b"%PDF")

            answer = await ines.post(f"/lots/{READY}/destroy", {"reason": "x", "password": PW})
            assert answer.status == 403
            assert "ines n'a pas le droit : handle_lot" in html.unescape(ines.message())

            await wall.sign_in("wall", PW)
            for path in (f"/lots/{READY}", f"/lots/{READY}/bundle.jsonl", "/lots"):
                assert (await wall.get(path)).status == 403, path

            await anne.sign_in("anne", PW)
            await anne.get(f"/lots/{READY}")
            answer = await anne.post(
                f"/lots/{READY}/destroy", {"reason": "x", "password": PW}, token=False
            )
            assert answer.status == 403
            assert "reload the page" in anne.message()
        finally:
            for client in (ines, wall, anne):
                await client.close()
        assert "lot_destroyed" not in lot_kinds(daemon, READY)
