"""Time against the person at the screen: a form posted once the session has idled out is
refused on every route that changes something, and records nothing; wrong passwords
throttle the user, at sign-in, on a page's signature and on the API alike, the right
password included, with a message that says how long to wait."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from monitor.clock import NS_PER_S
from monitor.web.sessions import SessionStore
from tests.monitor.service.quiet_daemon import PW, STALE, quiet_daemon, snapshot
from tests.monitor.web.route_roles import (
    CHANGING,
    EN,
    PEOPLE,
    PUBLIC,
    WEB_CHANGES,
    check_the_table_lists,
    create_lot,
    routes_of,
    served,
)
from tests.monitor.web.web_client import WebClient, csrf_of

SIGNED_OUT = "You are signed out (idle too long?): sign in again."


class SteppedMonotonic:
    """The sessions' clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class HeldClock:
    """The daemon's time, held still: a throttle's wait is over only when the test says."""

    def __init__(self, now_ns: int) -> None:
        self.ns = now_ns

    @property
    def speed(self) -> float:
        return 1.0

    def now_ns(self) -> int:
        return self.ns

    def monotonic(self) -> float:
        return self.ns / NS_PER_S

    async def sleep(self, seconds: float) -> None:
        self.ns += int(seconds * NS_PER_S)


async def test_a_form_posted_after_the_idle_timeout_is_refused_and_records_nothing(
    tmp_path: Path,
) -> None:
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        await create_lot(daemon)
        idle_s = daemon.settings.web.session_idle_min * 60
        monotonic = SteppedMonotonic()
        async with served(daemon, SessionStore(idle_s, monotonic)) as web:
            routes = routes_of(web.app, CHANGING, api=False)
            check_the_table_lists(set(routes) - PUBLIC, WEB_CHANGES)
            # A supervisor may do every act: only the timeout stands in her way.
            sophie = WebClient(web.url, headers=EN)
            try:
                for route, path in routes.items():
                    if route in PUBLIC:
                        continue
                    assert (await sophie.sign_in("sophie", PW)).status == 200
                    form = {"csrf": csrf_of(sophie.page), **WEB_CHANGES[route].fields}
                    monotonic.now += idle_s + 1
                    before = snapshot(daemon)
                    answer = await sophie.post(path, form, token=False, allow_redirects=False)
                    assert answer.status == 401, f"{route}: {answer.status} {sophie.flashes()}"
                    assert sophie.message() == SIGNED_OUT, route
                    assert snapshot(daemon) == before, f"{route}: recorded something"
                    answer = await sophie.get("/", allow_redirects=False)
                    assert answer.status == 303, route  # ended for good, not only refused
            finally:
                await sophie.close()


async def test_wrong_passwords_throttle_the_user_everywhere_the_right_one_included(
    tmp_path: Path,
) -> None:
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        clock = HeldClock(daemon.clock.now_ns())
        async with served(daemon, clock=clock) as web, aiohttp.ClientSession() as http:
            anne, guesser, sophie = (WebClient(web.url, headers=EN) for _ in range(3))
            try:
                assert (await anne.sign_in("anne", PW)).status == 200
                for _ in range(3):
                    answer = await guesser.sign_in("anne", "not her password")
                    assert answer.status == 401
                    assert guesser.flashes() == [("refused", "wrong user name or password")]
                throttled = "too many failed attempts for anne: try again in 1 s"
                before = snapshot(daemon)

                # The right password while the wait runs: the sign-in form again, saying so.
                answer = await guesser.sign_in("anne", PW)
                assert answer.status == 429
                assert guesser.flashes() == [("refused", throttled)]
                assert 'name="password"' in guesser.page
                assert "Traceback" not in guesser.page
                assert (await guesser.get("/", allow_redirects=False)).status == 303
                # Her signature on a page she had signed in to before: the same wait.
                await anne.get("/alarms")
                answer = await anne.post(
                    "/alarms/acknowledge", {"key": STALE, "comment": "checked", "password": PW}
                )
                assert answer.status == 429
                assert anne.message() == throttled
                body = {"user": "anne", "password": PW, "comment": "checked"}
                async with http.post(f"{web.url}/api/alarms/{STALE}/ack", json=body) as answer:
                    assert (answer.status, await answer.json()) == (429, {"error": throttled})
                assert snapshot(daemon) == before
                # The throttle is hers: another user signs in meanwhile.
                assert (await sophie.sign_in("sophie", PW)).status == 200

                await clock.sleep(1.0)
                answer = await guesser.sign_in("anne", PW)
                assert answer.status == 200, guesser.flashes()
                assert str(answer.url).endswith("/")
            finally:
                for client in (anne, guesser, sophie):
                    await client.close()
