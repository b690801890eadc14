"""The web pages over real HTTP against a real daemon: sign-in, sessions and their cookie,
CSRF, roles enforced on the server, languages, signed acts, and bad input as error pages."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

from monitor.alarms import AlarmState
from monitor.journal import JournalReader
from monitor.journal.streams import ALARM_STREAM, USERS_STREAM
from monitor.service.daemon import Daemon
from monitor.users import Role
from tests.fixtures.tls_certs import make_ca, make_server_certificate
from tests.monitor.service.quiet_daemon import PW, STALE, quiet_daemon
from tests.monitor.web.web_client import WebClient

PEOPLE = {
    "sophie": Role.SUPERVISOR,
    "anne": Role.TECHNICIAN,
    "ines": Role.INSPECTOR,
    "wall": Role.KIOSK,
}


def alarm_state(daemon: Daemon, key: str) -> AlarmState:
    assert daemon.pipeline is not None
    return daemon.pipeline.desk.get(key).state


async def test_sign_in_roles_csrf_and_sign_out(tmp_path: Path) -> None:
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        client = WebClient(daemon.api_url)
        try:
            answer = await client.get("/alarms", allow_redirects=False)
            assert answer.status == 303
            assert answer.headers["Location"].startswith("/login?next=")
            # Over TCP, loopback included, a read of the API needs a session too.
            assert (await client.get("/api/status")).status == 401

            answer = await client.sign_in("anne", "not her password")
            assert answer.status == 401
            assert "wrong user name or password" in client.page

            answer = await client.sign_in("anne", PW)
            assert answer.status == 200
            assert str(answer.url).endswith("/")
            cookie = next(
                h
                for h in answer.history[0].headers.getall("Set-Cookie")
                if h.startswith("lactamon_session=")
            )
            assert "HttpOnly" in cookie
            assert "SameSite=Strict" in cookie
            assert "Secure" not in cookie  # plain HTTP on loopback
            assert STALE in client.page  # the banner

            # A POST without its session's token changes nothing.
            answer = await client.post(
                "/alarms/acknowledge", {"key": STALE, "comment": "c", "password": PW}, token=False
            )
            assert answer.status == 403
            assert "reload the page" in client.message()
            answer = await client.post(
                "/alarms/acknowledge",
                {"key": STALE, "comment": "c", "password": PW, "csrf": "forged"},
                token=False,
            )
            assert answer.status == 403
            assert alarm_state(daemon, STALE) is AlarmState.UNACKED

            # Her role may not manage users: refused on the server.
            answer = await client.get("/users")
            assert answer.status == 403
            assert "manage_users" in client.message()

            await client.get("/")
            answer = await client.post("/logout", {}, allow_redirects=False)
            assert answer.status == 303
            answer = await client.get("/", allow_redirects=False)
            assert answer.status == 303
        finally:
            await client.close()


async def test_inspector_reads_and_changes_nothing_kiosk_sees_the_overview(
    tmp_path: Path,
) -> None:
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        inspector, kiosk = WebClient(daemon.api_url), WebClient(daemon.api_url)
        try:
            await inspector.sign_in("ines", PW)
            for page in (
                "/alarms",
                f"/alarms/{STALE}",
                "/cycles",
                "/probes",
                "/audit",
                "/verify?run=1",
            ):
                answer = await inspector.get(page)
                assert answer.status == 200, (page, inspector.message())
            assert 'type="checkbox"' not in inspector.page
            await inspector.get("/alarms")
            answer = await inspector.post(
                "/alarms/acknowledge", {"key": STALE, "comment": "c", "password": PW}
            )
            assert answer.status == 403
            answer = await inspector.post(
                "/cycles/start",
                {"pasteuriser": "P1", "program": "holder63", "lots": "L2026-001", "password": PW},
            )
            assert answer.status == 403
            assert alarm_state(daemon, STALE) is AlarmState.UNACKED

            await kiosk.sign_in("wall", PW)
            assert STALE in kiosk.page
            assert "/alarms" not in kiosk.page
            assert "Acknowledge" not in kiosk.page
            assert "Acquitter" not in kiosk.page
            assert (await kiosk.get("/alarms")).status == 403
            assert (await kiosk.get("/cycles")).status == 403
        finally:
            await inspector.close()
            await kiosk.close()


async def test_acknowledge_several_signs_each_and_refuses_a_bad_form(tmp_path: Path) -> None:
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        assert daemon.pipeline is not None
        desk = daemon.pipeline.desk
        now = daemon.clock.now_ns()
        desk.pulse(now, "journal:alarms", "journal", desk.get(STALE).priority, "journal damaged")
        client = WebClient(daemon.api_url)
        try:
            await client.sign_in("anne", PW)
            await client.get("/alarms")
            answer = await client.post(
                "/alarms/acknowledge",
                {"key": [STALE, "journal:alarms"], "comment": "probe unplugged", "password": PW},
            )
            assert answer.status == 200
            kinds = dict(client.flashes())
            assert STALE in kinds["ok"]
            assert "only a supervisor" in kinds["refused"]
            assert alarm_state(daemon, STALE) is AlarmState.ACKED
            assert desk.get("journal:alarms").needs_ack

            answer = await client.post("/alarms/acknowledge", {"comment": "", "password": PW})
            assert answer.status == 400
            assert "<pre" not in client.page
            answer = await client.post(
                "/alarms/acknowledge", {"key": STALE, "comment": "x", "password": "wrong password"}
            )
            assert answer.status == 401
            answer = await client.get("/alarms/no-such-alarm")
            assert answer.status == 404
            assert "no-such-alarm" in client.message()
            answer = await client.get("/cycles/cycle:P9:2026-01-01T00:00:00Z")
            assert answer.status == 404
            answer = await client.get("/audit?after=abc")
            assert answer.status == 400
        finally:
            await client.close()
        daemon.pipeline.journal.flush()
        with JournalReader(daemon.pipeline.journal.path) as reader:
            acks = [
                r for r in reader.stream_records(ALARM_STREAM) if r.kind == "alarm_acknowledged"
            ]
        assert [(r.fields["alarm"], r.fields["user"], r.fields["meaning"]) for r in acks] == [
            (STALE, "anne", "acknowledged")
        ]


async def test_supervisor_adds_and_disables_a_user_signed(tmp_path: Path) -> None:
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        client = WebClient(daemon.api_url)
        try:
            await client.sign_in("sophie", PW)
            await client.get("/users")
            answer = await client.post(
                "/users/add",
                {
                    "username": "marc",
                    "name": "Marc Petit",
                    "role": "technician",
                    "new_password": "a long password",
                    "comment": "new hire",
                    "password": PW,
                },
            )
            assert answer.status == 200, client.message()
            assert "marc" in client.page
            answer = await client.post("/users/disable", {"username": "marc", "password": PW})
            assert answer.status == 200
            answer = await client.post(
                "/users/role", {"username": "marc", "role": "wizard", "password": PW}
            )
            assert answer.status == 400
            assert "unknown role" in client.message()
        finally:
            await client.close()
        assert daemon.pipeline is not None
        for _ in range(50):  # the daemon copies the changes every 2 s
            daemon.pipeline.journal.flush()
            with JournalReader(daemon.pipeline.journal.path) as reader:
                kinds = [
                    r.kind
                    for r in reader.stream_records(USERS_STREAM)
                    if r.fields.get("account") == "marc"
                ]
            if len(kinds) == 2:
                break
            await asyncio.sleep(0.1)
        assert kinds == ["user_added", "user_disabled"]


async def test_languages_from_the_browser_or_the_choice(tmp_path: Path) -> None:
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        client = WebClient(daemon.api_url)
        try:
            await client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
            assert '<html lang="en">' in client.page
            assert "Sign in" in client.page
            await client.get("/login", headers={"Accept-Language": "de, fr;q=0.8"})
            assert '<html lang="fr">' in client.page
            assert "Connexion" in client.page
            await client.get("/lang?to=en&next=/login", headers={"Accept-Language": "fr"})
            assert '<html lang="en">' in client.page
            assert (await client.get("/lang?to=xx")).status == 400
            await client.sign_in("anne", PW)
            await client.get(f"/alarms/{STALE}")
            assert 'title="UTC 2026-11-20T09:' in client.page  # local time shown, UTC kept
        finally:
            await client.close()


async def test_the_cookie_is_secure_over_https(tmp_path: Path) -> None:
    ca = make_ca(tmp_path)
    server = make_server_certificate(ca, tmp_path)
    web = {
        "host": "127.0.0.1",
        "port": 0,
        "tls_cert_file": str(server.cert_file),
        "tls_key_file": str(server.key_file),
    }
    async with quiet_daemon(tmp_path, PEOPLE, web=web) as daemon:
        assert daemon.api_url.startswith("https://")
        trust = ssl.create_default_context(cafile=str(ca.cert_file))
        client = WebClient(daemon.api_url)
        try:
            await client.get("/login", ssl=trust)
            answer = await client.post(
                "/login", {"username": "anne", "password": PW}, ssl=trust, allow_redirects=False
            )
            cookie = next(
                h for h in answer.headers.getall("Set-Cookie") if h.startswith("lactamon_session=")
            )
            assert "Secure" in cookie
            assert "HttpOnly" in cookie
        finally:
            await client.close()
