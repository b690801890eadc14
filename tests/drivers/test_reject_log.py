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


def test_the_last_window_is_written_at_stop(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    time = FakeTime()
    rejects = RejectLog(logging.getLogger("test.rejects"), interval_s=60, now=time)
    for i in range(5):
        time.now = i * 2.0
        rejects.reject("probe F1 (z/f1)", "not JSON", f"b'x{i}'")
    time.now = 30.0
    rejects.flush()
    rejects.flush()  # nothing new since: nothing more to write
    assert [r.getMessage() for r in caplog.records] == [
        "probe F1 (z/f1): rejected (not JSON): b'x0'",
        "probe F1 (z/f1): 4 rejected (not JSON) in the last 30 s; latest: b'x4'",
    ]


def test_a_window_that_is_due_is_written_without_waiting_for_another_reject(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    time = FakeTime()
    rejects = RejectLog(logging.getLogger("test.rejects"), interval_s=60, now=time)
    rejects.reject("serial line bench", "not a number", "T1='a'")
    time.now = 1.0
    rejects.reject("serial line bench", "not a number", "T1='b'")
    time.now = 59.0
    rejects.flush_due()
    assert len(caplog.records) == 1  # the window is not over yet
    time.now = 61.0
    rejects.flush_due()
    assert caplog.records[-1].getMessage() == (
        "serial line bench: 1 rejected (not a number) in the last 61 s; latest: T1='b'"
    )
