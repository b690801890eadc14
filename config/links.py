"""Links to the hardware: Modbus buses (TCP or RTU), serial ASCII lines and the MQTT broker."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from config.base import Flag, Identifier, Integer, Number, PositiveSeconds, Strict, read_secret

Parity = Literal["N", "E", "O"]


class Backoff(Strict):
    """Capped exponential backoff between reconnection attempts (doubling, reset on success)."""

    initial_s: PositiveSeconds = 1.0
    max_s: PositiveSeconds = 60.0

    @model_validator(mode="after")
    def _ordered(self) -> Backoff:
        if self.initial_s > self.max_s:
            raise ValueError(f"initial_s {self.initial_s} > max_s {self.max_s}")
        return self


class ModbusTcpBus(Strict):
    """A Modbus TCP device or gateway."""

    kind: Literal["tcp"]
    id: Identifier
    host: str
    port: Integer = Field(default=502, ge=1, le=65535)
    timeout_s: PositiveSeconds = 1.0
    retries: Integer = Field(default=2, ge=0, le=10)
    backoff: Backoff = Backoff()


class ModbusRtuBus(Strict):
    """An RS-485 bus: one lock per bus, requests separated by the inter-frame gap."""

    kind: Literal["rtu"]
    id: Identifier
    device: Path
    baudrate: Integer = Field(default=9600, ge=300, le=921600)
    parity: Parity = "N"
    stopbits: Literal[1, 2] = 1
    bytesize: Literal[7, 8] = 8
    timeout_s: PositiveSeconds = 1.0
    retries: Integer = Field(default=2, ge=0, le=10)
    inter_frame_gap_s: Number | None = Field(default=None, ge=0, le=1)
    backoff: Backoff = Backoff()

    def frame_gap_s(self) -> float:
        """The silence between frames: 3.5 characters, and at least 1.75 ms above 19200 baud."""
        if self.inter_frame_gap_s is not None:
            return self.inter_frame_gap_s
        bits_per_char = 1 + self.bytesize + (0 if self.parity == "N" else 1) + self.stopbits
        return max(3.5 * bits_per_char / self.baudrate, 0.00175)


ModbusBus = Annotated[ModbusTcpBus | ModbusRtuBus, Field(discriminator="kind")]


class SerialLine(Strict):
    """A device that prints temperatures as ASCII lines, e.g. ``T1=62.48;T2=61.90``."""

    id: Identifier
    device: Path
    baudrate: Integer = Field(default=9600, ge=300, le=921600)
    parity: Parity = "N"
    stopbits: Literal[1, 2] = 1
    bytesize: Literal[7, 8] = 8
    format: Literal["key_value", "regex"] = "key_value"
    pair_separator: str = Field(default=";", min_length=1)
    key_separator: str = Field(default="=", min_length=1)
    pattern: str | None = None
    max_line_bytes: Integer = Field(default=512, ge=16, le=65536)
    silence_s: PositiveSeconds = 10.0
    backoff: Backoff = Backoff()

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        if not compiled.groupindex:
            raise ValueError("the pattern needs named groups, e.g. (?P<T1>-?\\d+\\.\\d+)")
        return value

    @model_validator(mode="after")
    def _pattern_for_regex(self) -> SerialLine:
        if self.format == "regex" and self.pattern is None:
            raise ValueError("format 'regex' needs a pattern")
        if self.format == "key_value" and self.pattern is not None:
            raise ValueError("a pattern is only used with format 'regex'")
        return self


class MqttTls(Strict):
    """TLS towards the broker; a self-signed CA is given as ``ca_file``."""

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    insecure_skip_verify: Flag = False


class MqttBroker(Strict):
    """The broker the probes publish to and the service publishes alarms and chain heads on."""

    host: str = "127.0.0.1"
    port: Integer = Field(default=1883, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    tls: MqttTls | None = None
    # Both default to this unit's own (``lactamon-<site>-<device>``, ``lactamon/<site>/<device>``,
    # set by the settings): two units on one broker must never share a client id, which
    # makes the broker close one for the other, nor retained topics, which they overwrite.
    client_id: str | None = None
    keepalive_s: Integer = Field(default=30, ge=5, le=3600)
    topic_prefix: str | None = None
    backoff: Backoff = Backoff()

    @property
    def client_id_base(self) -> str:
        """The client id every connection of this unit starts with."""
        return self.client_id or "lactamon"

    @property
    def prefix(self) -> str:
        """The topic prefix of everything this unit publishes, without a trailing '/'."""
        return (self.topic_prefix or "lactamon").rstrip("/")

    def for_unit(self, site: str, device: str) -> MqttBroker:
        """These settings with the unit's own client id and prefix where none was set."""
        update: dict[str, str] = {}
        if self.client_id is None:
            update["client_id"] = f"lactamon-{site}-{device}"
        if self.topic_prefix is None:
            update["topic_prefix"] = f"lactamon/{site}/{device}"
        return self.model_copy(update=update) if update else self

    @model_validator(mode="after")
    def _one_password(self) -> MqttBroker:
        if self.password is not None and self.password_file is not None:
            raise ValueError("give password or password_file, not both")
        if (self.password is not None or self.password_file is not None) and not self.username:
            raise ValueError("a password needs a username")
        return self

    def password_value(self) -> str | None:
        return read_secret(self.password, self.password_file, "mqtt.password")
