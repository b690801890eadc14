"""Every way talking to InfluxDB can fail, each saying whether trying again later can help.

``retryable`` is the outbox's guide: ``True`` for a passing trouble (the server is down or
slow, a 5xx answer); ``False`` when the same request will fail the same way until someone
changes something (credentials, a missing database, a record InfluxDB refuses). In both
cases the records stay in the journal's outbox: a write error never means "drop the data".
"""

from __future__ import annotations

from enum import StrEnum


class FailureKind(StrEnum):
    """What went wrong, for messages, alarms and tests."""

    CONNECTION = "connection"  # refused, reset, DNS, TLS: no usable answer
    TIMEOUT = "timeout"
    AUTH = "auth"  # 401 / 403: wrong user, password or token, or no write permission
    NOT_FOUND = "not_found"  # 404: no such database or bucket, or the wrong API version
    REJECTED = "rejected"  # 4xx: the server refuses the data or the query
    TOO_LARGE = "too_large"  # 413 for a single record
    SERVER = "server"  # 5xx, 429: the server is in trouble
    RESPONSE = "response"  # an answer that is not what InfluxDB sends
    SCHEMA = "schema"  # a record that cannot be written as an InfluxDB point


class InfluxError(Exception):
    """Base of the InfluxDB errors; ``server_message`` is the server's own error text."""

    def __init__(
        self,
        message: str,
        *,
        kind: FailureKind,
        retryable: bool,
        status: int | None = None,
        server_message: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.retryable = retryable
        self.status = status
        self.server_message = server_message


class InfluxWriteError(InfluxError):
    """A write (or a ping before writing) failed; the records were not all stored."""


class InfluxQueryError(InfluxError):
    """A query failed or its answer could not be read."""


class SchemaError(ValueError):
    """A record that has no faithful InfluxDB point (see README.md, "What cannot be written")."""
