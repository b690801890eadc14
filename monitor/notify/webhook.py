"""The webhook channel: one JSON POST per delivery, signed with HMAC-SHA256 when a secret is set.

The body is ``Message.as_json()`` plus the recipient and the delivery's key (``payload_of``,
documented in docs/NOTIFY_PAYLOAD.md); the command channel sends the same bytes on stdin.
A 2xx answer is delivery; anything else, a connection error or no answer in time is a
``DeliveryFailed`` that the dispatcher retries with the same ``Idempotency-Key``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import yarl

from config.notify_channels import WebhookSettings
from monitor.notify.channel import Delivery, DeliveryFailed

SIGNATURE_HEADER = "X-Lactamon-Signature"
USER_AGENT = "lactamon"
# Enough of the receiver's answer to say why it refused; a gateway's error page can be long.
BODY_READ_LIMIT = 4096
SNIPPET_OK = 100
SNIPPET_FAILED = 200


def payload_of(delivery: Delivery) -> dict[str, Any]:
    """What the webhook posts and the command reads on stdin, before serialising."""
    to = delivery.to
    payload = delivery.message.as_json()
    payload["recipient"] = (
        None if to is None else {"id": to.id, "name": to.name, "email": to.email, "phone": to.phone}
    )
    payload["delivery_key"] = delivery.key
    return payload


def body_of(delivery: Delivery) -> bytes:
    """The payload as the exact bytes sent, the ones the signature covers."""
    # Sorted keys: the same delivery gives the same bytes on every retry.
    return json.dumps(payload_of(delivery), ensure_ascii=False, sort_keys=True).encode()


def signature_of(body: bytes, secret: str) -> str:
    """The ``X-Lactamon-Signature`` value: ``sha256=`` and the hex HMAC of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _check_url(url: str) -> None:
    """Refuse at start a URL that every delivery would fail on (a port out of range)."""
    try:
        # Both parsers: aiohttp's (yarl) for the request, urllib's for the messages.
        parsed, parts = yarl.URL(url), urlsplit(url)
        if not parsed.host or parsed.port is None or not parts.hostname or parts.port == 0:
            raise ValueError("give a host, and a port from 1 to 65535")
    except ValueError as exc:
        raise ValueError(f"notify.webhook.url: {exc}") from None


def _shown_url(url: str) -> str:
    """The URL without credentials, path or query: a token there (ntfy, Gotify) is a secret."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{parts.scheme}://{host}{port}"


def _redacted(text: str, url: str) -> str:
    """An error's text without the URL's path, query or password, should it quote them."""
    parts = urlsplit(url)
    text = text.replace(url, _shown_url(url))
    # Slack and Discord put their token in the path, ntfy and Gotify in the query.
    for secret in (parts.password, parts.query, parts.path if len(parts.path) > 1 else ""):
        if secret:
            text = text.replace(secret, "…")
    return text


def _snippet(raw: bytes, limit: int) -> str:
    # One line, so that the journal's record of the attempt stays readable.
    return " ".join(raw.decode("utf-8", errors="replace").split())[:limit]


class WebhookChannel:
    """A JSON POST per delivery to the configured URL."""

    name = "webhook"

    def __init__(self, settings: WebhookSettings) -> None:
        self.settings = settings
        _check_url(settings.url)
        # Read once: an unreadable secret file is a settings error at start, not a failure
        # of every alarm later.
        self._secret = settings.secret_value()
        self._session: aiohttp.ClientSession | None = None

    @property
    def per_person(self) -> bool:
        return self.settings.per_person

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running loop, and kept: connections are reused.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.settings.timeout_s),
                headers={"User-Agent": USER_AGENT},
            )
        return self._session

    async def close(self) -> None:
        """Close the HTTP session; the daemon calls it at stop. A later delivery opens anew."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def deliver(self, delivery: Delivery) -> str:
        body = body_of(delivery)
        headers = {"Content-Type": "application/json", "Idempotency-Key": delivery.key}
        if self._secret:
            headers[SIGNATURE_HEADER] = signature_of(body, self._secret)
        timeout = self.settings.timeout_s
        try:
            # No redirects: aiohttp would turn the POST into a GET without the body, and a
            # 2xx of that GET would count as delivered.
            async with self._client().post(
                self.settings.url, data=body, headers=headers, allow_redirects=False
            ) as answer:
                raw = await self._read_some(answer)
                status = answer.status
        # Before ClientError: aiohttp's own timeouts are both.
        except TimeoutError:
            raise DeliveryFailed(f"no answer within {timeout:g} s", "timed_out") from None
        except aiohttp.ClientError as exc:
            text = _redacted(str(exc), self.settings.url)
            result = "unreachable" if isinstance(exc, aiohttp.ClientConnectorError) else "refused"
            raise DeliveryFailed(
                f"{_shown_url(self.settings.url)}: {type(exc).__name__}: {text}", result
            ) from None
        if 200 <= status < 300:
            snippet = _snippet(raw, SNIPPET_OK)
            return f"HTTP {status}: {snippet}" if snippet else f"HTTP {status}"
        snippet = _snippet(raw, SNIPPET_FAILED)
        raise DeliveryFailed(f"HTTP {status}: {snippet}" if snippet else f"HTTP {status}")

    @staticmethod
    async def _read_some(answer: aiohttp.ClientResponse) -> bytes:
        """The start of the answer's body, never the whole of an endless one."""
        raw = bytearray()
        while len(raw) < BODY_READ_LIMIT:
            chunk = await answer.content.read(BODY_READ_LIMIT - len(raw))
            if not chunk:
                break
            raw += chunk
        return bytes(raw)
