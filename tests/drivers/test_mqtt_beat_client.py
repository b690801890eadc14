"""The MQTT clients' housekeeping runs in ``BeatClient._misc_loop``, on the beats."""

import asyncio
import time

from drivers.mqtt_beat_client import BeatClient
from drivers.mqtt_connect import MqttConnector
from tests.fixtures.mosquitto import MosquittoBroker


async def test_the_housekeeping_of_a_connected_client_wakes_on_the_beats(
    mosquitto: MosquittoBroker,
) -> None:
    client = MqttConnector(mosquitto.settings(), "beat").client()
    assert isinstance(client, BeatClient)
    calls: list[float] = []
    three = asyncio.Event()
    async with client:
        paho = client._client
        loop_misc = paho.loop_misc

        def counted() -> int:
            calls.append(time.monotonic())
            if len(calls) == 3:
                three.set()
            return loop_misc()

        paho.loop_misc = counted  # type: ignore[method-assign]
        # aiomqtt runs this loop, not one of its own (an upgrade that renamed it fails here).
        misc = client._misc_task
        assert misc is not None
        assert misc.get_coro().__qualname__ == "BeatClient._misc_loop"  # type: ignore[union-attr]
        async with asyncio.timeout(10):
            await three.wait()
    # The first call may precede the patch's; those after it fall just after whole seconds.
    assert all(t % 1.0 < 0.2 for t in calls[-2:]), calls
