"""Serve the local API inside the daemon's own event loop: loopback, a Unix socket, or HTTPS.

A connection gets ``HttpLimits.idle_s`` to send a whole request head, from when it opens
and again after each answer: aiohttp's keep-alive timer, armed at both moments, closes
it otherwise, which ends idle connections and heads sent a byte at a time alike. The body
then has ``body_s`` (``monitor.api.body``), and so has the rest of a body after an early
answer, which aiohttp reads and drops before closing.
"""

from __future__ import annotations

import logging
import ssl
from pathlib import Path

from aiohttp import web

from config.service import WebSettings
from monitor.api.app import FAILURES_KEY, build_app
from monitor.api.limits import HttpLimits
from monitor.api.port import ServicePort
from monitor.api.request_log import LogBudget, ServerLog
from monitor.service.facade import ServiceFacade
from monitor.web.mount import mount_web

log = logging.getLogger(__name__)


class ApiServer:
    """Starts and stops the API; ``url`` tells a client where it listens."""

    def __init__(
        self, settings: WebSettings, port: ServicePort, limits: HttpLimits | None = None
    ) -> None:
        self._settings = settings
        limits = limits or HttpLimits()
        app = build_app(port, limits)
        if isinstance(port, ServiceFacade):  # the daemon's own service: the lab's web pages
            mount_web(app, port, settings)
        malformed = LogBudget(log, "malformed HTTP requests", limits.log_lines,
                              limits.log_window_s)  # fmt: skip
        self._log = ServerLog(malformed, app[FAILURES_KEY])
        self._runner = web.AppRunner(
            app,
            # A short shutdown timeout: SIGTERM must not wait on an idle keep-alive client.
            shutdown_timeout=1.0,
            access_log=None,
            keepalive_timeout=limits.idle_s,
            lingering_time=limits.body_s,
            logger=self._log,
        )
        self.url = ""
        self.unix_socket: Path | None = None

    async def start(self) -> None:
        s = self._settings
        tls = tls_context(s)  # before anything listens: a bad certificate stops the start
        await self._runner.setup()
        site: web.BaseSite
        if s.unix_socket is not None:
            # The socket file's mode keeps other users out; TLS would add nothing locally.
            s.unix_socket.parent.mkdir(parents=True, exist_ok=True)
            s.unix_socket.unlink(missing_ok=True)
            site = web.UnixSite(self._runner, str(s.unix_socket))
            await site.start()
            s.unix_socket.chmod(0o660)
            self.unix_socket = s.unix_socket
            self.url = "http://localhost"
        else:
            site = web.TCPSite(self._runner, s.host, s.port, ssl_context=tls)
            await site.start()
            port = self._runner.addresses[0][1]  # the real one when settings asked for 0
            host = f"[{s.host}]" if ":" in s.host else s.host
            self.url = f"{'https' if tls else 'http'}://{host}:{port}"
        if s.plain_http_beyond_loopback:
            where = s.host or "every interface"
            log.warning("API serves plain HTTP on %s: passwords cross the network readable "
                        "(web.allow_plain_http_on_lan is true)", where)  # fmt: skip
        log.info("API listening on %s", self.unix_socket or self.url)

    async def stop(self) -> None:
        await self._runner.cleanup()
        self._log.close()


def tls_context(settings: WebSettings) -> ssl.SSLContext | None:
    """The server's TLS context from its certificate and key, or None for plain HTTP."""
    cert, key = settings.tls_cert_file, settings.tls_key_file
    if cert is None or key is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except OSError as exc:  # ssl.SSLError is one: a key that does not match, a bad PEM
        raise OSError(
            f"web.tls_cert_file {cert}, web.tls_key_file {key}: cannot load the certificate "
            f"and its key ({exc})"
        ) from None
    return context
