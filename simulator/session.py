"""A running simulation: the lab, its clock and every protocol front-end the settings name.

The simulator reads the same settings file as the service: each Modbus bus is served over
TCP or RTU on a pseudo-terminal, each serial line on a pseudo-terminal, and each MQTT probe
is published to the configured broker (or to an embedded one), so the service under test
reads the lab over exactly the protocols it would meet in a real lab.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from typing import Any

from config import Settings
from config.probes import MqttSource
from monitor.clock import Clock
from simulator.broker import EmbeddedBroker
from simulator.frontends.modbus_server import ModbusFrontend
from simulator.frontends.mqtt_publisher import MqttFrontend
from simulator.frontends.serial_device import SerialFrontend
from simulator.lab import Lab
from simulator.runner import run_lab

log = logging.getLogger(__name__)


class SimulationError(Exception):
    """The settings and the scenario do not fit together (a probe the lab does not know …)."""


class Simulation:
    """``async with Simulation(settings, lab, clock):`` serves the lab until the block ends."""

    def __init__(
        self,
        settings: Settings,
        lab: Lab,
        clock: Clock,
        *,
        embedded_broker: bool = False,
        step_s: float = 1.0,
    ) -> None:
        unknown = sorted({p.id for p in settings.probes} - set(lab.probe_ids()))
        if unknown:
            raise SimulationError(
                f"the scenario has no probe {', '.join(unknown)} that the settings name "
                f"(scenario probes: {', '.join(sorted(lab.probe_ids()))})"
            )
        if embedded_broker and settings.mqtt is None:
            raise SimulationError("an embedded broker needs an [mqtt] section (its port)")
        self.settings = settings
        self.lab = lab
        self.clock = clock
        self.step_s = step_s
        self.embedded_broker = embedded_broker
        self.modbus: ModbusFrontend | None = None
        self._stack = AsyncExitStack()
        self._tasks: list[asyncio.Task[None]] = []

    def _runners(self) -> list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]]:
        s = self.settings
        runners: list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]] = [
            ("sim-lab", lambda: run_lab(self.lab, self.clock, self.step_s))
        ]
        if s.modbus:
            self.modbus = ModbusFrontend(s, self.lab)
            runners.append(("sim-modbus", self.modbus.run))
        if s.serial:
            runners.append(("sim-serial", SerialFrontend(s, self.lab, self.clock).run))
        if any(isinstance(p.source, MqttSource) for p in s.probes):
            runners.append(("sim-mqtt", MqttFrontend(s, self.lab, self.clock).run))
        return runners

    async def __aenter__(self) -> Simulation:
        try:
            if self.embedded_broker and self.settings.mqtt is not None:
                broker = EmbeddedBroker(self.settings.mqtt.port, self.settings.mqtt.host)
                await self._stack.enter_async_context(broker)
            for name, run in self._runners():
                self._tasks.append(asyncio.create_task(run(), name=name))
            await asyncio.sleep(0)  # let the servers bind before the caller connects
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            task.cancel()
        results = await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self._stack.aclose()
        for result in results:
            if isinstance(result, Exception):
                log.error("simulator front-end failed: %s", result)

    def failed(self) -> BaseException | None:
        """The error of a front-end that stopped on its own, if any."""
        for task in self._tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                return task.exception()
        return None
