"""Serve the local API inside the daemon's own event loop, on loopback or a Unix socket."""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from config.service import WebSettings
from monitor.api.app import build_app
from monitor.api.port import ServicePort

log = logging.getLogger(__name__)


class ApiServer:
    """Starts and stops the API; ``url`` tells a client where it listens."""

    def __init__(self, settings: WebSettings, port: ServicePort) -> None:
        self._settings = settings
        # A short shutdown timeout: SIGTERM must not wait on an idle keep-alive client.
        self._runner = web.AppRunner(build_app(port), shutdown_timeout=1.0, access_log=None)
        self.url = ""
        self.unix_socket: Path | None = None

    async def start(self) -> None:
        await self._runner.setup()
        s = self._settings
        site: web.BaseSite
        if s.unix_socket is not None:
            s.unix_socket.parent.mkdir(parents=True, exist_ok=True)
            s.unix_socket.unlink(missing_ok=True)
            site = web.UnixSite(self._runner, str(s.unix_socket))
            await site.start()
            s.unix_socket.chmod(0o660)
            self.unix_socket = s.unix_socket
            self.url = "http://localhost"
        else:
            site = web.TCPSite(self._runner, s.host, s.port)
            await site.start()
            port = self._runner.addresses[0][1]  # the real one when settings asked for 0
            self.url = f"http://{s.host}:{port}"
        log.info("API listening on %s", self.unix_socket or self.url)

    async def stop(self) -> None:
        await self._runner.cleanup()
