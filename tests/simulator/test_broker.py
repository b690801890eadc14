import aiomqtt
import pytest

from simulator.broker import EmbeddedBroker
from tests.fixtures.ports import free_port


async def test_publish_and_receive_retained() -> None:
    port = free_port()
    async with EmbeddedBroker(port):
        async with aiomqtt.Client("127.0.0.1", port) as client:
            await client.publish("lab/fridge", b"3.2", qos=1, retain=True)
        async with aiomqtt.Client("127.0.0.1", port) as client:
            await client.subscribe("lab/#", qos=1)
            async for message in client.messages:
                assert (str(message.topic), message.payload, message.retain) == (
                    "lab/fridge",
                    b"3.2",
                    True,
                )
                break


def test_refuses_non_loopback() -> None:
    with pytest.raises(ValueError, match="only listens on loopback"):
        EmbeddedBroker(1883, host="0.0.0.0")


async def test_port_in_use_is_a_clear_error() -> None:
    port = free_port()
    async with EmbeddedBroker(port):
        with pytest.raises(OSError, match=f"cannot start the embedded MQTT broker on port {port}"):
            await EmbeddedBroker(port).start()
