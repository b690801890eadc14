"""One Modbus connection (TCP, or RTU on a serial port) and its failures as ``ProbeError``.

Every request holds the bus lock, so two callers never talk on one RS-485 bus at once, and an
RTU bus keeps its inter-frame silence between a response and the next request. pymodbus does
the framing, the per-request timeout and the retries; its exceptions end here, turned into
``ProbeTimeout``, ``ProbeProtocolError`` or ``ProbeUnreachable`` naming the probes concerned.
Reconnection is the poller's job, with its backoff: pymodbus's own reconnect task is off.
Every await into pymodbus is ``settled``: a cancellation its ``wait_for`` lost stops the
caller there, rather than after the rest of a poll of slow units.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient
from pymodbus.exceptions import ConnectionException, ModbusIOException
from pymodbus.framer import FramerType
from pymodbus.pdu import ExceptionResponse, ModbusPDU

from config.links import ModbusRtuBus, ModbusTcpBus
from drivers.cancellation import settled
from drivers.errors import ProbeError, ProbeProtocolError, ProbeTimeout, ProbeUnreachable
from drivers.modbus_plan import RegisterRead

EXCEPTION_NAMES = {
    1: "illegal function",
    2: "illegal data address",
    3: "illegal data value",
    4: "device failure",
    5: "acknowledge",
    6: "device busy",
    8: "memory parity error",
    10: "gateway path unavailable",
    11: "gateway target failed to respond",
}

ERROR_KINDS = ("timeout", "garbled", "exception", "unreachable")


@dataclass
class ModbusCounters:
    """What a connection did, for tests and the status page."""

    requests: int = 0
    responses: int = 0
    connect_attempts: int = 0
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ERROR_KINDS, 0))
    last_error: str | None = None

    def record(self, kind: str, error: ProbeError) -> ProbeError:
        self.errors[kind] += 1
        self.last_error = str(error)
        return error


def _quiet_library_log() -> None:
    # pymodbus logs every timeout and refused connection, poll after poll; the poller reports
    # each failure once and each recovery once. A level set on purpose is left alone.
    library_log = logging.getLogger("pymodbus")
    if library_log.level == logging.NOTSET:
        library_log.setLevel(logging.CRITICAL)


class ModbusConnection:
    """A client for one bus: ``connect``, ``read`` register ranges, ``close``."""

    def __init__(self, bus: ModbusTcpBus | ModbusRtuBus) -> None:
        _quiet_library_log()
        self.bus = bus
        self.counters = ModbusCounters()
        self._lock = asyncio.Lock()
        self._last_frame_end: float | None = None
        self._heard_anything = False
        # Made by ``connect``, inside the running loop, as pymodbus requires; one per attempt.
        self._client: AsyncModbusTcpClient | AsyncModbusSerialClient | None = None

    def _make_client(self) -> AsyncModbusTcpClient | AsyncModbusSerialClient:
        bus = self.bus
        if isinstance(bus, ModbusTcpBus):
            return AsyncModbusTcpClient(
                bus.host,
                port=bus.port,
                name=bus.id,
                timeout=bus.timeout_s,
                retries=bus.retries,
                reconnect_delay=0,
                trace_packet=self._heard,
            )
        return AsyncModbusSerialClient(
            str(bus.device),
            framer=FramerType.RTU,
            baudrate=bus.baudrate,
            bytesize=bus.bytesize,
            parity=bus.parity,
            stopbits=bus.stopbits,
            name=bus.id,
            timeout=bus.timeout_s,
            retries=bus.retries,
            reconnect_delay=0,
            trace_packet=self._heard,
        )

    def _heard(self, sending: bool, data: bytes) -> bytes:
        # Received bytes that never make a valid frame are a garbled answer, not silence.
        if not sending and data:
            self._heard_anything = True
        return data

    @property
    def connected(self) -> bool:
        return self._client is not None and bool(self._client.connected)

    def endpoint(self) -> str:
        """The address of the bus: ``127.0.0.1:502`` or the serial device path."""
        if isinstance(self.bus, ModbusTcpBus):
            return f"{self.bus.host}:{self.bus.port}"
        return str(self.bus.device)

    async def connect(self) -> None:
        """Open the TCP connection or the serial port, or raise ``ProbeUnreachable``."""
        async with self._lock:
            self.close()
            self.counters.connect_attempts += 1
            self._client = self._make_client()
            if await settled(self._client.connect()):
                self._last_frame_end = None
                return
            self.close()
        if isinstance(self.bus, ModbusRtuBus) and not self.bus.device.exists():
            message = f"serial device {self.bus.device} does not exist"
        elif isinstance(self.bus, ModbusRtuBus):
            message = f"cannot open serial device {self.bus.device}"
        else:
            message = f"cannot connect to {self.endpoint()} (refused or unreachable)"
        raise self.counters.record("unreachable", ProbeUnreachable(self.bus.id, message))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    async def read(self, request: RegisterRead) -> list[int]:
        """The registers of ``request``, or a ``ProbeError`` naming its probes."""
        source = ", ".join(request.probe_ids)
        where = f"{request.describe()} on {self.bus.id}"
        async with self._lock:
            await self._keep_frame_gap()
            self.counters.requests += 1
            self._heard_anything = False
            try:
                response = await settled(self._send(request))
            except ConnectionException:
                lost = ProbeUnreachable(source, f"{where}: not connected to {self.endpoint()}")
                raise self.counters.record("unreachable", lost) from None
            except ModbusIOException as exc:
                raise self._io_error(source, where, exc) from None
            except OSError as exc:
                broken = ProbeUnreachable(source, f"{where}: {exc.strerror or exc}")
                raise self.counters.record("unreachable", broken) from None
            finally:
                self._last_frame_end = asyncio.get_running_loop().time()
        if isinstance(response, ExceptionResponse):
            code = int(response.exception_code)
            name = EXCEPTION_NAMES.get(code, "unknown exception")
            refused = ProbeProtocolError(source, f"{where}: Modbus exception {code} ({name})")
            raise self.counters.record("exception", refused)
        registers = list(response.registers)
        if len(registers) != request.count:
            message = f"{where}: asked for {request.count} registers, got {len(registers)}"
            raise self.counters.record("garbled", ProbeProtocolError(source, message))
        self.counters.responses += 1
        return registers

    async def _send(self, request: RegisterRead) -> ModbusPDU:
        client = self._client
        if client is None:
            raise ConnectionException("not connected")
        if request.table == "holding":
            return await client.read_holding_registers(
                request.address, count=request.count, device_id=request.unit_id
            )
        return await client.read_input_registers(
            request.address, count=request.count, device_id=request.unit_id
        )

    def _io_error(self, source: str, where: str, exc: ModbusIOException) -> ProbeError:
        if "No response received" not in str(exc):
            # A response for another unit or transaction: the exchange got mixed up.
            return self.counters.record("garbled", ProbeProtocolError(source, f"{where}: {exc}"))
        tries = f"{self.bus.retries + 1} {'try' if self.bus.retries == 0 else 'tries'}"
        if self._heard_anything:
            message = f"{where}: garbled answer (CRC error or broken frame), {tries}"
            return self.counters.record("garbled", ProbeProtocolError(source, message))
        message = f"{where}: no answer within {self.bus.timeout_s:g} s ({tries})"
        return self.counters.record("timeout", ProbeTimeout(source, message))

    async def _keep_frame_gap(self) -> None:
        # The silence is wire time, so it is real time whatever the service clock's speed.
        if not isinstance(self.bus, ModbusRtuBus) or self._last_frame_end is None:
            return
        loop = asyncio.get_running_loop()
        wait = self._last_frame_end + self.bus.frame_gap_s() - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
