"""Reading back the heads this unit published: the latest ``lactamon_head`` point of each
stream in InfluxDB, and the retained ``<prefix>/heads/<stream>`` messages on the MQTT broker.

Both are narrowed to this unit (``site`` and ``device``): several units may share a database
or a broker, and another unit's heads say nothing about this journal.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

import aiomqtt

from config import Settings
from config.links import MqttBroker
from config.service import InfluxSettings
from drivers.mqtt_connect import MqttConnector, MqttSetupError, stop_if_cancelled
from monitor.journal.head_messages import head_from_message
from monitor.journal.witness import PublishedHead

WITNESSES = ("influx", "mqtt")
LISTEN_S = 2.0  # the longest wait for the first retained message
QUIET_S = 1.0  # retained messages come in one burst: this long without one ends it


class WitnessError(Exception):
    """A witness cannot be read: not configured, unreachable, or it refused the query."""


async def published_heads(
    settings: Settings, witnesses: Sequence[str]
) -> tuple[list[PublishedHead], list[str]]:
    """The heads every named witness holds for this unit, and a note for each that holds none."""
    site, device = settings.site.id, settings.site.device
    heads: list[PublishedHead] = []
    notes: list[str] = []
    for witness in dict.fromkeys(witnesses):
        if witness == "influx":
            if not settings.influxdb.enabled:
                raise WitnessError("--against influx: InfluxDB is not enabled in the settings")
            found = await influx_heads(settings.influxdb, site, device)
            name = f"InfluxDB {settings.influxdb.url}"
        elif witness == "mqtt":
            if settings.mqtt is None:
                raise WitnessError("--against mqtt: the settings have no [mqtt] section")
            found = await mqtt_heads(settings.mqtt, site, device)
            name = f"MQTT {settings.mqtt.prefix}/heads/#"
        else:
            raise WitnessError(f"unknown witness {witness!r}: use one of {', '.join(WITNESSES)}")
        if not found:
            notes.append(f"{name} holds no head published by {site}/{device}: nothing to compare")
        heads += found
    return heads, notes


async def influx_heads(settings: InfluxSettings, site: str, device: str) -> list[PublishedHead]:
    from monitor.influx.errors import InfluxError
    from monitor.influx.factory import create_reader

    reader = create_reader(settings, site=site, device=device)
    try:
        entries = await reader.latest_heads()
    except InfluxError as exc:
        raise WitnessError(str(exc)) from None
    finally:
        await reader.close()
    return [PublishedHead(entry, f"InfluxDB {settings.url}") for entry in entries]


async def mqtt_heads(
    broker: MqttBroker,
    site: str,
    device: str,
    *,
    listen_s: float = LISTEN_S,
    quiet_s: float = QUIET_S,
) -> list[PublishedHead]:
    """The retained head messages under ``<prefix>/heads/`` that this unit wrote."""
    try:
        connector = MqttConnector(broker, "verify")
    except MqttSetupError as exc:
        raise WitnessError(str(exc)) from None
    heads: list[PublishedHead] = []
    try:
        async with connector.client() as client:
            await client.subscribe(f"{broker.prefix}/heads/#", qos=1)
            stop_if_cancelled()
            messages = aiter(client.messages)
            wait = listen_s
            while True:
                try:
                    async with asyncio.timeout(wait):
                        message = await anext(messages)
                except TimeoutError:
                    break
                wait = quiet_s
                payload = message.payload
                if isinstance(payload, bytes) and _of_unit(payload, site, device):
                    entry = head_from_message(payload)
                    heads.append(PublishedHead(entry, f"MQTT {message.topic}"))
    except aiomqtt.MqttError as exc:
        raise WitnessError(connector.describe(exc)) from None
    return heads


def _of_unit(payload: bytes, site: str, device: str) -> bool:
    """Whether a head message names this unit; one that cannot be read is kept, and reported."""
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return True
    if not isinstance(data, dict):
        return True
    return bool(data.get("site") == site and data.get("device") == device)
