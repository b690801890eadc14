"""Build every driver a settings file calls for: one poller per Modbus bus, one reader per
serial line, one subscriber per broker, each feeding the same sink."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from config import Settings
from config.probe_limits import limits_by_probe
from config.probes import ModbusSource, MqttSource, SerialSource
from drivers.modbus_poller import ModbusPoller
from drivers.mqtt_subscriber import MqttSubscriber
from drivers.serial_line import SerialLineReader
from drivers.sink import ReadingSink
from monitor.clock import Clock


@dataclass(frozen=True)
class DriverTask:
    """A driver's long-lived coroutine and the name its task carries."""

    name: str
    run: Callable[[], Coroutine[Any, Any, None]]
    driver: ModbusPoller | SerialLineReader | MqttSubscriber


def build_drivers(settings: Settings, clock: Clock, sink: ReadingSink) -> list[DriverTask]:
    """One task per link that has probes; links without probes are left idle.

    Each driver qualifies its readings with the limits of each probe's role (the equipment
    that owns it in ``settings``).
    """
    limits = limits_by_probe(settings)
    tasks: list[DriverTask] = []
    for bus in settings.modbus:
        probes = [
            p
            for p in settings.probes
            if isinstance(p.source, ModbusSource) and p.source.bus == bus.id
        ]
        if probes:
            poller = ModbusPoller(bus, probes, clock, sink, limits=limits)
            tasks.append(DriverTask(f"modbus:{bus.id}", poller.run, poller))
    for line in settings.serial:
        probes = [
            p
            for p in settings.probes
            if isinstance(p.source, SerialSource) and p.source.line == line.id
        ]
        if probes:
            reader = SerialLineReader(line, probes, sink, clock, limits=limits)
            tasks.append(DriverTask(f"serial:{line.id}", reader.run, reader))
    mqtt_probes = [p for p in settings.probes if isinstance(p.source, MqttSource)]
    if mqtt_probes and settings.mqtt is not None:
        subscriber = MqttSubscriber(settings.mqtt, mqtt_probes, sink, clock, limits=limits)
        tasks.append(DriverTask("mqtt", subscriber.run, subscriber))
    return tasks
