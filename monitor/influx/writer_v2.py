"""Writing records through the v2 write API with ``influxdb-client`` (InfluxDB 2.x, 3.x, 1.8+).

The lines are the same as for v1 (``encode.LineEncoder``): one schema for every server. The
async client must be created inside a running event loop, so it is made at the first call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import aiohttp
from influxdb_client.client.exceptions import InfluxDBError
from influxdb_client.client.influxdb_client_async import InfluxDBClientAsync
from influxdb_client.client.write_api_async import WriteApiAsync
from influxdb_client.domain.write_precision import WritePrecision
from influxdb_client.rest import ApiException

from monitor.influx.encode import LineEncoder
from monitor.influx.errors import FailureKind, InfluxWriteError
from monitor.influx.http_errors import status_error, transport_error
from monitor.influx.tags import Tagger
from monitor.influx.writer import encode_records, send_in_batches
from monitor.journal.record import Record


class InfluxV2Writer:
    """An ``InfluxWriter`` for ``POST {url}/api/v2/write?org=…&bucket=…&precision=ns``."""

    def __init__(
        self,
        url: str,
        org: str,
        bucket: str,
        token: str,
        tagger: Tagger,
        *,
        batch_size: int = 5000,
        timeout_s: float = 10.0,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"InfluxDB url {url!r} must start with http:// or https://")
        if not bucket:
            raise ValueError("InfluxDB bucket name must not be empty")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.url = url.rstrip("/")
        # InfluxDB 1.8's v2 compatibility takes "-" for "no organisation".
        self.org = org or "-"
        self.bucket = bucket
        self.batch_size = batch_size
        self.encoder = LineEncoder(tagger)
        self._token = token
        self._timeout_ms = max(1, round(timeout_s * 1000))
        self._client: InfluxDBClientAsync | None = None
        self._write_api: WriteApiAsync | None = None
        self._what = f"InfluxDB write to {self.url} (org {self.org!r}, bucket {bucket!r})"

    def _open(self) -> tuple[InfluxDBClientAsync, WriteApiAsync]:
        if self._client is None or self._write_api is None:
            self._client = InfluxDBClientAsync(
                url=self.url, token=self._token, org=self.org, timeout=self._timeout_ms
            )
            self._write_api = self._client.write_api()
        return self._client, self._write_api

    async def write(self, records: Sequence[Record]) -> None:
        lines = encode_records(self.encoder, records)
        await send_in_batches(lines, self.batch_size, self._post)

    async def _post(self, lines: list[str]) -> None:
        _, write_api = self._open()
        try:
            await write_api.write(
                bucket=self.bucket,
                org=self.org,
                record="\n".join(lines),
                write_precision=_NANOSECONDS,
            )
        except _FAILURES as exc:
            raise _translate(exc, self._what) from exc

    async def ping(self) -> str:
        what = f"InfluxDB ping of {self.url}"
        client, _ = self._open()
        try:
            version = await client.version()
        except _FAILURES as exc:
            raise _translate(exc, what) from exc
        return "" if version in (None, "unknown") else str(version)

    async def close(self) -> None:
        if self._client is not None:
            client, self._client, self._write_api = self._client, None, None
            await client.close()  # type: ignore[no-untyped-call]


# The client declares its precisions as plain strings but its parameter as WritePrecision.
_NANOSECONDS = cast(WritePrecision, WritePrecision.NS)
_FAILURES = (InfluxDBError, aiohttp.ClientError, TimeoutError)


def _translate(exc: BaseException, what: str) -> InfluxWriteError:
    """A failure of the client (``_FAILURES``) as an ``InfluxWriteError``."""
    credentials = "the configured token"
    if isinstance(exc, ApiException) and isinstance(exc.status, int):
        body = exc.body if isinstance(exc.body, bytes | str) else str(exc.reason or "")
        return status_error(InfluxWriteError, exc.status, body, what=what, credentials=credentials)
    if isinstance(exc, aiohttp.ClientError | TimeoutError):
        return transport_error(InfluxWriteError, exc, what=what)
    message = exc.message if isinstance(exc, InfluxDBError) else str(exc)
    return InfluxWriteError(f"{what}: {message}", kind=FailureKind.RESPONSE, retryable=True)
