"""An MQTT broker inside the process (amqtt), so the demo needs nothing but Python.

A lab uses Mosquitto; the demo and a bench without a broker use this one, bound to the
loopback address only (amqtt's own default would listen on every interface).
"""

from __future__ import annotations

import logging
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

    async def start(self) -> None:
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
        if self._broker is not None:
            broker, self._broker = self._broker, None
            await broker.shutdown()

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
