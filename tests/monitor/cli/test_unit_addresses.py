"""The hosts of the channels against the unit's address allow-list, and the drop-in."""

from __future__ import annotations

import re
from pathlib import Path

from config import Settings
from monitor.cli.unit_addresses import UNIT_ALLOW, address_warnings, drop_in

UNIT = Path(__file__).parents[3] / "systemd" / "lactamon.service"
NAMES = {"smtp.example.org": ["203.0.113.25"], "hooks.lab": ["192.168.1.20"],
         "ping.example.net": ["198.51.100.7", "2001:db8::7"]}  # fmt: skip


def lookup(host: str) -> list[str]:
    if host in NAMES:
        return NAMES[host]
    if re.fullmatch(r"[\d.]+", host):
        return [host]
    raise OSError(f"[Errno -2] Name or service not known: {host}")


def site(**notify: object) -> Settings:
    return Settings.model_validate({"notify": notify})


def test_the_check_knows_the_units_own_allow_list() -> None:
    allowed = " ".join(line.split("=", 1)[1] for line in UNIT.read_text().splitlines()
                       if line.startswith("IPAddressAllow="))  # fmt: skip
    assert "localhost" in allowed.split()
    shipped = {n for n in allowed.split() if n != "localhost"} | {"127.0.0.0/8", "::1/128"}
    assert shipped == set(UNIT_ALLOW)


def test_a_channel_beyond_the_lan_is_warned_of_and_the_drop_in_allows_it() -> None:
    settings = site(
        email={"host": "smtp.example.org", "sender": "lab@example.org"},
        webhook={"url": "http://hooks.lab:8080/x"},
        heartbeat={"url": "https://ping.example.net/abc"},
        relay={"host": "192.168.1.50"},
    )
    warnings = address_warnings(settings, lookup)
    assert len(warnings) == 2
    assert warnings[0].startswith("notify.email.host: smtp.example.org (203.0.113.25) is outside")
    assert warnings[1].startswith("notify.heartbeat.url: ping.example.net (198.51.100.7, ")
    text = drop_in(settings, lookup)
    assert "[Service]\n" in text
    assert "IPAddressAllow=203.0.113.25\n" in text
    assert "IPAddressAllow=198.51.100.7 2001:db8::7\n" in text
    assert "192.168" not in text


def test_a_name_that_does_not_resolve_is_said() -> None:
    warnings = address_warnings(site(email={"host": "nowhere.invalid",
                                            "sender": "a@b.c"}), lookup)  # fmt: skip
    assert warnings == [
        "notify.email.host: nowhere.invalid: cannot resolve it now ([Errno -2] Name or service "
        "not known: nowhere.invalid); the unit allows only loopback and the private LAN, check "
        "it can reach this host"
    ]


def test_loopback_and_the_lan_are_quiet() -> None:
    settings = site(email={"host": "127.0.0.1", "sender": "a@b.c"},
                    webhook={"url": "http://10.1.2.3/hook"})  # fmt: skip
    assert address_warnings(settings, lookup) == []
