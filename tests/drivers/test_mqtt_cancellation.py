"""Stopping MQTT tasks: a cancellation lost inside aiomqtt must not keep them running.

Two real ways it gets lost: Python 3.11's ``asyncio.wait_for`` (under every aiomqtt call)
returns normally when the cancellation arrives as the operation completes, and a failed
DISCONNECT raises an ``MqttError`` in place of the ``CancelledError``. The fake clients below
do each, deterministically.
"""

import asyncio
import contextlib
from types import TracebackType
from typing import Any

import aiomqtt
import pytest

from config.links import MqttBroker
from config.probes import Probe
from config.settings import Settings
from drivers.mqtt_subscriber import MqttSubscriber
from drivers.sink import CollectingSink
from monitor.clock import SystemClock
from simulator.frontends.mqtt_publisher import MqttFrontend
from simulator.models.probe import ProbeOutput

PROBE = Probe.model_validate(
    {
        "id": "F1",
        "source": {"kind": "mqtt", "topic": "z/f1", "format": "zigbee2mqtt"},
        "sample_period_s": 0.01,
    }
)
SETTINGS = Settings(mqtt=MqttBroker(port=1), probes=[PROBE])


class FakeClient:
    """A client that never touches the network; ``busy`` is set while a call is under way."""

    swallow_in_calls = False
    fail_disconnect = False

    def __init__(self) -> None:
        self.busy = asyncio.Event()

    async def __aenter__(self) -> "FakeClient":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.fail_disconnect:
            raise aiomqtt.MqttError("Operation timed out")

    async def _call(self) -> None:
        self.busy.set()
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            if not self.swallow_in_calls:
                raise
            # What wait_for does when the operation completes as the cancellation arrives.

    async def subscribe(self, topics: Any) -> list[int]:
        await self._call()
        return [1 for _ in topics]

    async def publish(self, *args: Any, **kwargs: Any) -> None:
        await self._call()

    @property
    def messages(self) -> "FakeClient":
        return self

    def __aiter__(self) -> "FakeClient":
        return self

    async def __anext__(self) -> aiomqtt.Message:
        await asyncio.Event().wait()
        raise StopAsyncIteration


class Lab:
    def probe_output(self, probe_id: str) -> ProbeOutput:
        return ProbeOutput(3.0)

    def link_up(self, link_id: str) -> bool:
        return True


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    # asyncio.wait, not wait_for: a task that ignores its cancellation must fail this test,
    # not hang it.
    await asyncio.wait({task}, timeout=2)
    assert task.done(), "the task carried on after it was cancelled"
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled()


@pytest.mark.parametrize(("swallow", "fail_disconnect"), [(True, False), (False, True)])
async def test_subscriber_stops(
    monkeypatch: pytest.MonkeyPatch, swallow: bool, fail_disconnect: bool
) -> None:
    assert SETTINGS.mqtt is not None
    sub = MqttSubscriber(SETTINGS.mqtt, SETTINGS.probes, CollectingSink(), SystemClock())
    client = FakeClient()
    client.swallow_in_calls, client.fail_disconnect = swallow, fail_disconnect
    monkeypatch.setattr(sub.connector, "client", lambda **_: client)
    task = asyncio.create_task(sub.run())
    await asyncio.wait_for(client.busy.wait(), 2)  # cancelled during its SUBSCRIBE
    await stop(task)


@pytest.mark.parametrize(("swallow", "fail_disconnect"), [(True, False), (False, True)])
async def test_publisher_stops(
    monkeypatch: pytest.MonkeyPatch, swallow: bool, fail_disconnect: bool
) -> None:
    frontend = MqttFrontend(SETTINGS, Lab(), SystemClock())
    client = FakeClient()
    client.swallow_in_calls, client.fail_disconnect = swallow, fail_disconnect
    monkeypatch.setattr(frontend.connector, "client", lambda: client)
    task = asyncio.create_task(frontend.run())
    await asyncio.wait_for(client.busy.wait(), 2)  # cancelled during a PUBLISH
    await stop(task)
