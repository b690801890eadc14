"""``lactamon lot ...`` and ``lactamon trace`` against a real daemon, over real HTTP.

Each command runs on a worker thread while the daemon serves from the test's loop, its
password piped on standard input. The cycles the lots need are appended to the daemon's
journal as its pipeline would close them (``lot_harness.closed_cycle``); a real cycle is in
tests/monitor/service/test_lot_life_daemon.py. A refused command exits 1, says why, and
leaves every record, alarm and cycle of the daemon as it was.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from monitor.service.daemon import Daemon
from monitor.users import Role
from tests.fixtures.api_token import READ_HEADERS
from tests.monitor.cli.daemon_config import cli_config
from tests.monitor.cli.lot_cli import Run, lactamon
from tests.monitor.service.lot_harness import closed_cycle
from tests.monitor.service.quiet_daemon import PW, quiet_daemon, snapshot

pytestmark = pytest.mark.asyncio(loop_scope="module")

RAW, WAITING, DESTROYED, GIVEN = "L2026-301", "L2026-302", "L2026-303", "L2026-304"
MIN = 60 * 1_000_000_000


@dataclass(frozen=True)
class Live:
    daemon: Daemon
    config: Path

    async def run(self, *args: str, password: bool = True) -> Run:
        return await asyncio.to_thread(
            lactamon, self.config, *args, stdin=PW + "\n" if password else ""
        )

    async def ok(self, *args: str) -> str:
        run = await self.run(*args)
        assert run.code == 0, run.err
        return run.out


async def create(live: Live, lot: str, *extra: str) -> None:
    await live.ok(
        "lot",
        "create",
        lot,
        "--donor",
        "D1",
        "--donor",
        "D2",
        "--total-flora",
        "5e3",
        "--s-aureus",
        "0",
        "--bottles",
        "2",
        "--user",
        "anne",
        *extra,
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def live(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Live]:
    tmp = tmp_path_factory.mktemp("lots")
    people = {"anne": Role.TECHNICIAN, "sophie": Role.SUPERVISOR, "ines": Role.INSPECTOR}
    async with quiet_daemon(tmp, people) as daemon:
        config = tmp / "lactamon.toml"
        cli_config(config, daemon)
        live = Live(daemon, config)
        for lot in (RAW, WAITING, DESTROYED, GIVEN):
            await create(live, lot)
        pipeline = daemon.pipeline
        assert pipeline is not None
        now = daemon.clock.now_ns()
        closed_cycle(pipeline.journal, [WAITING, GIVEN], now - 90 * MIN, now - 5 * MIN)
        await live.ok("lot", "destroy", DESTROYED, "--reason", "bottle broken", "--user", "anne")
        yield live


async def test_a_lot_through_the_command_line(live: Live) -> None:
    control = await live.ok(
        "lot",
        "bacteriology",
        GIVEN,
        "--total-flora",
        "0",
        "--s-aureus",
        "0",
        "--lab-reference",
        "LAB-9",
        "--user",
        "anne",
    )
    assert control.startswith(f"lot {GIVEN} bacteriology after pasteurisation recorded\n")
    released = await live.ok(
        "lot", "release", GIVEN, "--comment", "dossier complete", "--user", "sophie"
    )
    lines = released.splitlines()
    assert lines[0] == f"lot {GIVEN} released"
    assert lines[1] == f"lot {GIVEN}: released (by Sophie); left: 2 bottle(s)"
    assert lines[2].startswith("signed by Sophie (sophie) at 2026-11-20 ")
    assert lines[2].endswith(" UTC, meaning released: dossier complete")
    await live.ok("lot", "store", GIVEN, "--enclosure", "F1", "--user", "anne")
    where = await live.ok("lot", "where", "F1")
    assert where.splitlines()[0] == "F1 (fridge): 1 lot(s)"
    assert f"lot {GIVEN}: released (by Sophie), in F1 since" in where
    assert (await live.ok("lot", "where", "--lot", GIVEN)).startswith(f"lot {GIVEN}: released")
    part = await live.ok(
        "lot",
        "distribute",
        GIVEN,
        "--bottles",
        "1",
        "--ward",
        "neonatology",
        "--recipient",
        "RX-41",
        "--user",
        "anne",
    )
    assert "left: 1 bottle(s)" in part
    last = await live.ok(
        "lot",
        "distribute",
        GIVEN,
        "--bottles",
        "1",
        "--ward",
        "paediatrics",
        "--recipient",
        "RX-42",
        "--user",
        "anne",
    )
    assert f"lot {GIVEN}: all distributed (2 distribution(s))" in last
    shown = await live.ok("lot", "show", GIVEN)
    assert "bacteriology after: total flora 0 CFU/mL, S. aureus 0 CFU/mL (LAB-9)" in shown
    assert "cycle cycle:P1:" in shown
    assert ": PASS" in shown
    assert "distributed" in shown
    assert "1 bottle(s) to paediatrics for RX-42 by Anne" in shown
    assert "excursions: none while it was stored" in shown
    traced = await live.ok("trace", "--donor", "D2")
    assert traced.splitlines()[0] == "donor D2: milk in 4 lot(s)"
    assert "destroyed 2026-11-20 " in traced
    assert ": bottle broken" in traced
    assert "1 bottle(s) to neonatology for RX-41" in traced
    of_lot = await live.ok("trace", "--lot", GIVEN)
    assert "  donors: D1, D2" in of_lot
    assert "stay: F1 " in of_lot


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["release", WAITING, "--user", "anne"],
            "only a supervisor (the pharmacist or doctor in charge) may release a lot: "
            "technician anne may not release_lot",
        ),
        (
            ["release", WAITING, "--user", "sophie"],
            f"lot {WAITING} cannot be released: no control after pasteurisation is recorded",
        ),
        (
            ["release", RAW, "--user", "sophie"],
            f"lot {RAW} cannot be released: it is raw milk in quarantine (no cycle linked)",
        ),
        (
            [
                "distribute",
                WAITING,
                "--bottles",
                "1",
                "--ward",
                "neonatology",
                "--recipient",
                "RX",
                "--user",
                "anne",
            ],
            f"lot {WAITING} is not released (pasteurised, awaiting the control after "
            "pasteurisation): only a released lot is distributed",
        ),
        (
            ["store", DESTROYED, "--enclosure", "F1", "--user", "anne"],
            f"lot {DESTROYED} is destroyed (bottle broken): it cannot be stored",
        ),
        (
            ["correct", RAW, "--record", "1", "--set", "bottles=3", "--user", "anne"],
            "a correction needs a reason",
        ),
        (
            [
                "correct",
                RAW,
                "--record",
                "1",
                "--set",
                "bottles=3",
                "--reason",
                " ",
                "--user",
                "anne",
            ],
            "a correction needs a reason",
        ),
        (
            ["store", RAW, "--enclosure", "F9", "--user", "anne"],
            "unknown enclosure 'F9' (known: F1, F2, Z1)",
        ),
        (
            [
                "decide",
                WAITING,
                "--alarm",
                "band:F1",
                "--decision",
                "keep",
                "--reason",
                "x",
                "--user",
                "sophie",
            ],
            f"lot {WAITING} lived through no band:F1 (its excursions: none)",
        ),
        (
            ["bacteriology", RAW, "--total-flora", "0", "--s-aureus", "0", "--user", "ines"],
            "inspector ines may not handle_lot",
        ),
        (["release", "L2026-404", "--user", "sophie"], "unknown lot 'L2026-404'"),
        (
            [
                "distribute",
                WAITING,
                "--ward",
                "neonatology",
                "--recipient",
                "RX",
                "--bottles",
                "-1",
                "--user",
                "anne",
            ],
            "bottles: Input should be greater than or equal to 0",
        ),
    ],
)
async def test_a_refused_act_exits_1_and_records_nothing(
    live: Live, args: list[str], message: str
) -> None:
    before = snapshot(live.daemon)
    run = await live.run("lot", *args)
    assert (run.code, run.out) == (1, ""), run.err
    assert run.err == f"lactamon lot: {message}\n"
    assert snapshot(live.daemon) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "lot",
                "correct",
                RAW,
                "--record",
                "1",
                "--set",
                "bottles",
                "--reason",
                "x",
                "--user",
                "anne",
            ],
            "--set 'bottles': write FIELD=VALUE",
        ),
        (["lot", "release", RAW], "the following arguments are required: --user"),
        (
            [
                "lot",
                "decide",
                RAW,
                "--alarm",
                "band:F1",
                "--decision",
                "maybe",
                "--reason",
                "x",
                "--user",
                "sophie",
            ],
            "argument --decision: invalid choice: 'maybe'",
        ),
        (["trace"], "one of the arguments --donor --lot is required"),
    ],
)
async def test_a_wrong_command_exits_2_before_asking_anything(
    live: Live, args: list[str], message: str
) -> None:
    before = snapshot(live.daemon)
    run = await live.run(*args, password=False)
    assert run.code == 2, run.err
    assert message in run.err
    assert snapshot(live.daemon) == before


async def test_reads_of_unknown_things_are_named(live: Live) -> None:
    assert (await live.run("lot", "show", "L2026-404")).err == (
        "lactamon lot: unknown lot 'L2026-404'\n"
    )
    assert (await live.run("lot", "where", "F9")).err == (
        "lactamon lot: unknown enclosure 'F9' (known: F1, F2, Z1)\n"
    )
    assert (await live.run("trace", "--donor", "D404")).err == (
        "lactamon trace: no lot holds milk of donor 'D404'\n"
    )
    listing = await live.ok("lot", "list", "--all")
    assert f"lot {DESTROYED}: destroyed (bottle broken)" in listing


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", f"/api/lots/{RAW}/release", "not json", 400),
        ("POST", f"/api/lots/{RAW}/release", [], 400),
        ("POST", f"/api/lots/{RAW}/release", {"user": "sophie"}, 400),
        ("POST", f"/api/lots/{RAW}/distribute", {"user": "anne", "password": PW, "ward": "n",
                                                 "recipient_ref": "r", "bottles": 1.5}, 400),
        ("POST", f"/api/lots/{RAW}/distribute", {"user": "anne", "password": PW, "ward": "n",
                                                 "recipient_ref": "r", "volume_ml": "1e400"}, 400),
        ("POST", f"/api/lots/{RAW}/correct", {"user": "anne", "password": PW, "target_seq": 1,
                                              "reason": "x", "field": "bottles",
                                              "value": [1]}, 400),
        ("POST", f"/api/lots/{RAW}/correct", {"user": "anne", "password": PW, "target_seq": 99,
                                              "reason": "x", "void": True}, 409),
        ("POST", f"/api/lots/{RAW}/correct", {"user": "anne", "password": PW, "target_seq": 1,
                                              "reason": "x", "field": "sub_lots"}, 409),
        ("POST", "/api/lots/move", {"user": "anne", "password": PW, "lots": [RAW, RAW],
                                    "to": "Z1"}, 400),
        ("POST", "/api/lots/a%20b%00c/store", {"user": "anne", "password": PW,
                                               "enclosure": "F1"}, 409),
        ("POST", f"/api/lots/{'L' * 300}/release", {"user": "sophie", "password": PW}, 409),
        ("GET", "/api/lots/a%20b%00c", None, 404),
        ("GET", "/api/trace", None, 409),
        ("GET", f"/api/trace?donor=D1&lot={RAW}", None, 409),
        ("GET", "/api/enclosures/F%2F1/lots", None, 404),
    ],
)  # fmt: skip
async def test_bad_requests_to_the_lot_routes_are_answered_and_change_nothing(
    live: Live, method: str, path: str, body: object, status: int
) -> None:
    before = snapshot(live.daemon)
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    async with (
        aiohttp.ClientSession(headers=READ_HEADERS) as session,
        session.request(method, live.daemon.api_url + path, data=None if body is None else data,
                        headers={"Content-Type": "application/json"}) as answer,
    ):  # fmt: skip
        assert answer.status == status, await answer.text()
        assert "error" in await answer.json()
    assert snapshot(live.daemon) == before
