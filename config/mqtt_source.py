"""An MQTT probe's source: its topic, its payload preset and its device's availability topic.

``format`` names a preset of ``config.mqtt_presets``; ``sensor`` picks one sensor of a device
that sends several (Tasmota ``DS18B20-2``, Shelly ``temperature:100``); ``sensor_id`` makes a
Tasmota probe refuse a message in which that name belongs to another chip: Tasmota numbers
DS18B20s in bus order, so when one fails the next takes its name, and a fridge probe would
quietly read the freezer. ``availability_topic`` and ``offline`` name the device's last-will
topic and the word that means it went away; the preset knows the word for its devices.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from config.base import Strict
from config.json_path import compile_json_path, is_plain_key
from config.mqtt_presets import MqttFormat, MqttPreset, find_preset, preset


class MqttSource(Strict):
    """A topic and how to find the temperature in its payload (see the module docstring)."""

    kind: Literal["mqtt"]
    topic: str = Field(min_length=1)
    format: MqttFormat = "number"
    json_path: str | None = None
    unit_path: str | None = None
    sensor: str = ""
    sensor_id: str | None = Field(default=None, min_length=1)
    availability_topic: str | None = Field(default=None, min_length=1)
    offline: str | None = Field(default=None, min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _preset_sensor(cls, data: Any) -> Any:
        if isinstance(data, dict) and "sensor" not in data:
            style = find_preset(data.get("format", "number"))
            if style is not None:
                return {**data, "sensor": style.default_sensor}
        return data

    @model_validator(mode="after")
    def _rules(self) -> MqttSource:
        style = self.preset
        for name, topic in (("topic", self.topic), ("availability_topic", self.availability_topic)):
            if topic is not None and any(c in topic for c in "+#"):
                raise ValueError(f"{name} {topic!r}: one probe needs one topic, no wildcards")
        if self.format == "json" and not self.json_path:
            raise ValueError("format 'json' needs a json_path, e.g. 'sensor.temperature'")
        if style.plain_number and (self.json_path or self.unit_path):
            raise ValueError(f"format {self.format!r} is a bare number: no json_path or unit_path")
        for path in (self.json_path, self.unit_path):
            if path is not None:
                compile_json_path(path)
        if style.default_sensor and not is_plain_key(self.sensor):
            raise ValueError(f"sensor {self.sensor!r}: a name without '.', '[' or ']'")
        if self.sensor_id is not None and self.format != "tasmota":
            raise ValueError("sensor_id is a Tasmota sensor's Id; other formats have none")
        self._availability_rules(style)
        return self

    def _availability_rules(self, style: MqttPreset) -> None:
        if self.availability_topic is None:
            if self.offline is not None:
                raise ValueError("offline is the word of an availability_topic; name the topic")
            return
        if self.availability_topic == self.topic:
            raise ValueError("availability_topic must differ from the value topic")
        if self.offline is None and style.availability is None:
            raise ValueError(
                f"availability_topic with format {self.format!r}: say which payload means the "
                'device is gone, e.g. offline = "offline"'
            )

    @property
    def preset(self) -> MqttPreset:
        return preset(self.format)

    def resolved_json_path(self) -> str | None:
        """The dotted path of the temperature in the payload, or None for a plain number."""
        if self.json_path:
            return self.json_path
        return self.preset.value_path_for(self.sensor)

    def resolved_unit_path(self) -> str | None:
        """Where the payload states its unit, if it does (Tasmota: ``TempUnit``)."""
        return self.unit_path or self.preset.unit_path

    def offline_word(self) -> str | None:
        """The availability payload that means the device is gone (None: no topic named)."""
        if self.availability_topic is None:
            return None
        if self.offline is not None:
            return self.offline
        availability = self.preset.availability
        return None if availability is None else availability.offline
