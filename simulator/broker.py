"""An MQTT broker inside the process (amqtt), so the demo needs nothing but Python.

A lab uses Mosquitto; the demo and a bench without a broker use this one, bound to the
loopback address only (amqtt's own default would listen on every interface). It runs on a
thread with its own event loop: in the caller's loop its message handling would delay the
Modbus polls and the pipeline of a simulation running hundreds of times real time.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import Future
from types import TracebackType

from amqtt.broker import Broker


class EmbeddedBroker:
    """``async with EmbeddedBroker(port):`` runs an anonymous broker on 127.0.0.1:port."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the embedded broker only listens on loopback, not {host!r}")
        self.host = host
        self.port = port
        self._broker: Broker | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    async def start(self) -> None:
        """Start the broker on its own thread; returns once it listens."""
        started: Future[None] = Future()
        self._loop = asyncio.new_event_loop()

        def serve() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self._start_here())
            except BaseException as exc:
                started.set_exception(exc)
                self._loop.close()
                return
            started.set_result(None)
            self._loop.run_forever()
            self._loop.close()

        self._thread = threading.Thread(target=serve, name="embedded-mqtt", daemon=True)
        self._thread.start()
        await asyncio.wrap_future(started)

    async def _start_here(self) -> None:
        # amqtt logs every connection at INFO; the demo's output is for people.
        logging.getLogger("amqtt").setLevel(logging.WARNING)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}
            },
        }
        broker = Broker(config)
        try:
            await broker.start()
        except Exception as exc:
            raise OSError(
                f"cannot start the embedded MQTT broker on port {self.port}: {exc}"
            ) from exc
        self._broker = broker

    async def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return
        if self._broker is not None:
            broker, self._broker = self._broker, None
            done = asyncio.run_coroutine_threadsafe(broker.shutdown(), loop)
            await asyncio.wrap_future(done)
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join, 5)

    async def __aenter__(self) -> EmbeddedBroker:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
