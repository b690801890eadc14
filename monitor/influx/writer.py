"""What every InfluxDB writer offers the outbox, and the batching they share.

A writer turns records into points (``encode.LineEncoder``) and sends them in batches of at
most ``batch_size`` lines. A batch the server finds too large (HTTP 413) is sent again in
halves. Writes are idempotent (README.md, "Point identity"): after any failure the outbox
sends the same records again, and points already stored are only overwritten by themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from monitor.influx.encode import LineEncoder
from monitor.influx.errors import FailureKind, InfluxWriteError, SchemaError
from monitor.journal.record import Record


class InfluxWriter(Protocol):
    """Delivers records to InfluxDB; every failure is an ``InfluxWriteError``."""

    async def write(self, records: Sequence[Record]) -> None:
        """Store every record, or raise; on error some batches may already be stored."""
        ...

    async def ping(self) -> str:
        """Check the server answers; its version, or "" when it does not say."""
        ...

    async def close(self) -> None: ...


Send = Callable[[list[str]], Awaitable[None]]


def encode_records(encoder: LineEncoder, records: Sequence[Record]) -> list[str]:
    """The lines of ``records``; a record without a faithful point is an ``InfluxWriteError``."""
    try:
        return encoder.lines(records)
    except SchemaError as exc:
        raise InfluxWriteError(
            f"cannot write to InfluxDB: {exc}", kind=FailureKind.SCHEMA, retryable=False
        ) from exc


async def send_in_batches(lines: list[str], batch_size: int, send: Send) -> None:
    """``send`` batches of at most ``batch_size`` lines, in order."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    for start in range(0, len(lines), batch_size):
        await _send_splitting(lines[start : start + batch_size], send)


async def _send_splitting(lines: list[str], send: Send) -> None:
    try:
        await send(lines)
    except InfluxWriteError as exc:
        if exc.kind is not FailureKind.TOO_LARGE:
            raise
        if len(lines) == 1:
            size = len(lines[0].encode("utf-8"))
            raise InfluxWriteError(
                f"{exc.message}; a single point of {size} bytes: {lines[0][:160]}",
                kind=exc.kind,
                retryable=False,
                status=exc.status,
                server_message=exc.server_message,
            ) from exc
        middle = len(lines) // 2
        await _send_splitting(lines[:middle], send)
        await _send_splitting(lines[middle:], send)
