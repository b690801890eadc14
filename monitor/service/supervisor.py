"""One ``asyncio.TaskGroup`` that owns every long-lived task of the daemon, each named.

A task that ends with an unexpected exception stops the whole daemon with that error: the
daemon is crash-only and systemd restarts it (``Restart=on-failure``); a half-running
monitor that looks alive is worse than a restart that is recorded. Hardware faults never
get here: drivers turn them into unavailable probes. SIGTERM and SIGINT stop gracefully.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Component:
    """A named coroutine that runs until cancelled."""

    name: str
    run: Callable[[], Awaitable[None]]


class _StopRequested(Exception):
    """Raised inside the group to cancel every task on a stop request."""


class Supervisor:
    """Runs components until ``stop()`` (or a signal), or until one of them fails."""

    def __init__(self, components: Sequence[Component]) -> None:
        names = [c.name for c in components]
        if len(set(names)) != len(names):
            raise ValueError(f"component names must be unique: {names}")
        self._components = list(components)
        self._stop = asyncio.Event()
        self.stop_reason = ""

    def stop(self, reason: str = "stop requested") -> None:
        if not self._stop.is_set():
            self.stop_reason = reason
            self._stop.set()

    def install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop, f"signal {sig.name}")

    def remove_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)

    async def run(self) -> None:
        """Run every component; return on stop, raise the first component failure."""
        try:
            async with asyncio.TaskGroup() as group:
                for component in self._components:
                    group.create_task(self._guard(component), name=component.name)
                await self._stop.wait()
                raise _StopRequested
        except* _StopRequested:
            log.info("stopping: %s", self.stop_reason)

    @staticmethod
    async def _guard(component: Component) -> None:
        try:
            await component.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("component %s failed; stopping the daemon", component.name)
            raise
        else:
            # A component that returns on its own would leave a part of the lab unwatched.
            raise RuntimeError(f"component {component.name} stopped on its own")
