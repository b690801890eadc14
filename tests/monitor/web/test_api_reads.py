"""Reads of /api: free from this machine (the command line), refused from another one
unless a web session may read."""

from __future__ import annotations

from typing import Any

from monitor.api.read_guard import from_this_machine


class Transport:
    def __init__(self, sockname: Any, peername: Any) -> None:
        self.extra = {"sockname": sockname, "peername": peername}

    def get_extra_info(self, name: str) -> Any:
        return self.extra.get(name)


class Request:
    def __init__(self, transport: Transport | None) -> None:
        self.transport = transport


def local(sockname: Any, peername: Any) -> bool:
    return from_this_machine(Request(Transport(sockname, peername)))  # type: ignore[arg-type]


def test_the_machine_itself_is_local_and_the_network_is_not() -> None:
    assert local("/run/lactamon/api.sock", "")
    assert local(("127.0.0.1", 8470), ("127.0.0.1", 50000))
    assert local(("::1", 8470, 0, 0), ("::1", 50000, 0, 0))
    assert local(("192.168.1.10", 8470), ("192.168.1.10", 50000))  # the Pi's own LAN address
    assert local(("::ffff:192.168.1.10", 8470, 0, 0), ("::ffff:127.0.0.1", 5, 0, 0))
    assert not local(("192.168.1.10", 8470), ("192.168.1.23", 50000))
    assert not local(("0.0.0.0", 8470), None)
    assert not from_this_machine(Request(None))  # type: ignore[arg-type]
