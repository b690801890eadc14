"""The MQTT payload presets: what each kind of device publishes, in one registry.

The settings check, the MQTT driver and the simulator all read this table: where a device
publishes, where the temperature and its unit sit in the message, which messages carry no
temperature on purpose, which reset values its sensor sends, and where it says it went
offline. Each preset carries a settings block and the vendor's own payload; the README shows
them and the tests parse every one of them through the driver.

``<name>`` in a topic is the device's own name (Tasmota's topic, Zigbee2MQTT's friendly name,
Shelly's device id); ``{sensor}`` in a path is the probe's ``sensor`` setting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from config.sensor_types import SensorType

MqttFormat = Literal[
    "number", "json", "tasmota", "zigbee2mqtt", "shelly_gen1", "shelly_gen2", "shelly"
]
Unit = Literal["C", "F"]


@dataclass(frozen=True, slots=True)
class Availability:
    """Where a device says whether it is connected, and the word that means it is not.

    Devices publish this as their MQTT last will, retained, so the broker states it for a
    device that vanished without a word. ``json_state``: the word comes as ``{"state": …}``.
    """

    topic: str
    offline: str
    online: str
    json_state: bool = False

    def payload(self, word: str) -> str:
        """The message that says ``word``, as the device writes it."""
        return json.dumps({"state": word}, separators=(",", ":")) if self.json_state else word


@dataclass(frozen=True, slots=True)
class MqttPreset:
    """One payload style; see the module docstring."""

    name: MqttFormat
    device: str
    topic: str
    value_path: str | None
    config: str
    payload: str
    unit_path: str | None = None
    # Shelly names the unit by the key: ``tC`` is °C, ``tF`` is °F.
    key_units: dict[str, Unit] = field(default_factory=dict)
    # The device always publishes in this unit whatever the settings say.
    fixed_unit: Unit | None = None
    # A bare number in the unit set on the device: the settings must say which.
    needs_unit: bool = False
    default_sensor: str = ""
    # A message without this object is about other parts of the device: ignored, not refused.
    component_path: str | None = None
    # Only messages whose "method" is one of these carry values; others are ignored.
    methods: tuple[str, ...] = ()
    implied_sensor: SensorType | None = None
    # The implied sensor holds only for sensor names starting with this ("" for any).
    implied_sensor_prefix: str = ""
    availability: Availability | None = None

    def value_path_for(self, sensor: str) -> str | None:
        return None if self.value_path is None else self.value_path.format(sensor=sensor)

    def component_path_for(self, sensor: str) -> str | None:
        return None if self.component_path is None else self.component_path.format(sensor=sensor)

    def implied_sensor_type(self, sensor: str) -> SensorType | None:
        """The sensor chip this preset implies for a probe reading ``sensor``, if any."""
        if self.implied_sensor is None:
            return None
        if not sensor.upper().startswith(self.implied_sensor_prefix.upper()):
            return None
        return self.implied_sensor

    @property
    def plain_number(self) -> bool:
        return self.value_path is None and self.name != "json"


_SHELLY_ONLINE = "<name>/online"

PRESETS: dict[MqttFormat, MqttPreset] = {
    preset.name: preset
    for preset in (
        MqttPreset(
            name="number",
            device="any device that publishes a bare number",
            topic="any topic",
            value_path=None,
            config="""\
[[probes]]
id = "bench"
[probes.source]
kind = "mqtt"
topic = "lab/bench/temperature"
format = "number"
""",
            payload="3.21",
        ),
        MqttPreset(
            name="json",
            device="any JSON message, the temperature found by json_path",
            topic="any topic",
            value_path=None,
            config="""\
[[probes]]
id = "custom"
[probes.source]
kind = "mqtt"
topic = "lab/custom"
format = "json"
json_path = "sensors[1].value"
unit_path = "meta.unit"
""",
            payload='{"meta":{"unit":"C"},"sensors":[{"value":61.9},{"value":3.2}]}',
        ),
        MqttPreset(
            name="tasmota",
            device="Tasmota with one or several DS18B20 (or another sensor, by its name)",
            topic="tele/<name>/SENSOR",
            value_path="{sensor}.Temperature",
            unit_path="TempUnit",
            default_sensor="DS18B20",
            implied_sensor="ds18b20",
            implied_sensor_prefix="DS18B20",
            config="""\
