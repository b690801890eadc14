"""The relay channel: a buzzer or beacon on a Modbus relay module, on while an alarm waits.

The relay shows the state of every alarm, not the news of one message: each delivery writes
what ``wanted()`` says now (on while an alarm of the set priority or more urgent waits for
acknowledgement), so the acknowledgement's own notification turns it off once nothing else
waits. ``run`` writes the same state again every ``refresh_s``: a module that lost power
comes back with its relays off, and an alarm shelved without a notification is followed.

The connection (pymodbus, TCP or RTU) opens at the first write and again after any failure;
pymodbus's own reconnect task is off, as in the Modbus driver.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable

from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient
from pymodbus.exceptions import ConnectionException, ModbusException, ModbusIOException
from pymodbus.framer import FramerType
from pymodbus.pdu import ExceptionResponse

from config.notify_channels import RelaySettings
from drivers.cancellation import stop_if_cancelled
from drivers.modbus_client import EXCEPTION_NAMES
from monitor.alarms.model import Alarm, Priority
from monitor.notify.channel import Delivery, DeliveryFailed

log = logging.getLogger(__name__)

ModbusClient = AsyncModbusTcpClient | AsyncModbusSerialClient


def priority_of(name: str) -> Priority:
    """The priority named in the settings (``critical``, ``high``, ``medium``, ``low``)."""
    try:
        return Priority[name.upper()]
    except KeyError:
        names = ", ".join(p.name.lower() for p in Priority)
        raise ValueError(f"unknown priority {name!r}: one of {names}") from None


def relay_wanted(alarms: Callable[[], Iterable[Alarm]], priority: Priority) -> Callable[[], bool]:
    """Whether the relay should be on: an alarm of ``priority`` or more urgent needs an ack.

    Shelved and out-of-service alarms do not need one, so they never hold the buzzer on.
    """

    def wanted() -> bool:
        return any(a.needs_ack and a.priority <= priority for a in alarms())

    return wanted


def _quiet_library_log() -> None:
    # pymodbus logs every refused connection; the channel reports each outage once and each
    # recovery once (as the Modbus driver does). A level set on purpose is left alone.
    library_log = logging.getLogger("pymodbus")
    if library_log.level == logging.NOTSET:
        library_log.setLevel(logging.CRITICAL)


class RelayChannel:
    """Writes the wanted relay state on every delivery and every ``refresh_s``."""

    name = "relay"
    per_person = False

    def __init__(
        self,
        settings: RelaySettings,
        wanted: Callable[[], bool],
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        _quiet_library_log()
        self.settings = settings
        self.wanted = wanted
        self.last_error: str | None = None
        self._sleep = sleep
        self._state: bool | None = None
        self._down = False
        # A delivery and the refresh must not interleave a connect and a write on one client.
        self._lock = asyncio.Lock()
        self._client: ModbusClient | None = None

    @property
    def state(self) -> bool | None:
        """The state last written: None before the first write and after a failed one.

        After a failure the module may have restarted (its relays off) or kept the old state;
        nobody knows until the next write succeeds.
        """
        return self._state

    def endpoint(self) -> str:
        s = self.settings
        where = f"{s.host}:{s.port}" if s.transport == "tcp" else s.serial_port
        return f"relay at {where} unit {s.unit_id}"

    async def deliver(self, delivery: Delivery) -> str:
        # Whatever the message says: the relay follows the alarms as they stand now.
        return await self.write(self.wanted())

    async def run(self) -> None:
        """Write the wanted state now and every ``refresh_s`` until cancelled, then close."""
        try:
            while True:
                # A failure is logged once by ``write``; the next refresh tries again.
                with contextlib.suppress(DeliveryFailed):
                    await self.write(self.wanted())
                # pymodbus waits with asyncio.wait_for, which on Python 3.11 can return a
                # result and lose the cancel that came with it (gh-86296).
                stop_if_cancelled()
                await self._sleep(self.settings.refresh_s)
        finally:
            await self.close()

    async def close(self) -> None:
        self._drop_client()

    async def write(self, on: bool) -> str:
        """Set the relay ``on`` or off; the module's answer, or ``DeliveryFailed``."""
        async with self._lock:
            try:
                answer = await self._write(on)
            except DeliveryFailed as failure:
                self._state = None
                self._drop_client()
                self._failed(str(failure))
                raise
            except BaseException:
                # Cancelled (the dispatcher's timeout) mid-request: the connection's state is
                # unknown, so the next write starts on a new one.
                self._state = None
                self._drop_client()
                raise
        self._state = on
        self.last_error = None
        if self._down:
            self._down = False
            log.info("%s: answering again (%s)", self.endpoint(), answer)
        return answer

    async def _write(self, on: bool) -> str:
        s = self.settings
        client = await self._connected()
        try:
            if s.table == "coil":
                response = await client.write_coil(s.address, on, device_id=s.unit_id)
                answer = f"coil {s.address} {'on' if on else 'off'}"
            else:
                value = s.on_value if on else s.off_value
                response = await client.write_register(s.address, value, device_id=s.unit_id)
                answer = f"register {s.address} = {value} ({'on' if on else 'off'})"
        except ModbusException as exc:
            problem = self._problem(exc)
            result = "timed_out" if problem.startswith("no answer") else "unreachable"
            raise DeliveryFailed(f"{self.endpoint()}: {problem}", result) from None
        except OSError as exc:
            raise DeliveryFailed(
                f"{self.endpoint()}: {exc.strerror or exc}", "unreachable"
            ) from None
        if isinstance(response, ExceptionResponse):
            code = int(response.exception_code)
            what = EXCEPTION_NAMES.get(code, "unknown exception")
            raise DeliveryFailed(f"{self.endpoint()}: Modbus exception {code} ({what})")
        return answer

    def _problem(self, exc: ModbusException) -> str:
        if isinstance(exc, ConnectionException):
            return "connection lost"
        if isinstance(exc, ModbusIOException) and "No response received" in str(exc):
            # Also when the module closed the connection under the request: pymodbus does
            # not fail a pending request on a lost connection, it waits out the timeout.
            return f"no answer within {self.settings.timeout_s:g} s"
        if isinstance(exc, ModbusIOException):
            return f"garbled answer ({exc})"  # another unit's or transaction's answer
        return str(exc)

    async def _connected(self) -> ModbusClient:
        if self._client is not None and self._client.connected:
            return self._client
        self._drop_client()
        # A new client per connection: a pymodbus client once closed stays closing.
        client = self._make_client()
        self._client = client
        if not await client.connect():
            s = self.settings
            if s.transport == "tcp":
                raise DeliveryFailed(
                    f"{self.endpoint()}: cannot connect (refused or unreachable)", "unreachable"
                )
            raise DeliveryFailed(f"{self.endpoint()}: cannot open {s.serial_port}", "unreachable")
        return client

    def _make_client(self) -> ModbusClient:
        s = self.settings
        # No retries inside pymodbus: a write takes at most the connect and one request
        # timeout, well inside the dispatcher's, which retries with its own backoff.
        if s.transport == "tcp":
            return AsyncModbusTcpClient(
                s.host, port=s.port, timeout=s.timeout_s, retries=0, reconnect_delay=0
            )
        return AsyncModbusSerialClient(
            port=s.serial_port,
            framer=FramerType.RTU,
            baudrate=s.baudrate,
            timeout=s.timeout_s,
            retries=0,
            reconnect_delay=0,
        )

    def _drop_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def _failed(self, error: str) -> None:
        self.last_error = error
        if not self._down:
            self._down = True
            log.warning("%s (relay not set; retrying every %g s)", error, self.settings.refresh_s)
