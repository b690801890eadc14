"""Bad requests to a real running daemon: the right status, a clear error, nothing changed.

One daemon serves the module: its drivers find nothing to talk to, and probe F2-air, polled
every half second and never answered, raises a real stale alarm once the start-up grace is
over. "Nothing changed" is the journal's record count per stream, the alarms (every field)
and the running cycles, compared before and after each refused request.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from monitor.journal import JournalReader
from monitor.service.daemon import Daemon
from monitor.users import Role
from tests.monitor.service.quiet_daemon import P1_DAY, PW, STALE, quiet_daemon, snapshot

pytestmark = pytest.mark.asyncio(loop_scope="module")

LOT_ID, DIRTY_ID = "L2026-001", "L2026-002"  # 5e4 CFU/mL: holder63 only; 2e5: destroyed
NEW_LOT = {"lot": "L2026-050", "sub_lots": ["D7", "D8"], "total_flora_cfu_ml": 8e3,
           "s_aureus_cfu_ml": 10}  # fmt: skip
# Each signed request, complete and allowed to a supervisor: a case changes one thing.
SIGNED: dict[str, tuple[str, dict[str, Any]]] = {
    "ack": (f"/api/alarms/{STALE}/ack", {"comment": "probe checked"}),
    "shelve": (f"/api/alarms/{STALE}/shelve", {"comment": "probe replaced", "minutes": 30}),
    "unshelve": (f"/api/alarms/{STALE}/unshelve", {}),
    "cycle-start": ("/api/cycles", {"pasteuriser": "P1", "lots": [LOT_ID], "program": "holder63"}),
    "cycle-abort": ("/api/cycles/P1/abort", {"reason": "wrong program chosen"}),
    "lot-create": ("/api/lots", NEW_LOT),
}
SOPHIE = {"user": "sophie", "password": PW}
ACK, SHELVE = {**SOPHIE, **SIGNED["ack"][1]}, {**SOPHIE, **SIGNED["shelve"][1]}
START, LOT = {**SOPHIE, **SIGNED["cycle-start"][1]}, {**SOPHIE, **NEW_LOT}
ABORT = {**SOPHIE, **SIGNED["cycle-abort"][1]}
# Three failed sign-ins throttle a name, a user's or nobody's: each wrong-password case
# signs as its own user, each unknown-user case as its own unknown name.
GUESSERS = {name: f"guess-{name}" for name in SIGNED}
NOBODIES = {name: f"nobody-{name}" for name in SIGNED}
THROTTLED = "tina"  # a user for the throttling case alone


async def post(url: str, body: Any = None, raw: bytes | None = None) -> tuple[int, Any]:
    kwargs: dict[str, Any] = {"json": body} if raw is None else {"data": raw}
    async with aiohttp.ClientSession() as session, session.post(url, **kwargs) as response:
        return response.status, await response.json()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def daemon(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Daemon]:
    people = {"anne": Role.TECHNICIAN, "ines": Role.INSPECTOR, "sophie": Role.SUPERVISOR}
    people |= dict.fromkeys([*GUESSERS.values(), THROTTLED], Role.SUPERVISOR)
    async with quiet_daemon(tmp_path_factory.mktemp("lab"), people) as running:
        for lot, flora in ((LOT_ID, 5e4), (DIRTY_ID, 2e5)):
            body = {**LOT, "lot": lot, "total_flora_cfu_ml": flora}
            assert (await post(running.api_url + "/api/lots", body))[0] == 201
        yield running


async def refused(
    daemon: Daemon, path: str, body: Any = None, raw: bytes | None = None
) -> tuple[int, str]:
    """Status and error of a request that must change nothing (asserted here)."""
    before = snapshot(daemon)
    status, answer = await post(daemon.api_url + path, body, raw)
    assert snapshot(daemon) == before, answer
    return status, answer["error"]


@pytest.mark.parametrize("name", SIGNED)
@pytest.mark.parametrize(
    ("user", "password", "status", "message"),
    [
        ("guess", "not the password", 401, "wrong user name or password"),
        ("nobody", PW, 401, "wrong user name or password"),
        ("ines", PW, 403, "inspector ines may not"),
    ],
    ids=["wrong-password", "unknown-user", "inspector"],
)
async def test_signing_refused(
    daemon: Daemon, name: str, user: str, password: str, status: int, message: str
) -> None:
    path, fields = SIGNED[name]
    signer = {"guess": GUESSERS, "nobody": NOBODIES}.get(user, {}).get(name, user)
    got, error = await refused(daemon, path, {"user": signer, "password": password, **fields})
    assert got == status, error
    assert message in error


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/api/cycles", {**START, "lots": ["L2026-404"]}, 404,
         "unknown lot 'L2026-404': create it with its bacteriology first"),
        ("/api/cycles", {**START, "pasteuriser": "P9"}, 404,
         "unknown pasteuriser 'P9' (known: P1)"),
        ("/api/cycles", {**START, "program": "holder99"}, 404,
         "unknown program 'holder99' (known: holder58, holder63)"),
        ("/api/cycles/P1/abort", ABORT, 404, "no cycle runs on pasteuriser P1"),
        ("/api/cycles/P9/abort", ABORT, 404, "unknown pasteuriser 'P9' (known: P1)"),
        ("/api/alarms/band:F9/ack", ACK, 404, "unknown alarm 'band:F9'"),
        ("/api/alarms/band:F9/shelve", SHELVE, 404, "unknown alarm 'band:F9'"),
        ("/api/alarms/band:F9/unshelve", SOPHIE, 404, "unknown alarm 'band:F9'"),
        (f"/api/alarms/{STALE}/shelve", {**SHELVE, "user": "anne"}, 403,
         "technician anne may not shelve"),
        (f"/api/alarms/{STALE}/shelve", {**SHELVE, "minutes": 600}, 409,
         "shelve must end in the future and within 8 h"),
        (f"/api/alarms/{STALE}/unshelve", SOPHIE, 409, f"alarm {STALE} is not shelved"),
        ("/api/lots", {**LOT, "lot": LOT_ID}, 409, f"lot {LOT_ID} already exists"),
        ("/api/lots", {**LOT, "lot": "2026/50"}, 409, "lot number '2026/50' does not match"),
        ("/api/lots", {**LOT, "sub_lots": ["D7", "D7"]}, 409, "a donor code is listed twice"),
        ("/api/cycles", {**START, "lots": [LOT_ID, LOT_ID]}, 400,
         f"lots: Value error, lot(s) given twice: {LOT_ID}"),
        ("/api/cycles", {**START, "lots": LOT_ID}, 400, "lots: Input should be a valid list"),
        ("/api/cycles", {**START, "lots": []}, 400, "lots: List should have at least 1 item"),
        ("/api/cycles", {**START, "pasteuriser": 1}, 400,
         "pasteuriser: Input should be a valid string"),
        (f"/api/alarms/{STALE}/shelve", {**SHELVE, "minutes": "ten"}, 400,
         "minutes: Input should be a valid number"),
        (f"/api/alarms/{STALE}/shelve", {**SHELVE, "minutes": 0}, 400,
         "minutes: Input should be greater than 0"),
        ("/api/lots", {**LOT, "total_flora_cfu_ml": "many"}, 400,
         "total_flora_cfu_ml: Input should be a valid number"),
        ("/api/lots", {**LOT, "s_aureus_cfu_ml": -1}, 400,
         "s_aureus_cfu_ml: Input should be greater than or equal to 0"),
        (f"/api/alarms/{STALE}/ack", {**ACK, "password": 1234}, 400,
         "password: Input should be a valid string"),
        (f"/api/alarms/{STALE}/ack", {**ACK, "role": "supervisor"}, 400,
         "role: Extra inputs are not permitted"),
        (f"/api/alarms/{STALE}/ack", SOPHIE, 400, "comment: Field required"),
        (f"/api/alarms/{STALE}/ack", {**ACK, "comment": "  "}, 400,
         "comment: String should have at least 1 character"),
        (f"/api/alarms/{STALE}/ack", [ACK], 400, "the body must be a JSON object"),
    ],
)  # fmt: skip
async def test_bad_request_refused(
    daemon: Daemon, path: str, body: Any, status: int, message: str
) -> None:
    got, error = await refused(daemon, path, body)
    assert got == status, error
    assert message in error


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "malformed JSON: Expecting property name enclosed in double quotes"),
        (b'{"user": "\xff"}', "malformed JSON: 'utf-8' codec can't decode byte 0xff"),
        (b"", "the body must be a JSON object"),
        (b'"sophie"', "the body must be a JSON object"),
        (f'{{"user": "sophie", "password": "{PW}", "comment": "c", "minutes": NaN}}'.encode(),
         "minutes: Input should be a finite number"),
    ],
)  # fmt: skip
async def test_malformed_body_refused(daemon: Daemon, raw: bytes, message: str) -> None:
    got, error = await refused(daemon, f"/api/alarms/{STALE}/shelve", raw=raw)
    assert got == 400, error
    assert error.startswith(message)


@pytest.mark.parametrize(
    ("lot", "program", "reason"),
    [
        (LOT_ID, "holder58",
         f"lot {LOT_ID}: total flora 50000 CFU/mL > 10000 CFU/mL allowed by holder58"),
        (DIRTY_ID, "holder63",
         f"lot {DIRTY_ID}: total flora 200000 CFU/mL > 100000 CFU/mL: the lot must be destroyed"),
    ],
)  # fmt: skip
async def test_program_unfit_for_lot_refused_with_only_the_refusal_recorded(
    daemon: Daemon, lot: str, program: str, reason: str
) -> None:
    records, alarms, cycles = snapshot(daemon)
    status, answer = await post(
        daemon.api_url + "/api/cycles", {**START, "lots": [lot], "program": program}
    )
    assert (status, answer) == (409, {"error": reason})
    after, after_alarms, after_cycles = snapshot(daemon)
    assert after_alarms == alarms
    assert after_cycles == cycles == []
    grown = {name: n - records.get(name, 0) for name, n in after.items() if n != records.get(name)}
    # An inspector must see that someone tried: the refusal is the one record added.
    assert grown == {P1_DAY: 1}
    with JournalReader(daemon.settings.journal.path) as reader:
        last = reader.stream_records(P1_DAY)[-1]
    assert (last.kind, last.fields["reason"], last.fields["lots"]) == ("cycle_refused", reason, lot)


async def test_a_good_request_does_change_what_is_compared(daemon: Daemon) -> None:
    before = snapshot(daemon)
    body = {**LOT, "user": "anne", "lot": "L2026-099"}
    assert (await post(daemon.api_url + "/api/lots", body))[0] == 201
    assert snapshot(daemon)[0] == {**before[0], "lot:L2026-099": 2}


async def test_a_throttled_name_is_answered_alike_whether_or_not_it_is_a_user(
    daemon: Daemon,
) -> None:
    path = SIGNED["ack"][0]
    answers = {}
    for name in (THROTTLED, "tim"):  # tim is nobody
        body = {**ACK, "user": name, "password": "not the password"}
        # Three failures, then the fourth within the second the third made them wait.
        got = [await refused(daemon, path, body) for _ in range(4)]
        answers[name] = [(status, re.sub(r"in \d+ s$", "in N s", error.replace(name, "NAME")))
                         for status, error in got]  # fmt: skip
    assert answers[THROTTLED] == answers["tim"]
    assert answers["tim"] == [(401, "wrong user name or password")] * 3 + [
        (429, "too many failed attempts for NAME: try again in N s")
    ]
