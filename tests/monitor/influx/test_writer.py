import pytest

from monitor.influx.errors import FailureKind, InfluxWriteError
from monitor.influx.writer import send_in_batches


class Server:
    """Takes at most ``limit`` lines a request, like a server with a small body limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.requests: list[list[str]] = []

    async def send(self, lines: list[str]) -> None:
        self.requests.append(lines)
        if len(lines) > self.limit:
            raise InfluxWriteError(
                "too large", kind=FailureKind.TOO_LARGE, retryable=False, status=413
            )


async def test_batches_in_order() -> None:
    server = Server(limit=10)
    await send_in_batches([str(i) for i in range(7)], 3, server.send)
    assert server.requests == [["0", "1", "2"], ["3", "4", "5"], ["6"]]


async def test_too_large_batches_are_sent_again_in_halves() -> None:
    server = Server(limit=2)
    await send_in_batches([str(i) for i in range(5)], 5, server.send)
    accepted = [r for r in server.requests if len(r) <= 2]
    assert [line for r in accepted for line in r] == ["0", "1", "2", "3", "4"]


async def test_a_single_point_too_large_is_named() -> None:
    server = Server(limit=0)
    with pytest.raises(InfluxWriteError, match="a single point of 8 bytes: m f=1i 1") as caught:
        await send_in_batches(["m f=1i 1"] * 2, 5, server.send)
    assert caught.value.kind is FailureKind.TOO_LARGE
    assert not caught.value.retryable


async def test_other_errors_are_not_split() -> None:
    async def refuse(lines: list[str]) -> None:
        raise InfluxWriteError("down", kind=FailureKind.CONNECTION, retryable=True)

    with pytest.raises(InfluxWriteError, match="down"):
        await send_in_batches(["a", "b"], 5, refuse)


async def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        await send_in_batches(["a"], 0, Server(1).send)
