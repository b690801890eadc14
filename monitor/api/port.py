"""What the HTTP API needs from the running service (the daemon implements it)."""

from __future__ import annotations

from typing import Any, Protocol

from monitor.api.requests import (
    AckRequest,
    CycleAbortRequest,
    CycleStartRequest,
    LotCreateRequest,
    NotifyTestRequest,
    ShelveRequest,
    UnshelveRequest,
)

Json = dict[str, Any]


class ServicePort(Protocol):
    """Each method either returns a JSON-able result or raises a ``LactamonError`` or
    ``AuthError`` whose message is shown to the person as it is."""

    def status(self) -> Json: ...

    def alarms(self, include_normal: bool) -> list[Json]: ...

    async def acknowledge(self, key: str, request: AckRequest) -> Json: ...

    async def shelve(self, key: str, request: ShelveRequest) -> Json: ...

    async def unshelve(self, key: str, request: UnshelveRequest) -> Json: ...

    async def start_cycle(self, request: CycleStartRequest) -> Json: ...

    async def abort_cycle(self, pasteuriser: str, request: CycleAbortRequest) -> Json: ...

    async def create_lot(self, request: LotCreateRequest) -> Json: ...

    async def notify_test(self, request: NotifyTestRequest) -> Json: ...
