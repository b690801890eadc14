"""An MQTT client whose housekeeping wakes on the daemon's beats, not at a phase of its own.

aiomqtt runs paho's ``loop_misc`` (keepalive pings, timed-out exchanges) in a task that sleeps
one second from wherever it stands, so each client wakes the daemon once a second at its own
instant. The daemon's other periodic tasks sleep to the beats of ``monitor.clock.to_beat``;
this client's loop does too, and the daemon's three clients (probes, lag markers, publisher)
wake with them instead of three more times a second. The loop is aiomqtt's own (2.5), with
the sleep changed; ``tests/drivers/test_mqtt_beat_client.py`` fails if aiomqtt stops
running it, so an upgrade that renames it is seen rather than silently undoing this.
"""

from __future__ import annotations

import aiomqtt
import paho.mqtt.client as mqtt

from monitor.clock import sleep_to_beat

MISC_EVERY_S = 1.0  # aiomqtt's period, kept: paho's keepalive needs no more, and no less


class BeatClient(aiomqtt.Client):
    """``aiomqtt.Client`` with its housekeeping on the one-second beats."""

    async def _misc_loop(self) -> None:
        while self._client.loop_misc() == mqtt.MQTT_ERR_SUCCESS:
            await sleep_to_beat(MISC_EVERY_S)
