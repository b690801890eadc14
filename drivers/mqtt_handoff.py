"""Each MQTT message handed to its handler as the client reads it, not through a queue.

aiomqtt puts every message it reads in an unbounded queue and hands it out through an async
iterator: a task, a wait and a wake-up for each message, which cost more than the message's
parsing. A subscriber that handles a message at once, never waiting, needs none of that. With
this "queue" (aiomqtt's ``queue_type``) a message goes from the socket to the handler in the
same call, so none waits in the client's memory: what the daemon has not read yet stays in
the broker, where the queue is sized for it (README.md, "Lag and overload"), and the client
acknowledges a QoS 1 message only once it was handled.

The handler runs inside the MQTT client's read callback: an exception there would be taken
for a broken connection, so it is logged here and the next message goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import aiomqtt

log = logging.getLogger(__name__)
Handler = Callable[[aiomqtt.Message], None]


def handing_queue(handler: Handler) -> type[asyncio.Queue[aiomqtt.Message]]:
    """A queue class for ``aiomqtt.Client(queue_type=...)`` whose every put is ``handler``."""

    class HandingQueue(asyncio.Queue[aiomqtt.Message]):
        def put_nowait(self, item: aiomqtt.Message) -> None:
            try:
                handler(item)
            except Exception:
                log.exception("MQTT: a message on %s could not be handled", item.topic)

    return HandingQueue
