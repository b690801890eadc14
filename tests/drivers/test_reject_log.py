import logging

import pytest

from drivers.reject_log import RejectLog, sample


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_first_reject_of_a_kind_is_logged_then_summarised_per_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    time = FakeTime()
    rejects = RejectLog(logging.getLogger("test.rejects"), interval_s=60, now=time)
    for i in range(1000):
        time.now = i * 0.1  # 100 s of one bad line every 0.1 s
        rejects.reject("serial line bench", "not a number", f"T1='x{i}'")
    rejects.reject("serial line bench", "unknown key", "'T9=1'")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "serial line bench: rejected (not a number): T1='x0'",
        "serial line bench: 600 rejected (not a number) in the last 60 s; latest: T1='x600'",
        "serial line bench: rejected (unknown key): 'T9=1'",
    ]
    assert rejects.total() == 1001
    assert rejects.total(reason="not a number") == 1000
    assert rejects.total(source="elsewhere") == 0


def test_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="interval must be > 0"):
        RejectLog(logging.getLogger("test"), interval_s=0)


def test_sample_is_short_and_printable() -> None:
    assert sample(b"\x00\x01ab") == "b'\\x00\\x01ab'"
    long = sample(b"\xff" * 1000)
    assert long.endswith("… (1000 bytes)")
    assert len(long) < 100
