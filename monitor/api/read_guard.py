"""Who may read the API: the command line's Unix socket freely, TCP with a session or a token.

The socket file is owner and group only (``ApiServer``), so whoever reaches it is the service
account or a member of its group, who may read the journal file anyway: the command line on
the Pi reads there without a password. Over TCP, loopback included (any account on the Pi
reaches loopback), a read needs a signed-in web session of a role that may read
(``monitor.web``) or the read token of ``web.read_token_file`` as ``Authorization: Bearer``,
for a script on the lab's network. Requests that change something carry their user's
password in the body whatever their origin.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SessionCheck = Callable[[web.Request], bool]
SESSION_CHECK_KEY: web.AppKey[SessionCheck] = web.AppKey("api_session_check")
READ_TOKEN_KEY: web.AppKey[str] = web.AppKey("api_read_token")
OPEN = ("/api/health",)  # a monitor's probe: says nothing but "up"


def through_local_socket(request: web.Request) -> bool:
    """Whether the request came through the Unix socket (its address is a path)."""
    transport = request.transport
    if transport is None:
        return False
    return isinstance(transport.get_extra_info("sockname"), str | bytes)


def bearer_matches(request: web.Request, token: str | None) -> bool:
    """Whether the request carries ``token``, compared in constant time."""
    if not token:
        return False
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


@web.middleware
async def reads_need_credentials(request: web.Request, handler: Handler) -> web.StreamResponse:
    if (
        request.method in ("GET", "HEAD")
        and request.path.startswith("/api/")
        and request.path not in OPEN
        and not through_local_socket(request)
        and not bearer_matches(request, request.app.get(READ_TOKEN_KEY))
    ):
        check = request.app.get(SESSION_CHECK_KEY)
        if check is None or not check(request):
            raise web.HTTPUnauthorized(
                reason="reading the API over TCP needs a signed-in session or the read token "
                "(web.read_token_file, sent as 'Authorization: Bearer'); the command line "
                "reads through the daemon's Unix socket (web.unix_socket)"
            )
    return await handler(request)
