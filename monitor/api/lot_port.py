"""What the lot routes need from the running service (the daemon's ``LotDesk``)."""

from __future__ import annotations

from typing import Any, Protocol

from monitor.api.lot_requests import (
    LotControlRequest,
    LotCorrectRequest,
    LotDecideRequest,
    LotDestroyRequest,
    LotDistributeRequest,
    LotMoveRequest,
    LotReleaseRequest,
    LotStoreRequest,
    LotUnstoreRequest,
)

Json = dict[str, Any]


class LotPort(Protocol):
    """Each act returns the lot's state and the signature, or raises a ``LactamonError``
    or ``AuthError`` whose message is shown to the person as it is."""

    async def control(self, lot: str, request: LotControlRequest) -> Json: ...

    async def release(self, lot: str, request: LotReleaseRequest) -> Json: ...

    async def destroy(self, lot: str, request: LotDestroyRequest) -> Json: ...

    async def store(self, lot: str, request: LotStoreRequest) -> Json: ...

    async def unstore(self, lot: str, request: LotUnstoreRequest) -> Json: ...

    async def move(self, request: LotMoveRequest) -> Json: ...

    async def distribute(self, lot: str, request: LotDistributeRequest) -> Json: ...

    async def correct(self, lot: str, request: LotCorrectRequest) -> Json: ...

    async def decide(self, lot: str, request: LotDecideRequest) -> Json: ...

    def lots(self, include_closed: bool) -> Json: ...

    def show(self, lot: str) -> Json: ...

    def enclosure_lots(self, enclosure: str) -> Json: ...

    def trace(self, donor: str | None, lot: str | None) -> Json: ...
