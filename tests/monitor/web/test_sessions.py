"""Sessions end after the idle timeout (an injected clock), a kiosk's never; over HTTP, the
page after the timeout is the sign-in page."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestServer

from monitor.api.app import build_app
from monitor.service.facade import ServiceFacade
from monitor.users import Role, User, UserStore
from monitor.web.mount import mount_web
from monitor.web.sessions import SessionStore
from tests.monitor.service.quiet_daemon import PW, quiet_daemon
from tests.monitor.web.web_client import WebClient


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_ends_after_the_idle_timeout_and_each_request_restarts_it() -> None:
    clock = FakeMonotonic()
    store = SessionStore(900, clock)
    session = store.open(User("anne", "Anne Martin", Role.TECHNICIAN, False))
    clock.now += 899
    assert store.get(session.id) is session  # restarts the timer
    clock.now += 899
    assert store.alive(session.id)
    clock.now += 2  # 901 s since the last request; alive() did not restart the timer
    assert store.get(session.id) is None
    assert store.get(session.id) is None  # gone for good


def test_a_kiosk_stays_signed_in_and_ids_are_random() -> None:
    clock = FakeMonotonic()
    store = SessionStore(60, clock)
    wall = store.open(User("wall", "Wall screen", Role.KIOSK, False))
    other = store.open(User("anne", "Anne", Role.TECHNICIAN, False))
    assert wall.id != other.id
    assert len(wall.id) >= 40
    assert wall.csrf != other.csrf
    clock.now += 3600
    assert store.get(wall.id) is wall
    assert store.get(other.id) is None
    store.close_user("wall")
    assert store.get(wall.id) is None


async def test_after_the_idle_timeout_the_next_page_is_the_sign_in(tmp_path: Path) -> None:
    async with quiet_daemon(tmp_path, {"anne": Role.TECHNICIAN}) as daemon:
        assert daemon.pipeline is not None
        users = UserStore(daemon.settings.users.path)
        clock = FakeMonotonic()
        facade = ServiceFacade(daemon.pipeline, users, daemon.clock, daemon.sync)
        app = build_app(facade)
        mount_web(app, facade, daemon.settings.web, SessionStore(15 * 60, clock))
        server = TestServer(app)
        await server.start_server()
        client = WebClient(str(server.make_url("")).rstrip("/"))
        try:
            await client.sign_in("anne", PW)
            assert (await client.get("/alarms", allow_redirects=False)).status == 200
            clock.now += 15 * 60 + 1
            answer = await client.get("/alarms", allow_redirects=False)
            assert answer.status == 303
            assert answer.headers["Location"].startswith("/login")
            # A form posted after the timeout is refused, not acted on.
            await client.sign_in("anne", PW)
            await client.get("/alarms")
            clock.now += 15 * 60 + 1
            answer = await client.post(
                "/alarms/acknowledge", {"key": "stale:F2-air", "comment": "late", "password": PW}
            )
            assert answer.status == 401
        finally:
            await client.close()
            await server.close()
            users.close()
