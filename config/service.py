"""Service-wide settings: site, clock, journal, signing, InfluxDB, web API, alarms, overload."""

from __future__ import annotations

import ipaddress
import re
import socket
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator

from config.base import Flag, Identifier, Integer, Number, PositiveSeconds, Strict, read_secret
from config.links import Backoff


def _hostname() -> str:
    name = re.sub(r"[^A-Za-z0-9_.\-]", "-", socket.gethostname())[:64].strip("-.")
    return name or "lactamon"


class Site(Strict):
    """Who this lactarium is; its time zone names the days of the daily sheets.

    ``device`` names this unit in a shared InfluxDB or broker (default: the host name).
    """

    id: Identifier = "lactarium"
    name: str = "Lactarium"
    device: Identifier = Field(default_factory=_hostname)
    timezone: str = "Europe/Paris"
    lot_number_pattern: str = r"^L\d{4}-\d{3,}$"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class ClockSettings(Strict):
    """Speed above 1 is for simulation only; a lab Pi runs at 1."""

    speed: float = Field(default=1.0, gt=0, le=10_000, allow_inf_nan=False)
    require_sync: bool = True


class JournalSettings(Strict):
    """The local durable journal: the record of truth, written before anything else."""

    path: Path = Path("/var/lib/lactamon/journal.sqlite")
    # What a power cut may lose (monitor/journal/README.md, "Durability"): the events and a
    # running cycle's readings of the last ``commit_interval_s``, the other readings (the
    # cold chain's, an idle pasteuriser's) of the last ``cold_commit_interval_s``.
    commit_interval_s: float = Field(default=1.0, gt=0, le=1.0, allow_inf_nan=False)
    cold_commit_interval_s: float = Field(default=10.0, gt=0, le=60.0, allow_inf_nan=False)
    checkpoint_every_records: int = Field(default=1000, ge=1)
    checkpoint_every_s: PositiveSeconds = 300.0
    # Memory for the records that wait while the disk cannot be written (monitor/journal/
    # buffer.py); the cap keeps the writer's record-count limit out of reach.
    buffer_bytes: Integer = Field(default=16 * 2**20, ge=2**16, le=128 * 2**20)
    # The early warning: free space for fewer days than this at the current write rate.
    warn_days_left: Number = Field(default=7.0, gt=0, le=3650)

    @model_validator(mode="after")
    def _cold_not_sooner(self) -> JournalSettings:
        if self.cold_commit_interval_s < self.commit_interval_s:
            raise ValueError(
                f"cold_commit_interval_s ({self.cold_commit_interval_s:g} s) must be at least "
                f"commit_interval_s ({self.commit_interval_s:g} s)"
            )
        return self


class SigningSettings(Strict):
    """The device's Ed25519 key, made by ``lactamon keygen``."""

    key_file: Path = Path("/var/lib/lactamon/device.key")


class UsersSettings(Strict):
    """The user database (argon2id hashes), beside the journal, never in it."""

    path: Path = Path("/var/lib/lactamon/users.sqlite")


class InfluxSettings(Strict):
    """Where the time series also goes: v2 API (influxdb-client) or v1 ``/write`` (InfluxDB 1.x)."""

    enabled: bool = False
    api: Literal["v1", "v2"] = "v1"
    url: str = "http://127.0.0.1:8086"
    org: str = ""
    bucket: str = "lactamon"
    token: SecretStr | None = None
    token_file: Path | None = None
    database: str = "lactamon"
    username: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    batch_size: int = Field(default=5000, ge=1, le=100_000)
    flush_interval_s: PositiveSeconds = 5.0
    timeout_s: PositiveSeconds = 10.0
    backlog_alarm_rows: int = Field(default=100_000, ge=1)
    backlog_alarm_age_s: PositiveSeconds = 3600.0
    # Between failed deliveries: the rows wait in the journal, so a slow retry loses nothing.
    backoff: Backoff = Backoff(initial_s=1.0, max_s=60.0)

    @model_validator(mode="after")
    def _credentials_fit_api(self) -> InfluxSettings:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url {self.url!r} must start with http:// or https://")
        if self.api == "v2" and self.enabled and self.token is None and self.token_file is None:
            raise ValueError("api v2 needs token or token_file")
        return self

    def token_value(self) -> str | None:
        return read_secret(self.token, self.token_file, "influxdb.token")

    def password_value(self) -> str | None:
        return read_secret(self.password, self.password_file, "influxdb.password")


