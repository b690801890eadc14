"""InfluxDB 1.x user credentials: the basic authentication header, and how messages name them.

The header is built here rather than with ``aiohttp.BasicAuth`` (deprecated in aiohttp 3.14)
so the same code runs on every aiohttp the project accepts. The password is never logged.
"""

from __future__ import annotations

from base64 import b64encode


def basic_auth_headers(username: str | None, password: str | None) -> dict[str, str]:
    """``Authorization: Basic …`` for ``username`` (UTF-8), or no header without a user."""
    if not username:
        return {}
    if ":" in username:
        raise ValueError(f"InfluxDB user name {username!r} must not contain ':'")
    token = b64encode(f"{username}:{password or ''}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def describe_user(username: str | None) -> str:
    """Who asks, for error messages: ``user 'bob'`` or ``no user (anonymous)``."""
    return f"user {username!r}" if username else "no user (anonymous)"
