"""Reading records back from InfluxDB 1.x with InfluxQL, for verification and exports.

Queries ask for ``epoch=ns`` (integer times) and a chunked answer (one JSON document per
line), read as it arrives so a large answer is never held twice. JSON integers read back
exactly; InfluxDB writes floats in their shortest round-trip form, so they read back exactly
too. The records come back sorted by stream and seq, each exact copy once (``decode``);
verify them with ``ordered=False``: InfluxDB keeps no order of arrival.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp

from config.service import InfluxSettings
from monitor.influx.credentials import basic_auth_headers, describe_user
from monitor.influx.decode import point_record, unique_records
from monitor.influx.errors import FailureKind, InfluxQueryError
from monitor.influx.http_errors import status_error, transport_error
from monitor.influx.influxql import (
    lot_condition,
    quote_identifier,
    select_records,
    tag_condition,
    time_condition,
)
from monitor.influx.lineparse import PointData, PointValue
from monitor.influx.schema import HEAD_MEASUREMENT, STREAM_TAG, TAG_KEYS
from monitor.influx.tags import CYCLE_LINKED
from monitor.journal.record import Record, Unreadable

Entry = Record | Unreadable


@dataclass(frozen=True, slots=True)
class Series:
    """One series (or one chunk of it) of an InfluxQL answer."""

    name: str
    tags: dict[str, str]
    columns: list[str]
    values: list[list[Any]]


class InfluxV1Reader:
    """Queries ``{url}/query`` of one database; ``site`` and ``device`` narrow every record
    query to what one device wrote (several devices may share a central database)."""

    def __init__(
        self,
        url: str,
        database: str,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout_s: float = 60.0,
        chunk_size: int = 10_000,
        site: str | None = None,
        device: str | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"InfluxDB url {url!r} must start with http:// or https://")
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
        self.url = url.rstrip("/")
        self.database = database
        self.chunk_size = chunk_size
        self._headers = basic_auth_headers(username, password)
        self._credentials = describe_user(username)
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None
        self._scope = [
            tag_condition(tag, value)
            for tag, value in (("site", site), ("device", device))
            if value is not None
        ]

    @classmethod
    def from_settings(
        cls, settings: InfluxSettings, *, site: str | None = None, device: str | None = None
    ) -> InfluxV1Reader:
        return cls(
            settings.url,
            settings.database,
            username=settings.username,
            password=settings.password_value(),
            timeout_s=max(settings.timeout_s, 60.0),
            site=site,
            device=device,
        )

    async def stream_records(self, stream: str) -> list[Entry]:
        """Every record of ``stream``."""
        return await self.records(tag_condition("stream", stream))

    async def lot_records(self, lot: str) -> list[Entry]:
        """The lot's own stream, and every cycle stream tagged with the lot or linked to it by
        a ``cycle_linked`` record of the lot."""
        own = f"lot:{lot}"
        entries = await self.records(lot_condition(lot))
        tagged = {e.stream for e in entries}
        linked: set[str] = set()
        for entry in entries:
            if isinstance(entry, Record) and entry.stream == own and entry.kind == CYCLE_LINKED:
                cycle = entry.fields.get("cycle")
                if isinstance(cycle, str) and cycle not in tagged:
                    linked.add(cycle)
        for cycle in sorted(linked):
            entries += await self.stream_records(cycle)
        return unique_records(entries)

    async def records_between(self, start_ns: int, end_ns: int) -> list[Entry]:
        """Every record stamped in ``[start_ns, end_ns)``."""
        entries = await self.records(time_condition(start_ns, end_ns))
        return [e for e in entries if not isinstance(e, Record) or start_ns <= e.ts < end_ns]

    async def records(self, *conditions: str) -> list[Entry]:
        """The records of the points meeting every InfluxQL condition (and this scope)."""
        entries: list[Entry] = []
        async for series in self.iter_series(select_records(*conditions, *self._scope)):
            entries += (point_record(point) for point in _points(series))
        return unique_records(entries)

    async def latest_heads(self) -> list[Entry]:
        """The latest checkpoint or seal of each stream (in this scope), as it was published:
        what a journal or bundle must still hold (``monitor.journal.witness``)."""
        where = " AND ".join(f"({c})" for c in self._scope)
        influxql = (
            f"SELECT * FROM {quote_identifier(HEAD_MEASUREMENT)}"
            + (f" WHERE {where}" if where else "")
            + f" GROUP BY {quote_identifier(STREAM_TAG)} ORDER BY time DESC LIMIT 1"
        )
        entries: list[Entry] = []
        async for series in self.iter_series(influxql):
            entries += (point_record(point) for point in _points(series))
        return entries

    async def query(self, influxql: str) -> list[Series]:
        """The whole answer to ``influxql`` (for small answers: counts, lists)."""
        return [series async for series in self.iter_series(influxql)]

    async def iter_series(self, influxql: str) -> AsyncIterator[Series]:
        """The series of the answer, chunk by chunk, as they arrive."""
        what = f"InfluxQL query to {self.url} (database {self.database!r})"
        form = {
            "db": self.database,
            "q": influxql,
            "epoch": "ns",
            "chunked": "true",
            "chunk_size": str(self.chunk_size),
        }
        try:
            async with self._open().post(
                f"{self.url}/query", data=form, allow_redirects=False
            ) as answer:
                if answer.status != 200:
                    body = await answer.read()
                    raise status_error(
                        InfluxQueryError,
                        answer.status,
                        body,
                        what=what,
                        credentials=self._credentials,
                    )
                pending = bytearray()
                async for data in answer.content.iter_any():
                    pending += data
                    end = pending.find(b"\n")
                    while end >= 0:
                        for series in _chunk_series(bytes(pending[:end]), what):
                            yield series
                        del pending[: end + 1]
                        end = pending.find(b"\n")
                for series in _chunk_series(bytes(pending), what):
                    yield series
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise transport_error(InfluxQueryError, exc, what=what) from exc

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _chunk_series(line: bytes, what: str) -> list[Series]:
    """The series of one JSON document of a chunked answer; errors it reports are raised."""
    if not line.strip():
        return []
    try:
        document = json.loads(line)
    except ValueError as exc:
        raise _malformed(what, f"not JSON ({exc}): {line[:200]!r}") from None
    if not isinstance(document, dict):
        raise _malformed(what, "the answer is not a JSON object")
    if isinstance(document.get("error"), str):
        raise InfluxQueryError(
            f"{what}: {document['error']}",
            kind=FailureKind.REJECTED,
            retryable=False,
            server_message=document["error"],
        )
    results = document.get("results")
    if not isinstance(results, list):
        raise _malformed(what, "the answer has no results list")
    found: list[Series] = []
    for result in results:
        if not isinstance(result, dict):
            raise _malformed(what, "a result is not a JSON object")
        if isinstance(result.get("error"), str):
            raise InfluxQueryError(
                f"{what}: {result['error']}",
                kind=FailureKind.REJECTED,
                retryable=False,
                server_message=result["error"],
            )
        for series in result.get("series", []):
            found.append(_series(series, what))
    return found


def _series(raw: object, what: str) -> Series:
    if not isinstance(raw, dict):
        raise _malformed(what, "a series is not a JSON object")
    name, tags = raw.get("name", ""), raw.get("tags", {})
    columns, values = raw.get("columns"), raw.get("values", [])
    if (
        not isinstance(name, str)
        or not isinstance(tags, dict)
        or not isinstance(columns, list)
        or not all(isinstance(c, str) for c in columns)
        or not isinstance(values, list)
        or not all(isinstance(row, list) and len(row) == len(columns) for row in values)
    ):
        raise _malformed(what, f"series {name!r} does not have the shape InfluxDB sends")
    return Series(name, {str(k): str(v) for k, v in tags.items()}, columns, values)


def _points(series: Series) -> list[PointData]:
    """The points of a ``SELECT *`` series: tag columns by name, the rest as fields."""
    columns = series.columns
    if not columns or columns[0] != "time":
        raise InfluxQueryError(
            f"series {series.name!r} has no time column first",
            kind=FailureKind.RESPONSE,
            retryable=False,
        )
    points = []
    for row in series.values:
        tags: dict[str, str] = dict(series.tags)
        fields: dict[str, PointValue] = {}
        for column, value in zip(columns[1:], row[1:], strict=True):
            if value is None:
                continue
            if column in TAG_KEYS and isinstance(value, str):
                tags[column] = value
            elif isinstance(value, str | int | float | bool):
                fields[column] = value
        time = row[0] if type(row[0]) is int else None
        points.append(PointData(series.name, tags, fields, time))
    return points


def _malformed(what: str, problem: str) -> InfluxQueryError:
    return InfluxQueryError(
        f"{what}: malformed answer: {problem}", kind=FailureKind.RESPONSE, retryable=False
    )
