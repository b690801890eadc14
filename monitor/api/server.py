"""Serve the web application and the API in the daemon's own event loop, over TCP (plain on
loopback, HTTPS beyond) and on the command line's Unix socket.

A connection gets ``HttpLimits.idle_s`` to send a whole request head, from when it opens
and again after each answer: aiohttp's keep-alive timer, armed at both moments, closes
it otherwise, which ends idle connections and heads sent a byte at a time alike. The body
then has ``body_s`` (``monitor.api.body``), and so has the rest of a body after an early
answer, which aiohttp reads and drops before closing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import ssl
from pathlib import Path

from aiohttp import web

from config.service import WebSettings
from monitor.api.app import FAILURES_KEY, build_app
from monitor.api.limits import HttpLimits
from monitor.api.port import ServicePort
from monitor.api.read_guard import READ_TOKEN_KEY
from monitor.api.request_log import LogBudget, ServerLog
from monitor.service.facade import ServiceFacade

log = logging.getLogger(__name__)


class ApiServer:
    """Starts and stops the API; ``url`` tells a client where it listens."""

    def __init__(
        self, settings: WebSettings, port: ServicePort, limits: HttpLimits | None = None
    ) -> None:
        self._settings = settings
        limits = limits or HttpLimits()
        app = build_app(port, limits)
        if isinstance(port, ServiceFacade) and settings.pages:  # the daemon's: the lab's pages
            # Imported here: without the pages, their templates and catalogues stay unloaded.
            from monitor.web.mount import mount_web

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
        try:
            token = s.read_token_value()
        except ValueError as exc:  # unreadable, or readable by others: as a bad certificate
            raise OSError(str(exc)) from None
        if token:
            self._runner.app[READ_TOKEN_KEY] = token
        await self._runner.setup()
        site = web.TCPSite(self._runner, s.host, s.port, ssl_context=tls)
        await site.start()
        port = self._runner.addresses[0][1]  # the real one when settings asked for 0
        host = f"[{s.host}]" if ":" in s.host else s.host
        self.url = f"{'https' if tls else 'http'}://{host}:{port}"
        if s.unix_socket is not None:
            await self._listen_locally(s.unix_socket)
        if s.plain_http_beyond_loopback:
            where = s.host or "every interface"
            log.warning("API serves plain HTTP on %s: passwords cross the network readable "
                        "(web.allow_plain_http_on_lan is true)", where)  # fmt: skip
        log.info("web application and API on %s%s", self.url,
                 f" and {self.unix_socket}" if self.unix_socket else "")  # fmt: skip

    async def _listen_locally(self, path: Path) -> None:
        """The command line's socket; without it the monitoring goes on, and the command
        line reads over TCP with the read token only, so a failure is an error, not a stop."""
        try:
            os.makedirs(path.parent, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)  # left by a daemon that did not stop cleanly
            site = web.UnixSite(self._runner, str(path))
            await site.start()
            # Owner and group only: the lactamon group is who may read without a password.
            os.chmod(path, 0o660)
        except (OSError, ValueError) as exc:  # ValueError: a path longer than sun_path
            log.error("web.unix_socket %s: cannot listen there (%s); the command line must "
                      "read over TCP with web.read_token_file", path, exc)  # fmt: skip
            return
        self.unix_socket = path

    async def stop(self) -> None:
        await self._runner.cleanup()
        self._log.close()
        if self.unix_socket is not None:
            # No socket file is left behind: the command line then says the daemon is down.
            self.unix_socket.unlink(missing_ok=True)


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
