"""Writing records to InfluxDB 1.x through its ``/write`` API (line protocol, ns precision).

This is the API of the InfluxDB that Debian and Raspberry Pi OS ship (1.6). Credentials go
in a basic authentication header, never in the URL, so they stay out of proxy and server
logs. Success is HTTP 204; any other answer is an ``InfluxWriteError``.
"""

from __future__ import annotations

from collections.abc import Sequence

import aiohttp

from monitor.influx.credentials import basic_auth_headers, describe_user
from monitor.influx.encode import LineEncoder
from monitor.influx.errors import FailureKind, InfluxWriteError
from monitor.influx.http_errors import status_error, transport_error
from monitor.influx.tags import Tagger
from monitor.influx.writer import encode_records, send_in_batches
from monitor.journal.record import Record


class InfluxV1Writer:
    """An ``InfluxWriter`` for ``POST {url}/write?db=…&precision=ns``.

    Open it inside the event loop that uses it; ``close()`` it when done.
    """

    def __init__(
        self,
        url: str,
        database: str,
        tagger: Tagger,
        *,
        username: str | None = None,
        password: str | None = None,
        batch_size: int = 5000,
        timeout_s: float = 10.0,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"InfluxDB url {url!r} must start with http:// or https://")
        if not database:
            raise ValueError("InfluxDB database name must not be empty")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.url = url.rstrip("/")
        self.database = database
        self.batch_size = batch_size
        self.encoder = LineEncoder(tagger)
        self._headers = basic_auth_headers(username, password)
        self._credentials = describe_user(username)
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None
        self._what = f"InfluxDB write to {self.url} (database {database!r})"

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
        return self._session

    async def write(self, records: Sequence[Record]) -> None:
        lines = encode_records(self.encoder, records)
        await send_in_batches(lines, self.batch_size, self._post)

    async def _post(self, lines: list[str]) -> None:
        body = "\n".join(lines).encode("utf-8")
        params = {"db": self.database, "precision": "ns"}
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        try:
            # A redirect is reported, never followed: it would resend the data elsewhere.
            async with self._open().post(
                f"{self.url}/write",
                params=params,
                data=body,
                headers=headers,
                allow_redirects=False,
            ) as response:
                status = response.status
                if status == 204:
                    return
                answer = await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise transport_error(InfluxWriteError, exc, what=self._what) from exc
        if 200 <= status < 300:
            raise InfluxWriteError(
                f"{self._what}: answered HTTP {status} instead of 204: is this InfluxDB 1.x?",
                kind=FailureKind.RESPONSE,
                retryable=False,
                status=status,
            )
        raise status_error(
            InfluxWriteError, status, answer, what=self._what, credentials=self._credentials
        )

    async def ping(self) -> str:
        what = f"InfluxDB ping of {self.url}"
        try:
            async with self._open().get(f"{self.url}/ping") as response:
                status = response.status
                version = response.headers.get("X-Influxdb-Version")
                answer = await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise transport_error(InfluxWriteError, exc, what=what) from exc
        if status != 204:
            raise status_error(
                InfluxWriteError, status, answer, what=what, credentials=self._credentials
            )
        if version is None:
            raise InfluxWriteError(
                f"{what}: the answer has no X-Influxdb-Version header: not an InfluxDB server",
                kind=FailureKind.RESPONSE,
                retryable=False,
                status=status,
            )
        return version

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
