"""The one error hierarchy of the drivers: every transport failure names the probe or link."""

from __future__ import annotations


class ProbeError(Exception):
    """A probe could not be read. ``source`` names the probe, bus or line concerned."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


class ProbeTimeout(ProbeError):
    """The device did not answer in time (gone, unpowered, cable cut)."""


class ProbeUnreachable(ProbeError):
    """The link itself is down: TCP refused, serial port missing, broker unreachable."""


class ProbeProtocolError(ProbeError):
    """The device answered, but not usefully: Modbus exception, CRC error, garbled frame."""


class PayloadError(ProbeError):
    """A message or line was received but could not be turned into a temperature."""
