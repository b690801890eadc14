"""The hosts the daemon must reach, against the addresses its systemd unit lets it reach.

The shipped unit allows loopback and the private IPv4 ranges only (``IPAddressAllow=``): an
SMTP relay, a webhook or a heartbeat URL beyond them fails with "Operation not permitted".
``config check`` warns about each such host, and ``lactamon config addresses`` prints the
drop-in that allows them, from the addresses the names resolve to now.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlsplit

from config import Settings
from config.links import ModbusTcpBus

# As in systemd/lactamon.service (a test keeps the two the same).
UNIT_ALLOW = ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolve = Callable[[str], list[str]]


class Reached(NamedTuple):
    """A host a setting names, and the addresses it stands for."""

    setting: str
    host: str
    addresses: list[str]
    error: str = ""


def reached_hosts(settings: Settings) -> list[tuple[str, str]]:
    """(setting, host) for every network peer the settings name."""
    n = settings.notify
    hosts: list[tuple[str, str]] = []
    if n.email is not None:
        hosts.append(("notify.email.host", n.email.host))
    if n.webhook is not None:
        hosts.append(("notify.webhook.url", urlsplit(n.webhook.url).hostname or ""))
    if n.heartbeat is not None and n.heartbeat.url:
        hosts.append(("notify.heartbeat.url", urlsplit(n.heartbeat.url).hostname or ""))
    if n.relay is not None and n.relay.transport == "tcp":
        hosts.append(("notify.relay.host", n.relay.host))
    if settings.influxdb.enabled:
        hosts.append(("influxdb.url", urlsplit(settings.influxdb.url).hostname or ""))
    if settings.mqtt is not None:
        hosts.append(("mqtt.host", settings.mqtt.host))
    hosts += [(f"modbus[{i}].host", b.host) for i, b in enumerate(settings.modbus)
              if isinstance(b, ModbusTcpBus)]  # fmt: skip
    return [(setting, host) for setting, host in hosts if host]


def resolve(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def outside_unit(settings: Settings, lookup: Resolve = resolve) -> list[Reached]:
    """Each host with an address the shipped unit does not allow (or that cannot resolve)."""
    allowed: list[Network] = [ipaddress.ip_network(n) for n in UNIT_ALLOW]
    out = []
    for setting, host in reached_hosts(settings):
        try:
            addresses = lookup(host)
        except (OSError, UnicodeError) as exc:
            out.append(Reached(setting, host, [], f"cannot resolve it now ({exc})"))
            continue
        beyond = [a for a in addresses
                  if not any(ipaddress.ip_address(a) in net for net in allowed)]  # fmt: skip
        if beyond:
            out.append(Reached(setting, host, beyond))
    return out


def address_warnings(settings: Settings, lookup: Resolve = resolve) -> list[str]:
    out = []
    for r in outside_unit(settings, lookup):
        if r.error:
            out.append(f"{r.setting}: {r.host}: {r.error}; the unit allows only loopback and "
                       "the private LAN, check it can reach this host")  # fmt: skip
        else:
            out.append(f"{r.setting}: {r.host} ({', '.join(r.addresses)}) is outside the "
                       "addresses the systemd unit allows: allow it with the drop-in "
                       "'lactamon config addresses' prints")  # fmt: skip
    return out


def drop_in(settings: Settings, lookup: Resolve = resolve) -> str:
    """The ``systemctl edit lactamon.service`` drop-in that allows every host beyond the LAN."""
    lines = ["# sudo systemctl edit lactamon.service  (then: sudo systemctl restart lactamon)",
             "[Service]"]  # fmt: skip
    for r in outside_unit(settings, lookup):
        if r.error:
            lines.append(f"# {r.setting}: {r.host}: {r.error}")
        else:
            lines.append(f"# {r.setting}: {r.host}")
            lines.append(f"IPAddressAllow={' '.join(r.addresses)}")
    return "\n".join(lines) + "\n"
