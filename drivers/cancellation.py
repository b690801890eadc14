"""Cancellations that libraries lose, noticed after every call into them.

A task asked to stop (``Task.cancel``) can carry on as if nothing happened, and its owner
waits for it for ever, or past a stop timeout:

- Python 3.11's ``asyncio.wait_for``, under every aiomqtt and pymodbus call, returns the
  result (or raises the operation's own error) instead of ``CancelledError`` when the
  cancellation arrives just as the awaited operation completes (CPython gh-86296, fixed in
  3.12);
- leaving an aiomqtt client's ``async with`` sends DISCONNECT, and an ``MqttError`` from that
  replaces the ``CancelledError``.

The request stays counted (``Task.cancelling``) until someone calls ``uncancel``, which only
a ``TaskGroup`` or ``asyncio.timeout`` of the task's own does for its own request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


def stop_if_cancelled() -> None:
    """Raise ``CancelledError`` if the running task has been asked to stop."""
    task = asyncio.current_task()
    if task is not None and task.cancelling() > 0:
        raise asyncio.CancelledError


async def settled(call: Awaitable[T]) -> T:
    """Await ``call``, a call into a library; if the task was asked to stop meanwhile, raise
    ``CancelledError`` whatever the call returned or raised."""
    try:
        return await call
    finally:
        stop_if_cancelled()
