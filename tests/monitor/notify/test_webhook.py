"""The webhook channel against a real aiohttp receiver on loopback."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from multidict import CIMultiDictProxy

from config.notify_channels import WebhookSettings
from monitor.notify import DeliveryFailed
from monitor.notify.webhook import WebhookChannel, _redacted, body_of
from tests.fixtures.ports import free_port
from tests.monitor.notify.samples import ALICE, delivery


@dataclass
class Seen:
    raw: bytes
    headers: CIMultiDictProxy[str]

    def json(self) -> Any:
        return json.loads(self.raw)


@dataclass
class Receiver:
    """A webhook receiver whose answer each test chooses."""

    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    status: int = 200
    answer: bytes = b"queued"
    location: str = ""
    hang: bool = False
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(Seen(await request.read(), request.headers))
        if self.hang:
            # Released at teardown, so that the server's cleanup does not wait for it.
            await asyncio.wait_for(self.release.wait(), 30)
        headers = {"Location": self.location} if self.location else {}
        return web.Response(status=self.status, body=self.answer, headers=headers)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rx = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rx.handle)
    app.router.add_get("/elsewhere", rx.handle)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    rx.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield rx
    finally:
        rx.release.set()
        await runner.cleanup()


@pytest.fixture
async def make() -> AsyncIterator[Callable[..., WebhookChannel]]:
    """Channels made by a test, every one closed after it."""
    made: list[WebhookChannel] = []

    def channel(url: str, **settings: Any) -> WebhookChannel:
        made.append(WebhookChannel(WebhookSettings(url=url, **settings)))
        return made[-1]

    yield channel
    for one in made:
        await one.close()


async def test_a_delivery_posts_the_message_with_its_recipient_and_key(
    receiver: Receiver, make: Callable[..., WebhookChannel]
) -> None:
    channel = make(receiver.url)
    d = delivery("webhook")
    assert channel.name == "webhook"
    assert channel.per_person is True
    assert await channel.deliver(d) == "HTTP 200: queued"
    [seen] = receiver.seen
    assert seen.raw == body_of(d)
    body = seen.json()
    assert body["recipient"] == {
        "id": "alice",
        "name": "Alice Martin",
        "email": "alice@lab.example",
        "phone": "+33 6 12 34 56 78",
    }
    assert body["delivery_key"] == d.key
    assert body["idempotency_key"] == d.message.key
    assert body["subject"] == d.message.subject()
    assert body["alarms"] == ["band:F1"]
    assert body["priority"] == 1
    assert body["reason"] == "raised"
    assert (body["site"], body["device"]) == ("lab", "pi-1")
    assert body["details"][0]["message"] == "fridge F1 out of 0..4 °C for 10 min (worst 6.2 °C)"
    assert "°C" in seen.raw.decode()  # UTF-8 as is, not \u escapes
    assert seen.headers["Idempotency-Key"] == d.key
    assert seen.headers["User-Agent"] == "lactamon"
    assert seen.headers["Content-Type"] == "application/json"
    assert "X-Lactamon-Signature" not in seen.headers


@pytest.mark.parametrize("how", ["inline", "file"])
async def test_a_secret_signs_the_exact_body(
    receiver: Receiver, make: Callable[..., WebhookChannel], tmp_path: Path, how: str
) -> None:
    secret = "correct horse battery staple"
    if how == "inline":
        channel = make(receiver.url, secret=secret)
    else:
        (tmp_path / "secret").write_text(secret + "\n")
        (tmp_path / "secret").chmod(0o600)
        channel = make(receiver.url, secret_file=tmp_path / "secret")
    await channel.deliver(delivery("webhook"))
    [seen] = receiver.seen
    # What a receiver does: the HMAC of the raw bytes, compared in constant time.
    expected = "sha256=" + hmac.new(secret.encode(), seen.raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(seen.headers["X-Lactamon-Signature"], expected)
    assert secret not in seen.raw.decode()
    assert all(secret not in value for value in seen.headers.values())
    # A body changed on the way no longer matches.
    forged = hmac.new(secret.encode(), seen.raw + b" ", hashlib.sha256).hexdigest()
    assert not hmac.compare_digest(seen.headers["X-Lactamon-Signature"], "sha256=" + forged)


async def test_a_500_answer_is_a_failure_with_the_status_and_the_answer(
    receiver: Receiver, make: Callable[..., WebhookChannel]
) -> None:
    receiver.status, receiver.answer = 500, b"database\n  down " + b"x" * 500
    channel = make(receiver.url, secret="s3cr3t-value")
    with pytest.raises(DeliveryFailed, match=r"^HTTP 500: database down x+$") as caught:
        await channel.deliver(delivery("webhook"))
    assert len(str(caught.value)) <= len("HTTP 500: ") + 200
    assert "s3cr3t-value" not in str(caught.value)


async def test_a_redirect_is_a_failure_not_followed(
    receiver: Receiver, make: Callable[..., WebhookChannel]
) -> None:
    # Followed, the POST would become a GET without the body, and its 200 would count.
    receiver.status, receiver.answer = 302, b""
    receiver.location = receiver.url.replace("/hook", "/elsewhere")
    channel = make(receiver.url)
    with pytest.raises(DeliveryFailed, match=r"^HTTP 302$"):
        await channel.deliver(delivery("webhook"))
    assert len(receiver.seen) == 1


async def test_a_receiver_that_does_not_answer_in_time_is_a_failure(
    receiver: Receiver, make: Callable[..., WebhookChannel]
) -> None:
    receiver.hang = True
    channel = make(receiver.url, timeout_s=0.5)
    started = time.monotonic()
    with pytest.raises(DeliveryFailed, match=r"^no answer within 0\.5 s$"):
        await channel.deliver(delivery("webhook"))
    assert time.monotonic() - started < 3.0
    assert len(receiver.seen) == 1


async def test_a_receiver_that_is_down_is_a_failure(make: Callable[..., WebhookChannel]) -> None:
    port = free_port()
    channel = make(f"http://127.0.0.1:{port}/hook?token=tk-very-private", timeout_s=2.0)
    with pytest.raises(DeliveryFailed, match=rf"127\.0\.0\.1:{port}") as caught:
        await channel.deliver(delivery("webhook"))
    # A token in the URL is a secret too.
    assert "tk-very-private" not in str(caught.value)


def test_an_error_quoting_the_url_shows_neither_its_path_nor_its_query() -> None:
    url = "https://user:pw-secret@hooks.example/services/T0/B0/tk-path?token=tk-query"
    text = _redacted(f"Invalid URL {url!r}; retried /services/T0/B0/tk-path", url)
    assert "hooks.example" in text
    assert all(word not in text for word in ("pw-secret", "tk-path", "tk-query", "user:"))


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:99999/hook", "http://127.0.0.1:0/hook", "http://[::1/hook"]
)
def test_a_url_no_request_could_use_is_refused_at_start(url: str) -> None:
    with pytest.raises(ValueError, match=r"^notify\.webhook\.url: "):
        WebhookChannel(WebhookSettings(url=url))


async def test_every_attempt_of_a_delivery_carries_the_same_key_and_body(
    receiver: Receiver, make: Callable[..., WebhookChannel]
) -> None:
    channel = make(receiver.url)
    d = delivery("webhook")
    receiver.status = 503
    with pytest.raises(DeliveryFailed, match="503"):
        await channel.deliver(d)
    receiver.status = 202
    assert await channel.deliver(d) == "HTTP 202: queued"
    first, second = receiver.seen
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == d.key
    assert first.raw == second.raw
    # Another person is another delivery, with a key of its own.
    await channel.deliver(delivery("webhook", to=type(ALICE)("bob", "Bob")))
    assert receiver.seen[2].headers["Idempotency-Key"] != d.key


async def test_a_channel_for_everyone_posts_no_recipient(
    receiver: Receiver, make: Callable[..., WebhookChannel]
) -> None:
    channel = make(receiver.url, per_person=False)
    assert channel.per_person is False
    d = delivery("webhook", to=None)
    await channel.deliver(d)
    body = receiver.seen[0].json()
    assert "recipient" in body
    assert body["recipient"] is None
    assert body["delivery_key"] == d.key


async def test_a_closed_channel_opens_a_new_session_when_used_again(
    receiver: Receiver, make: Callable[..., WebhookChannel]
) -> None:
    channel = make(receiver.url)
    await channel.close()  # never used: nothing to close
    await channel.deliver(delivery("webhook"))
    await channel.close()
    await channel.deliver(delivery("webhook"))
    assert len(receiver.seen) == 2
