import logging

import pytest

from config.probes import Probe
from drivers.availability import AvailabilityTracker
from drivers.backoff import Backoff
from drivers.sink import CollectingSink

S = 1_000_000_000


def tracker(sink: CollectingSink) -> AvailabilityTracker:
    p = Probe.model_validate(
        {"id": "p", "source": {"kind": "serial", "line": "s", "field": "T"}, "sample_period_s": 10}
    )
    return AvailabilityTracker([p], sink, logging.getLogger("test.availability"))


def test_failure_and_recovery_are_each_reported_once(caplog: pytest.LogCaptureFixture) -> None:
    sink = CollectingSink()
    t = tracker(sink)
    caplog.set_level(logging.WARNING)
    t.seen("p", 1 * S)
    for i in range(5):
        t.failed("p", "timeout", (2 + i) * S)
    t.seen("p", 10 * S)
    t.seen("p", 11 * S)
    assert [(c.available, c.reason) for c in sink.changes] == [
        (True, "answering"),
        (False, "timeout"),
        (True, "answering"),
    ]
    assert [r.getMessage() for r in caplog.records] == [
        "probe p: unavailable: timeout",
        "probe p: available again",
    ]
    assert t.failures["p"] == 5


def test_silence_longer_than_configured_makes_probe_unavailable() -> None:
    sink = CollectingSink()
    t = tracker(sink)  # 3 periods of 10 s
    t.start(0)
    t.check_silence(30 * S)
    assert sink.changes == []
    t.check_silence(31 * S)
    assert sink.changes[-1].available is False
    assert sink.changes[-1].reason == "no data for 31 s"
    t.check_silence(100 * S)
    assert len(sink.changes) == 1
    assert not t.is_available("p")


def test_backoff_doubles_to_cap_and_resets() -> None:
    b = Backoff(0.5, 3.0)
    assert [b.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    b.reset()
    assert b.next_delay() == 0.5
    with pytest.raises(ValueError, match="backoff"):
        Backoff(2, 1)