[[probes]]
id = "F1-air"
[probes.source]
kind = "mqtt"
topic = "tele/fridge-1/SENSOR"
format = "tasmota"
sensor = "DS18B20-1"          # "DS18B20" when the device has only one
sensor_id = "01144F2D3AAA"    # refuse the message if Tasmota gave the name to another chip
availability_topic = "tele/fridge-1/LWT"
""",
            payload=(
                '{"Time":"2026-03-02T10:15:00",'
                '"DS18B20-1":{"Id":"01144F2D3AAA","Temperature":3.2},'
                '"DS18B20-2":{"Id":"0316A2794C0F","Temperature":-19.5},"TempUnit":"C"}'
            ),
            availability=Availability("tele/<name>/LWT", "Offline", "Online"),
        ),
        MqttPreset(
            name="zigbee2mqtt",
            device="a Zigbee sensor through Zigbee2MQTT (always °C)",
            topic="zigbee2mqtt/<name>",
            value_path="temperature",
            fixed_unit="C",
            config="""\
[[probes]]
id = "F2-air"
[probes.source]
kind = "mqtt"
topic = "zigbee2mqtt/fridge-2"
format = "zigbee2mqtt"
availability_topic = "zigbee2mqtt/bridge/state"
""",
            payload=(
                '{"battery":97,"humidity":61.2,"linkquality":120,"temperature":3.4,"voltage":2995}'
            ),
            availability=Availability(
                "zigbee2mqtt/bridge/state", "offline", "online", json_state=True
            ),
        ),
        MqttPreset(
            name="shelly_gen1",
            device="a Shelly Gen1 sensor (H&T): a bare number in the unit set on the device",
            topic="shellies/<name>/sensor/temperature",
            value_path=None,
            needs_unit=True,
            implied_sensor="shelly_ht_gen1",
            config="""\
[[probes]]
id = "F3-air"
unit = "C"    # required: the unit set in the device's own settings
[probes.source]
kind = "mqtt"
topic = "shellies/shellyht-6A1B2C/sensor/temperature"
format = "shelly_gen1"
""",
            payload="3.25",
            availability=Availability("shellies/<name>/online", "false", "true"),
        ),
        MqttPreset(
            name="shelly_gen2",
            device="a Shelly Gen2 or later (Plus H&T, add-on): RPC notifications",
            topic="<name>/events/rpc",
            value_path="params.{sensor}.tC",
            key_units={"tC": "C", "tF": "F"},
            default_sensor="temperature:0",
            component_path="params.{sensor}",
            methods=("NotifyStatus", "NotifyFullStatus"),
            config="""\
[[probes]]
id = "F4-air"
[probes.source]
kind = "mqtt"
topic = "shellyplusht-08b61fcb7f3c/events/rpc"
format = "shelly_gen2"
sensor = "temperature:0"    # an add-on's first probe is "temperature:100"
""",
            payload=(
                '{"src":"shellyplusht-08b61fcb7f3c","dst":"shellyplusht-08b61fcb7f3c/events",'
                '"method":"NotifyStatus","params":{"ts":1772446500.12,'
                '"temperature:0":{"id":0,"tC":3.1,"tF":37.6}}}'
            ),
            availability=Availability(_SHELLY_ONLINE, "false", "true"),
        ),
        MqttPreset(
            name="shelly",
            device="a Shelly Gen2 component's status topic (generic status update)",
            topic="<name>/status/temperature:0",
            value_path="tC",
            key_units={"tC": "C", "tF": "F"},
            config="""\
[[probes]]
id = "F5-air"
[probes.source]
kind = "mqtt"
topic = "shellyplusht-08b61fcb7f3c/status/temperature:0"
format = "shelly"
""",
            payload='{"id":0,"tC":3.1,"tF":37.6}',
            availability=Availability(_SHELLY_ONLINE, "false", "true"),
        ),
    )
}


def preset(name: MqttFormat) -> MqttPreset:
    return PRESETS[name]


def find_preset(name: object) -> MqttPreset | None:
    """The preset called ``name``, or None when there is none (settings not yet validated)."""
    return next((p for p in PRESETS.values() if p.name == name), None)