class WebSettings(Strict):
    """The web application and its API: on loopback by default, and on a Unix socket.

    The command line reaches the daemon through ``unix_socket`` (owner and group only; by
    default ``lactamon.sock`` beside the journal), where it reads without a password. Over
    TCP a read needs a web session or the token of ``read_token_file`` (``Authorization:
    Bearer``), for a script on the lab's network. Every signing request carries a password,
    wherever it comes from. Beyond loopback the API is served over HTTPS
    with ``tls_cert_file`` and ``tls_key_file`` (PEM), or over plain HTTP only if the site
    says so with ``allow_plain_http_on_lan = true``. The command line reads the same settings
    and trusts ``tls_cert_file`` alone (the certificate, or a file holding its chain); it
    connects to ``host``, or to loopback when ``host`` is every interface, which the
    certificate must then name (127.0.0.1, or ::1 for "::").
    """

    host: str = "127.0.0.1"
    port: int = Field(default=8470, ge=0, le=65535)
    unix_socket: Path | None = None  # None: Settings puts it beside the journal
    read_token: SecretStr | None = None
    read_token_file: Path | None = None
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    allow_plain_http_on_lan: Flag = False
    # A reverse proxy on this machine (Caddy, nginx) serves HTTPS to the browsers and reaches
    # the daemon in plain HTTP on loopback: the session cookie is then marked Secure.
    behind_proxy: Flag = False
    # The web application signs a browser out after this long without a request (Annex 11).
    session_idle_min: float = Field(default=15.0, gt=0, le=24 * 60)
    # false: the API alone, and the daemon never loads the pages' code (Jinja2, Babel).
    pages: Flag = True

    @model_validator(mode="after")
    def _passwords_stay_on_the_machine(self) -> WebSettings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("give both tls_cert_file and tls_key_file, or neither")
        if self.behind_proxy and not self.loopback_host(self.host):
            raise ValueError(
                f"behind_proxy: the proxy reaches the daemon on loopback, so host must be "
                f"127.0.0.1 or ::1, not {self.host!r}"
            )
        if self.plain_http_beyond_loopback and not self.allow_plain_http_on_lan:
            raise ValueError(
                f"host {self.host!r} is not loopback: the API carries passwords, so serve it "
                "over HTTPS with tls_cert_file and tls_key_file, or set "
                "allow_plain_http_on_lan = true to send them readable over the network"
            )
        return self

    def read_token_value(self) -> str | None:
        return read_secret(self.read_token, self.read_token_file, "web.read_token")

    @property
    def plain_http_beyond_loopback(self) -> bool:
        """Whether the API listens beyond this machine without TLS (allowed or not)."""
        if self.tls_cert_file is not None:
            return False
        return not self.loopback_host(self.host)

    @staticmethod
    def loopback_host(host: str) -> bool:
        """Only "localhost" and loopback addresses: any other name may resolve to the
        network, and "" or "0.0.0.0" listen on every interface."""
        if host.lower() == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


class AlarmSettings(Strict):
    """ISA-18.2 flood grouping, re-notification and escalation."""

    flood_count: int = Field(default=10, ge=1)
    flood_window_min: float = Field(default=10.0, gt=0)
    renotify_min: float = Field(default=30.0, gt=0)
    escalate_after_min: float = Field(default=15.0, gt=0)
    max_shelve_min: float = Field(default=480.0, gt=0)


class OverloadSettings(Strict):
    """When the daemon falls behind its probes (docs/RULES.md, F9): the ``overload`` alarm,
    raised above ``lag_alarm_s`` of lag and cleared under ``lag_clear_s``; past
    ``queue_readings`` readings waiting in the daemon, readings are shed and counted."""

    lag_alarm_s: PositiveSeconds = 10.0
    lag_clear_s: PositiveSeconds = 2.0
    queue_readings: Integer = Field(default=100_000, ge=1_000, le=10_000_000)

    @model_validator(mode="after")
    def _clear_below_alarm(self) -> OverloadSettings:
        if self.lag_clear_s >= self.lag_alarm_s:
            raise ValueError(
                f"lag_clear_s ({self.lag_clear_s:g}) must be below lag_alarm_s "
                f"({self.lag_alarm_s:g}): the gap keeps the alarm from flapping"
            )
        return self
