"""``lactamon sheet`` on a real daemon across a month's last midnight, with the simulated lab.

The daemon runs in this process on an accelerated clock (300x) from 23:00 on 30 November
2026 in Paris, reading the simulator's fridges and freezer over MQTT (an embedded broker)
and its pasteuriser over Modbus TCP (``scenarios/cold-chain-night.toml``: the quarantine
fridge's door is left ajar from 23:20). At midnight the day closes and its sheet holds the
figures; unsigned at the configured 01:00 it becomes the low alarm ``sheet:F1:2026-11-30``;
a technician signs it (the alarm returns to normal), a supervisor reviews November. Every
refused command exits 1, says why and records nothing. The month prints as a PDF, one page
per enclosure, and the journal verifies.

Each command runs on a worker thread with its password piped, as ``test_ops_cmd`` does.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import pytest_asyncio
from argon2 import PasswordHasher

from config import load_settings
from monitor.alarms import AlarmState, Priority
from monitor.clock import NS_PER_S, ScaledClock, datetime_to_ns
from monitor.journal import JournalReader, Record, keygen, verify_journal
from monitor.service.daemon import Daemon
from monitor.users import Role, UserStore
from simulator.lab import Lab
from simulator.scenario import load_scenario
from simulator.session import Simulation
from tests.benchmarks.test_demo_footprint import toml_text
from tests.fixtures.api_token import READ_HEADERS
from tests.fixtures.ports import free_port
from tests.monitor.cli.test_ops_cmd import Run, lactamon
from tests.monitor.service.lab_settings import lab_settings_mapping

pytestmark = pytest.mark.asyncio(loop_scope="module")

SCENARIO = Path(__file__).parents[1] / "service" / "scenarios" / "cold-chain-night.toml"
SPEED = 300.0
PARIS = ZoneInfo("Europe/Paris")
ORIGIN_NS = datetime_to_ns(datetime(2026, 11, 30, 23, 0, tzinfo=PARIS))
DAY, MONTH, KEY = "2026-11-30", "2026-11", "sheet:F1:2026-11-30"
DAY_STREAM, SHEETS = "enclosure:F1:2026-11-30", "sheets:F1:2026-11"
PW = "correct horse battery"
STDIN = {"pw": PW + "\n", "wrong": "not the password\n", "none": ""}
SIGN = ("sheet", "sign", "--enclosure", "F1", "--day", DAY)
REVIEW = ("sheet", "review", "--enclosure", "F1", "--month", MONTH)
# What a refusal must leave alone: people's acts (a checkpoint of the sheets stream and an
# alarm's escalation come with time, whatever anyone asks).
ACTS = {"alarm_raised", "alarm_cleared", "alarm_acknowledged", "alarm_shelved"}


@dataclass(frozen=True)
class Live:
    daemon: Daemon
    config: Path
    public_key: str
    clock: ScaledClock

    @property
    def url(self) -> str:
        return self.daemon.api_url


def at(hour: int, minute: int) -> float:
    """Simulated seconds from the origin to ``hour:minute`` of 1 December."""
    when = datetime_to_ns(datetime(2026, 12, 1, hour, minute, tzinfo=PARIS))
    return (when - ORIGIN_NS) / NS_PER_S


async def until(check: Any, timeout_s: float, what: str) -> None:
    for _ in range(int(timeout_s / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def live(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Live]:
    tmp = tmp_path_factory.mktemp("sheets")
    web = {"host": "127.0.0.1", "port": free_port()}
    data = lab_settings_mapping(tmp, free_port(), web=web, sheets={"unsigned_alarm_at": "01:00"})
    config = tmp / "lactamon.toml"
    config.write_text(toml_text(data))
    settings = load_settings(config)
    public_key, _ = keygen(settings.signing.key_file)
    users = UserStore(
        settings.users.path, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    users.add(0, "sophie", "Dr Sophie Bernard", Role.SUPERVISOR, PW, by="test")
    users.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="test")
    users.add(0, "ines", "Inès Roux", Role.INSPECTOR, PW, by="test")
    users.add(0, "guess", "Guess Who", Role.TECHNICIAN, PW, by="test")
    users.close()
    clock = ScaledClock(SPEED, ORIGIN_NS)
    lab = Lab.from_scenario(load_scenario(SCENARIO))
    daemon = Daemon(settings, clock)
    async with Simulation(settings, lab, clock, embedded_broker=True):
        task = asyncio.create_task(daemon.run(), name="daemon")
        try:
            await asyncio.wait_for(daemon.ready.wait(), 10)
            yield Live(daemon, config, public_key, clock)
        finally:
            daemon.stop("tests over")
            await asyncio.wait_for(task, 10)


def records(live: Live, stream: str) -> list[Record]:
    pipeline = live.daemon.pipeline
    assert pipeline is not None
    pipeline.journal.flush()
    with JournalReader(pipeline.journal.path) as reader:
        return reader.stream_records(stream)


def acts(live: Live) -> tuple[list[bytes], list[bytes]]:
    """People's records about the sheets: the sheets streams, the sheet alarms' acts."""
    sheets = [r.hash for r in records(live, SHEETS) if r.kind != "checkpoint"]
    alarms = [r.hash for r in records(live, "alarms")
              if r.kind in ACTS and str(r.fields.get("alarm")).startswith("sheet:")]  # fmt: skip
    return sheets, alarms


async def run(live: Live, *args: str, stdin: str = "none") -> Run:
    return await asyncio.to_thread(lactamon, live.config, *args, stdin=STDIN[stdin])


async def get(live: Live, path: str) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession(headers=READ_HEADERS) as s,
        s.get(live.url + path) as r,
    ):
        return r.status, await r.json()


async def test_the_day_closes_and_its_sheet_shows_its_figures(live: Live) -> None:
    await live.clock.sleep(at(0, 1) - live.clock.monotonic())
    await until(lambda: any(r.kind == "day_summarised" for r in records(live, DAY_STREAM)),
                10, "the closing record of 30 November")  # fmt: skip
    closing = next(r for r in records(live, DAY_STREAM) if r.kind == "day_summarised")
    f = closing.fields
    assert isinstance(f["min_c"], float)
    assert isinstance(f["max_c"], float)
    assert f["max_c"] > 4.0, "the door left ajar took the fridge out of its band"
    assert f["excursions"] == 1

    shown = await run(live, "sheet", "show", "--enclosure", "F1", "--day", DAY)
    assert shown.code == 0, shown.err
    assert f"daily sheet of F1 for {DAY} (Europe/Paris)" in shown.out
    assert f"min {f['min_c']:.2f} °C" in shown.out
    assert f"max {f['max_c']:.2f} °C" in shown.out
    assert f"mean {f['mean_c']:.2f} °C" in shown.out
    assert "excursions 1 (alarmed 1)" in shown.out
    assert "high, alarmed, went on past the day's end" in shown.out
    assert "NOT SIGNED" in shown.out

    status, sheet = await get(live, f"/api/sheets/F1/{DAY}")
    assert status == 200, sheet
    assert sheet["closed"] is True
    assert sheet["signature"] is None
    assert sheet["figures"]["max_c"] == f["max_c"]
    assert sheet["figures"]["hash"] == closing.hash.hex()
    status, month = await get(live, f"/api/sheets?enclosure=F1&month={MONTH}")
    assert status == 200, month
    assert [s["day"] for s in month["sheets"]] == [DAY]
    assert month["unsigned"] == [DAY]


async def test_unsigned_at_the_configured_hour_it_is_a_low_alarm(live: Live) -> None:
    pipeline = live.daemon.pipeline
    assert pipeline is not None
    alarms = pipeline.desk.manager.alarms
    assert live.clock.monotonic() < at(1, 0)
    assert KEY not in alarms, "alarmed before 01:00"
    await live.clock.sleep(at(1, 1) - live.clock.monotonic())
    await until(lambda: KEY in alarms, 5, f"the {KEY} alarm")
    alarm = alarms[KEY]
    assert (alarm.priority, alarm.state, alarm.source) == (Priority.LOW, AlarmState.UNACKED, "F1")
    assert "daily sheet of F1 for 2026-11-30 not signed (due by 2026-12-01 01:00" in alarm.message
    # Every enclosure has its sheet; none of 1 December, still open.
    assert {k for k in alarms if k.startswith("sheet:")} == {
        KEY, "sheet:F2:2026-11-30", "sheet:Z1:2026-11-30"}  # fmt: skip


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        ([*SIGN, "--user", "ines"], "pw",
         "inspector ines may not sign_sheet: only technicians and supervisors sign"),
        ([*REVIEW, "--user", "anne"], "pw",
         "technician anne may not review: only supervisors review"),
        ([*SIGN, "--user", "guess"], "wrong", "wrong user name or password"),
        ([*SIGN, "--user", "anne"], "none", "no password on standard input"),
        ([*SIGN, "--day", "2026-12-01", "--user", "anne"], "pw",
         "the daily sheet of F1 for 2026-12-01 is not closed yet: the day closes at local "
         "midnight (2026-12-02 00:00 Europe/Paris)"),
        ([*SIGN, "--day", "2026-11-12", "--user", "anne"], "pw",
         "no daily sheet of F1 for 2026-11-12: the journal holds no record of that day"),
        ([*SIGN, "--enclosure", "F9", "--user", "anne"], "pw",
         "unknown enclosure 'F9' (known: F1, F2, Z1)"),
        ([*SIGN, "--day", "2026-11-31", "--user", "anne"], "pw",
         "malformed day '2026-11-31': write the local date as YYYY-MM-DD"),
        ([*SIGN, "--day", "30/11", "--user", "anne"], "pw", "malformed day '30/11'"),
        ([*REVIEW, "--month", "2026-13", "--user", "sophie"], "pw", "malformed month '2026-13'"),
        ([*SIGN, "--correct", "wrong figures", "--user", "anne"], "pw",
         f"nothing to correct: the daily sheet of F1 for {DAY} is not signed yet"),
        ([*REVIEW, "--user", "sophie"], "pw",
         f"1 sheet(s) of F1 for {MONTH} not signed ({DAY}): each is signed before"),
        ([*REVIEW, "--month", "2026-12", "--user", "sophie"], "pw",
         "the month 2026-12 is not over: its sheets are reviewed from 2027-01-01 on"),
        ([*REVIEW, "--month", "2026-10", "--user", "sophie"], "pw",
         "no daily sheet of F1 in 2026-10"),
        (["sheet", "show", "--enclosure", "F1", "--day", "yesterday"], "none",
         "malformed day 'yesterday'"),
        (["sheet", "show", "--enclosure", "F9", "--day", DAY], "none", "unknown enclosure 'F9'"),
        (["sheet", "--month", "2026-11", "--pdf", "/nonexistent/dir/out.pdf"], "none",
         "cannot write /nonexistent/dir/out.pdf"),
    ],
)  # fmt: skip
async def test_refused_before_the_signature_records_nothing(
    live: Live, args: list[str], stdin: str, message: str
) -> None:
    before = acts(live)
    refused = await run(live, *args, stdin=stdin)
    assert (refused.code, refused.out) == (1, ""), refused.err
    assert message in refused.err
    assert refused.err.startswith("lactamon sheet: ")
    assert "Traceback" not in refused.err
    assert acts(live) == before


async def test_a_technician_signs_and_the_alarm_clears(live: Live) -> None:
    signed = await run(live, *SIGN, "--user", "anne", "--comment", "door closed", stdin="pw")
    assert signed.code == 0, signed.err
    assert signed.out.startswith(f"daily sheet of F1 for {DAY} signed by Anne Martin (anne) at ")
    pipeline = live.daemon.pipeline
    assert pipeline is not None
    alarm = pipeline.desk.manager.alarms[KEY]
    assert alarm.state is AlarmState.NORMAL
    assert not alarm.condition_active
    assert alarm.acked_by is not None
    assert alarm.acked_by.printed_name == "Anne Martin"
    (record,) = [r for r in records(live, SHEETS) if r.kind == "sheet_signed"]
    closing = next(r for r in records(live, DAY_STREAM) if r.kind == "day_summarised")
    f = record.fields
    assert (f["enclosure"], f["day"], f["day_stream"]) == ("F1", DAY, DAY_STREAM)
    assert (f["summary_seq"], f["summary_hash"]) == (closing.seq, closing.hash.hex())
    assert (f["min_c"], f["max_c"]) == (closing.fields["min_c"], closing.fields["max_c"])
    assert (f["user"], f["printed_name"], f["meaning"], f["comment"]) == (
        "anne", "Anne Martin", "I sign the daily sheet", "door closed")  # fmt: skip
    await live.clock.sleep(120.0)  # two checks of the watch: it does not raise it again
    assert not pipeline.desk.manager.alarms[KEY].condition_active
    shown = await run(live, "sheet", "show", "--enclosure", "F1", "--day", DAY)
    assert "signed by Anne Martin (anne) at 2026-12-01 " in shown.out, shown.out


async def test_signing_twice_is_refused(live: Live) -> None:
    before = acts(live)
    again = await run(live, *SIGN, "--user", "sophie", stdin="pw")
    assert (again.code, again.out) == (1, "")
    assert f"the daily sheet of F1 for {DAY} is already signed by Anne Martin (anne)" in again.err
    assert "a sheet is signed once; a correction is a new one with its reason" in again.err
    assert acts(live) == before


async def test_a_supervisor_reviews_the_month_once(live: Live) -> None:
    reviewed = await run(live, *REVIEW, "--user", "sophie", "--comment", "seen", stdin="pw")
    assert reviewed.code == 0, reviewed.err
    assert reviewed.out.startswith(
        f"daily sheets of F1 for {MONTH} (1 day(s)) reviewed by Dr Sophie Bernard (sophie) at "
    )
    kinds = [r.kind for r in records(live, SHEETS) if r.kind != "checkpoint"]
    assert kinds == ["sheet_signed", "sheet_reviewed"]
    review = next(r for r in records(live, SHEETS) if r.kind == "sheet_reviewed")
    assert (review.fields["month"], review.fields["days"], review.fields["sheets"]) == (
        MONTH, DAY, 1)  # fmt: skip
    assert review.fields["meaning"] == "I reviewed the month's daily sheets"
    before = acts(live)
    again = await run(live, *REVIEW, "--user", "sophie", stdin="pw")
    assert again.code == 1
    assert "are already reviewed by Dr Sophie Bernard (sophie)" in again.err
    assert acts(live) == before
    status, month = await get(live, f"/api/sheets?enclosure=F1&month={MONTH}")
    assert status == 200, month
    assert month["review_stands"] is True


async def test_the_month_prints_one_page_per_enclosure(live: Live, tmp_path: Path) -> None:
    pdf = tmp_path / "sheets-2026-11.pdf"
    printed = await run(live, "sheet", "--month", MONTH, "--pdf", str(pdf))
    assert printed.code == 0, printed.err
    assert printed.out == f"{pdf}: 3 page(s), {MONTH}, F1, F2, Z1\n"
    info = await asyncio.to_thread(tool, "pdfinfo", str(pdf))
    assert re.search(r"^Pages:\s+3$", info, re.MULTILINE), info
    first = await asyncio.to_thread(tool, "pdftotext", "-layout", "-l", "1", str(pdf), "-")
    closing = next(r for r in records(live, DAY_STREAM) if r.kind == "day_summarised")
    assert "Daily temperature sheets — F1, November 2026" in first
    assert f"{closing.fields['min_c']:.1f} °C" in first
    assert f"{closing.fields['max_c']:.1f} °C" in first
    assert "Anne Martin" in first
    assert "Reviewed by Dr Sophie Bernard (sophie)" in first
    assert "no record" in first  # the days of November before the unit ran
    # Page 1 as an image, for a person to look at when the layout changes.
    await asyncio.to_thread(tool, "pdftoppm", "-png", "-r", "60", "-l", "1", str(pdf),
                            str(tmp_path / "page"))  # fmt: skip


def tool(*args: str) -> str:
    """A poppler tool's output."""
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


async def test_the_journal_verifies(live: Live) -> None:
    pipeline = live.daemon.pipeline
    assert pipeline is not None
    pipeline.journal.flush()
    report = verify_journal(pipeline.journal.path, live.public_key)
    assert report.ok, report.format()
