"""``lactamon status | alarms | ack | shelve | cycle | lot`` with bad input, on a real daemon.

Each command runs in this process on a worker thread while the daemon serves from the test's
loop; its password is piped on standard input, as a script would. A refused command exits
non-zero, says why on stderr, and leaves the journal's records, the alarms and the running
cycles as they were. Probe F2-air, polled every half second and never answered, gives the
daemon a real alarm waiting for acknowledgement.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import AsyncIterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from monitor.cli.main import main
from monitor.service.daemon import Daemon
from monitor.users import Role
from tests.fixtures.ports import free_port
from tests.monitor.cli.daemon_config import cli_config
from tests.monitor.service.quiet_daemon import P1_DAY, PW, STALE, quiet_daemon, snapshot

pytestmark = pytest.mark.asyncio(loop_scope="module")

LOT_ID = "L2026-001"  # 5e4 CFU/mL: holder63 may treat it, holder58 may not
# Three failed sign-ins throttle a user: each wrong-password case signs as its own user.
GUESSERS = ("guess-ack", "guess-cycle", "guess-lot")

# Complete commands but for the user; a case adds what it changes (argparse keeps the last
# of an option given twice, and appends to --lot and --donor).
ACK = ("--comment", "seen")
SHELVE = ("--minutes", "30", "--comment", "probe replaced")
START = ("cycle", "start", "--pasteuriser", "P1", "--lot", LOT_ID, "--program", "holder63")
ABORT = ("cycle", "abort", "--pasteuriser", "P1", "--reason", "wrong program chosen")
LOT = ("lot", "create", "L2026-050", "--donor", "D7", "--total-flora", "8e3", "--s-aureus", "0")
STDIN = {"pw": PW + "\n", "wrong": "not the password\n", "none": ""}  # a line per prompt


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@dataclass(frozen=True)
class Live:
    daemon: Daemon
    config: Path  # what the command line reads to find the daemon


def lactamon(config: Path, *args: str, stdin: str = "") -> Run:
    """``lactamon ARGS --config CONFIG`` in this process, with ``stdin`` piped to it."""
    out, err = io.StringIO(), io.StringIO()
    piped, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main([*args, "--config", str(config)])
            except SystemExit as exc:  # argparse refuses bad arguments this way
                code = int(exc.code or 0)
    finally:
        sys.stdin = piped
    return Run(code, out.getvalue(), err.getvalue())


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def live(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Live]:
    tmp = tmp_path_factory.mktemp("lab")
    people = {"anne": Role.TECHNICIAN, "ines": Role.INSPECTOR, "sophie": Role.SUPERVISOR}
    people |= dict.fromkeys(GUESSERS, Role.SUPERVISOR)
    async with quiet_daemon(tmp, people) as daemon:
        config = tmp / "lactamon.toml"
        cli_config(config, daemon)
        created = await asyncio.to_thread(
            lactamon, config, "lot", "create", LOT_ID, "--donor", "D1", "--donor", "D2",
            "--total-flora", "5e4", "--s-aureus", "10", "--user", "anne", stdin=STDIN["pw"],
        )  # fmt: skip
        assert (created.code, created.out) == (0, f"lot {LOT_ID} recorded\n"), created.err
        yield Live(daemon, config)


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["ack", STALE, *ACK, "--user", "ines"], "pw", 1,
         "lactamon ack: inspector ines may not acknowledge"),
        (["ack", STALE, *ACK, "--user", "guess-ack"], "wrong", 1,
         "lactamon ack: wrong user name or password"),
        (["ack", STALE, *ACK, "--user", "nobody"], "pw", 1,
         "lactamon ack: wrong user name or password"),
        (["ack", STALE, *ACK, "--user", "sophie"], "none", 1,
         "lactamon ack: password of sophie: no password on standard input"),
        (["ack", "band:F9", *ACK, "--user", "sophie"], "pw", 1,
         "lactamon ack: unknown alarm 'band:F9'"),
        (["ack", "band/F9", *ACK, "--user", "sophie"], "pw", 1,
         "lactamon ack: unknown alarm 'band/F9'"),
        (["ack", STALE, "--comment", " ", "--user", "sophie"], "pw", 1,
         "lactamon ack: comment: String should have at least 1 character"),
        (["shelve", STALE, *SHELVE, "--user", "anne"], "pw", 1,
         "lactamon shelve: technician anne may not shelve"),
        (["shelve", STALE, *SHELVE, "--minutes", "600", "--user", "sophie"], "pw", 1,
         "lactamon shelve: shelve must end in the future and within 8 h"),
        (["shelve", STALE, *SHELVE, "--minutes", "0", "--user", "sophie"], "pw", 1,
         "lactamon shelve: minutes: Input should be greater than 0"),
        (["shelve", "band?F9", *SHELVE, "--user", "sophie"], "pw", 1,
         "lactamon shelve: unknown alarm 'band?F9'"),
        ([*START, "--user", "ines"], "pw", 1, "lactamon cycle: inspector ines may not start_cycle"),
        ([*START, "--user", "guess-cycle"], "wrong", 1,
         "lactamon cycle: wrong user name or password"),
        ([*START, "--lot", "L2026-404", "--user", "sophie"], "pw", 1,
         "lactamon cycle: unknown lot 'L2026-404': create it with its bacteriology first"),
        ([*START, "--lot", LOT_ID, "--user", "sophie"], "pw", 1,
         f"lactamon cycle: lots: Value error, lot(s) given twice: {LOT_ID}"),
        ([*START, "--pasteuriser", "P9", "--user", "sophie"], "pw", 1,
         "lactamon cycle: unknown pasteuriser 'P9' (known: P1)"),
        ([*START, "--program", "holder99", "--user", "sophie"], "pw", 1,
         "lactamon cycle: unknown program 'holder99' (known: holder58, holder63)"),
        ([*ABORT, "--user", "sophie"], "pw", 1, "lactamon cycle: no cycle runs on pasteuriser P1"),
        ([*ABORT, "--pasteuriser", "P9", "--user", "sophie"], "pw", 1,
         "lactamon cycle: unknown pasteuriser 'P9' (known: P1)"),
        ([*LOT, "--user", "guess-lot"], "wrong", 1, "lactamon lot: wrong user name or password"),
        (["lot", "create", LOT_ID, *LOT[3:], "--user", "sophie"], "pw", 1,
         f"lactamon lot: lot {LOT_ID} already exists"),
        (["lot", "create", "2026/50", *LOT[3:], "--user", "sophie"], "pw", 1,
         "lactamon lot: lot number '2026/50' does not match"),
        ([*LOT, "--donor", "D7", "--user", "sophie"], "pw", 1,
         "lactamon lot: lot L2026-050: a donor code is listed twice"),
        ([*LOT, "--s-aureus", "-1", "--user", "sophie"], "pw", 1,
         "lactamon lot: s_aureus_cfu_ml: Input should be greater than or equal to 0"),
        ([*LOT, "--total-flora", "nan", "--user", "sophie"], "pw", 1,
         "lactamon lot: total_flora_cfu_ml: Input should be a finite number"),
        # Bad arguments: argparse stops them (exit 2) before a password is asked.
        (["ack", STALE, *ACK], "pw", 2, "the following arguments are required: --user"),
        (["shelve", STALE, *SHELVE, "--minutes", "ten", "--user", "sophie"], "pw", 2,
         "argument --minutes: invalid float value: 'ten'"),
        ([*LOT, "--total-flora", "lots", "--user", "sophie"], "pw", 2,
         "argument --total-flora: invalid float value: 'lots'"),
        (["cycle", "start", "--pasteuriser", "P1", "--program", "holder63", "--user", "sophie"],
         "pw", 2, "the following arguments are required: --lot"),
        (["cycle", "restart", "--pasteuriser", "P1"], "pw", 2,
         "argument ACTION: invalid choice: 'restart'"),
        (["alarms", "--everything"], "none", 2, "unrecognized arguments: --everything"),
    ],
)  # fmt: skip
async def test_refused_command_changes_nothing(
    live: Live, args: list[str], stdin: str, code: int, message: str
) -> None:
    before = snapshot(live.daemon)
    run = await asyncio.to_thread(lactamon, live.config, *args, stdin=STDIN[stdin])
    assert (run.code, run.out) == (code, ""), run.err
    assert message in run.err
    assert snapshot(live.daemon) == before


async def test_program_unfit_for_lot_refused_with_only_the_refusal_recorded(live: Live) -> None:
    records, alarms, cycles = snapshot(live.daemon)
    args = [*START[:-1], "holder58", "--user", "anne"]
    run = await asyncio.to_thread(lactamon, live.config, *args, stdin=STDIN["pw"])
    reason = f"lot {LOT_ID}: total flora 50000 CFU/mL > 10000 CFU/mL allowed by holder58"
    assert (run.code, run.err) == (1, f"lactamon cycle: {reason}\n")
    after, after_alarms, after_cycles = snapshot(live.daemon)
    assert after_alarms == alarms
    assert after_cycles == cycles == []
    # An inspector must see that someone tried: the refusal is the one record added.
    assert after == {**records, P1_DAY: records[P1_DAY] + 1}


async def test_reads_reach_the_daemon(live: Live) -> None:
    listing = await asyncio.to_thread(lactamon, live.config, "alarms")
    assert listing.code == 0, listing.err
    assert STALE in listing.out
    # Healthy it is not: its probes are unreachable and an alarm waits.
    status = await asyncio.to_thread(lactamon, live.config, "status")
    assert status.code == 1, status.err
    assert f"! alarm {STALE} active_unacknowledged" in status.out


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["status"], "none"),
        (["alarms", "--all"], "none"),
        (["ack", STALE, *ACK, "--user", "anne"], "pw"),
        ([*ABORT, "--user", "anne"], "pw"),
    ],
)
async def test_daemon_not_running(tmp_path: Path, args: list[str], stdin: str) -> None:
    config, port = tmp_path / "lactamon.toml", free_port()
    config.write_text(f'[web]\nhost = "127.0.0.1"\nport = {port}\n')
    run = await asyncio.to_thread(lactamon, config, *args, stdin=STDIN[stdin])
    assert (run.code, run.out) == (1, "")
    assert f"cannot reach the lactamon daemon at http://127.0.0.1:{port}: is it running?" in run.err


async def test_missing_settings_file(tmp_path: Path) -> None:
    run = await asyncio.to_thread(lactamon, tmp_path / "absent.toml", "status")
    assert run.code == 2
    assert "no such file" in run.err
