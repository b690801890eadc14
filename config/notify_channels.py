"""The settings of each notification channel: e-mail, webhook, command, relay, heartbeat.

A channel is on when its table is present. Secrets (the SMTP password, the webhook's
signing secret) are given inline or in a file that only the service may read, as every
other secret of the settings (``config.base.read_secret``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator

from config.base import Flag, Integer, Number, Strict, read_secret

ChannelName = Literal["email", "webhook", "command", "relay", "mqtt"]
CHANNEL_NAMES: tuple[ChannelName, ...] = ("email", "webhook", "command", "relay", "mqtt")
Timeout = Field(default=10.0, gt=0, le=120)


class SmtpSettings(Strict):
    """E-mail over SMTP (aiosmtplib): STARTTLS on 587 by default, or TLS from the start."""

    host: str
    port: Integer = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    # A private CA or a self-signed server certificate (PEM); the system's store otherwise.
    ca_file: Path | None = None
    username: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    sender: str = Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")
    timeout_s: Number = Timeout

    def password_value(self) -> str | None:
        return read_secret(self.password, self.password_file, "notify.email.password")


class WebhookSettings(Strict):
    """A JSON POST per message (SMS gateways, ntfy, Gotify, chat bridges).

    With a ``secret``, the body is signed: ``X-Lactamon-Signature: sha256=<hex HMAC>``.
    """

    url: str = Field(pattern=r"^https?://\S+$")
    secret: SecretStr | None = None
    secret_file: Path | None = None
    timeout_s: Number = Timeout
    # Whether a message goes once per person (with her phone and e-mail in the payload) or
    # once for everyone the policy names (a chat room).
    per_person: Flag = True

    def secret_value(self) -> str | None:
        return read_secret(self.secret, self.secret_file, "notify.webhook.secret")


class CommandSettings(Strict):
    """An executable run per message: the message as JSON on stdin and in ``LACTAMON_*``."""

    path: Path
    args: list[str] = Field(default_factory=list)
    timeout_s: Number = Timeout
    per_person: Flag = True

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        if not value.is_absolute():
            raise ValueError("give the executable's absolute path")
        return value


class RelaySettings(Strict):
    """A buzzer or beacon on a Modbus relay module: on while an alarm waits for a person.

    On while any alarm of ``priority`` or more urgent is unacknowledged; off once all are
    acknowledged. ``coil`` writes a coil (function 5); ``register`` a holding register
    (function 6) with ``on_value`` / ``off_value``.
    """

    transport: Literal["tcp", "rtu"] = "tcp"
    host: str = "127.0.0.1"
    port: Integer = Field(default=502, ge=1, le=65535)
    serial_port: str = "/dev/ttyUSB0"
    baudrate: Integer = Field(default=9600, ge=1200, le=115200)
    unit_id: Integer = Field(default=1, ge=0, le=247)
    table: Literal["coil", "register"] = "coil"
    address: Integer = Field(default=0, ge=0, le=65535)
    on_value: Integer = Field(default=1, ge=0, le=65535)
    off_value: Integer = Field(default=0, ge=0, le=65535)
    priority: Literal["critical", "high", "medium", "low"] = "critical"
    # Written again this often, so a module that restarted (its coils reset) comes back.
    refresh_s: Number = Field(default=60.0, gt=0, le=3600)
    timeout_s: Number = Field(default=3.0, gt=0, le=60)


class HeartbeatSettings(Strict):
    """ "I am alive" every few minutes, so an outside monitor notices a dead Pi.

    An HTTP request to ``url`` (a healthchecks-style ping), a retained MQTT message on
    ``<prefix>/heartbeat`` with the last-alive time, or both.
    """

    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    method: Literal["GET", "POST"] = "GET"
    mqtt: Flag = False
    every_min: Number = Field(default=5.0, gt=0, le=1440)
    timeout_s: Number = Timeout


class KeepAliveSettings(Strict):
    """A daily test message on every channel (ELPRO's keep-alive), at the site's local time."""

    at: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # The contact list told; the on-call list of that moment when empty.
    to: str = ""
