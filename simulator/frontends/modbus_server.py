"""The simulator's Modbus front-end: every Modbus bus of a settings file, served from the lab.

It reads the same settings file as the service: each TCP bus is served on its host and port
(loopback only), each RTU bus on a pseudo-terminal whose path is the bus's ``device``; each
probe sits at its configured unit, table, address, encoding, scale and word order. While the
lab says a bus's link is down, a TCP bus stops listening and drops its connections (the
driver sees "connection refused") and an RTU bus answers nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from types import TracebackType
from typing import cast

from pymodbus.framer import FramerType
from pymodbus.pdu import ModbusPDU
from pymodbus.server import ModbusSerialServer, ModbusTcpServer

from config.links import ModbusRtuBus, ModbusTcpBus
from config.probes import ModbusSource
from config.settings import Settings
from simulator.frontends.modbus_bus import SimulatedBus
from simulator.frontends.modbus_pty import PtyLink
from simulator.frontends.shared import ValueSource

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# pymodbus drops a request whose trace hook returns None instead of the request.
_TracePdu = Callable[[bool, ModbusPDU], ModbusPDU]


class _BusServer:
    """A pymodbus server for one simulated bus, stopped and started as its link goes."""

    def __init__(self, simulated: SimulatedBus) -> None:
        self.simulated = simulated
        self._server: ModbusTcpServer | ModbusSerialServer | None = None
        self._pty: PtyLink | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        bus = self.simulated.bus
        trace_pdu = cast(_TracePdu, self.simulated.on_request)
        if isinstance(bus, ModbusTcpBus):
            server: ModbusTcpServer | ModbusSerialServer = ModbusTcpServer(
                self.simulated.sim_devices(), address=(bus.host, bus.port), trace_pdu=trace_pdu
            )
            where = f"{bus.host}:{bus.port}"
        else:
            self._pty = PtyLink(bus.device)
            self._pty.open()
            server = ModbusSerialServer(
                self.simulated.sim_devices(),
                framer=FramerType.RTU,
                port=self._pty.server_path,
                baudrate=bus.baudrate,
                bytesize=bus.bytesize,
                parity=bus.parity,
                stopbits=bus.stopbits,
                trace_pdu=trace_pdu,
                trace_packet=self.simulated.on_frame,
            )
            where = str(bus.device)
        try:
            await server.serve_forever(background=True)
        except RuntimeError as exc:
            await self._close(server)
            raise OSError(f"cannot serve Modbus bus {bus.id} on {where}: {exc}") from exc
        self._server = server

    async def stop(self) -> None:
        server, self._server = self._server, None
        await self._close(server)

    async def _close(self, server: ModbusTcpServer | ModbusSerialServer | None) -> None:
        if server is not None:
            await server.shutdown()  # type: ignore[no-untyped-call]
        if self._pty is not None:
            self._pty.close()
            self._pty = None

    async def set_link(self, up: bool) -> None:
        self.simulated.answering = up
        if not isinstance(self.simulated.bus, ModbusTcpBus) or up == self.running:
            return
        if up:
            await self.start()
            log.info("Modbus bus %s: link up, listening again", self.simulated.bus.id)
        else:
            await self.stop()
            log.info("Modbus bus %s: link down, not listening", self.simulated.bus.id)


class ModbusFrontend:
    """Serves the Modbus buses of ``settings`` from ``values`` (the lab).

    ``run()`` is the long-lived task for a supervisor; ``async with`` does the same for a
    test or a script. ``buses[bus_id]`` gives the request counts and the CRC-error injector.
    """

    def __init__(
        self, settings: Settings, values: ValueSource, *, link_check_s: float = 0.05
    ) -> None:
        if not link_check_s > 0:
            raise ValueError(f"link_check_s must be > 0, got {link_check_s}")
        self._values = values
        self._link_check_s = link_check_s
        self.buses: dict[str, SimulatedBus] = {}
        for bus in settings.modbus:
            if isinstance(bus, ModbusTcpBus) and bus.host not in LOOPBACK_HOSTS:
                raise ValueError(
                    f"Modbus bus {bus.id}: the simulator serves on loopback only, "
                    f"not on {bus.host!r}"
                )
            probes = [
                p
                for p in settings.probes
                if isinstance(p.source, ModbusSource) and p.source.bus == bus.id
            ]
            for probe in probes:
                try:
                    values.probe_output(probe.id)
                except LookupError:
                    raise ValueError(
                        f"probe {probe.id} of Modbus bus {bus.id} is not in the simulated lab"
                    ) from None
            if probes:
                self.buses[bus.id] = SimulatedBus(bus, probes, values)
        self._servers = {bus_id: _BusServer(sim) for bus_id, sim in self.buses.items()}
        self._watch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Serve every bus whose link is up (a bus whose link is down starts when it comes up)."""
        try:
            for bus_id, server in self._servers.items():
                up = self._link_up(bus_id)
                server.simulated.answering = up
                if up or isinstance(server.simulated.bus, ModbusRtuBus):
                    await server.start()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        for server in self._servers.values():
            await server.stop()

    async def check_links(self) -> None:
        """Follow the lab's link states: stop or restart listening, mute or unmute units."""
        for bus_id, server in self._servers.items():
            try:
                await server.set_link(self._link_up(bus_id))
            except OSError as exc:
                # The port may still be taken for a moment; the next check tries again.
                log.warning("Modbus bus %s: %s", bus_id, exc)

    def _link_up(self, bus_id: str) -> bool:
        try:
            return self._values.link_up(bus_id)
        except LookupError:
            return True  # a bus the lab does not model as a link is never cut

    async def run(self) -> None:
        """Serve until cancelled, following link states; everything is closed on the way out."""
        await self.start()
        try:
            await self._follow_links()
        finally:
            await self.stop()

    async def _follow_links(self) -> None:
        while True:
            await asyncio.sleep(self._link_check_s)
            await self.check_links()

    async def __aenter__(self) -> ModbusFrontend:
        await self.start()
        self._watch = asyncio.create_task(self._follow_links(), name="modbus front-end links")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        await self.stop()
