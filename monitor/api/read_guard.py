"""Who may read the API: this machine freely, anyone else only when signed in.

The command line runs on the Pi and reaches the daemon over loopback or its Unix socket (it
reads the daemon's own settings), where the journal file is readable anyway; a browser or a
script elsewhere on the lab's network must hold a web session (``monitor.web``). Requests
that change something carry their user's password in the body whatever their origin.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SessionCheck = Callable[[web.Request], bool]
SESSION_CHECK_KEY: web.AppKey[SessionCheck] = web.AppKey("api_session_check")
OPEN = ("/api/health",)  # a monitor's probe: says nothing but "up"


def from_this_machine(request: web.Request) -> bool:
    """A Unix socket, a loopback peer, or a peer whose address is the socket's own address
    (the command line reaching a LAN address of the Pi from the Pi itself)."""
    transport = request.transport
    if transport is None:
        return False
    local = transport.get_extra_info("sockname")
    if isinstance(local, str | bytes):  # a Unix socket's path: its file mode keeps others out
        return True
    peer = transport.get_extra_info("peername")
    if not isinstance(peer, tuple) or not isinstance(local, tuple):
        return False
    try:
        peer_ip = ipaddress.ip_address(str(peer[0]).split("%")[0])
        local_ip = ipaddress.ip_address(str(local[0]).split("%")[0])
    except ValueError:
        return False
    mapped = getattr(peer_ip, "ipv4_mapped", None)
    peer_ip = mapped or peer_ip
    local_ip = getattr(local_ip, "ipv4_mapped", None) or local_ip
    return peer_ip.is_loopback or peer_ip == local_ip


@web.middleware
async def reads_need_credentials(request: web.Request, handler: Handler) -> web.StreamResponse:
    if (
        request.method in ("GET", "HEAD")
        and request.path.startswith("/api/")
        and request.path not in OPEN
        and not from_this_machine(request)
    ):
        check = request.app.get(SESSION_CHECK_KEY)
        if check is None or not check(request):
            raise web.HTTPUnauthorized(
                reason="reading the API from another machine needs a signed-in session: sign "
                "in to the web application first"
            )
    return await handler(request)
