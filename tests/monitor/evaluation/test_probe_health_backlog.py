"""Silence judged up to the time the input is known complete (docs/RULES.md, F9).

A probe is stale when its device stopped sending, not when the daemon is behind: ``heard_until``
is the time up to which every message of the probe's link has been read, and only the time
before it can count as silence. Events are still stamped at the machine's own time.
"""

from __future__ import annotations

from monitor.evaluation import ProbeHealth, ProbeHealthSpec
from monitor.evaluation.cold_chain_events import ProbeStaleRaised
from tests.monitor.evaluation.curves import S, at, kinds


def probe() -> ProbeHealth:
    return ProbeHealth("p1", ProbeHealthSpec(10.0), 0)  # stale after 30 s


def test_time_the_input_was_behind_is_not_silence() -> None:
    health = probe()
    health.feed(at(100, 3.0, "p1"))
    # 40 s later, but every message is known read only up to 20 s after the reading.
    assert health.tick(140 * S, heard_until=120 * S) == ()
    assert health.tick(200 * S, heard_until=130 * S) == ()  # exactly the limit: not yet


def test_silence_before_the_horizon_is_stale_and_stamped_at_the_machines_time() -> None:
    health = probe()
    health.feed(at(100, 3.0, "p1"))
    events = health.tick(200 * S, heard_until=130 * S + 1)
    assert kinds(events) == ["probe_stale_raised"]
    raised = events[0]
    assert isinstance(raised, ProbeStaleRaised)
    assert (raised.ts, raised.last_ts) == (200 * S, 100 * S)


def test_a_horizon_past_the_machines_time_changes_nothing() -> None:
    health = probe()
    health.feed(at(100, 3.0, "p1"))
    assert health.tick(125 * S, heard_until=500 * S) == ()
    assert kinds(health.tick(131 * S, heard_until=500 * S)) == ["probe_stale_raised"]


def test_readings_late_through_a_backlog_are_not_a_silence_between_them() -> None:
    health = probe()
    health.feed(at(100, 3.0, "p1"))
    # The next reading was stamped 45 s later because it waited in the broker: the input was
    # complete only up to 110 s, when the device had just sent it.
    assert health.feed(at(145, 3.1, "p1"), heard_until=110 * S) == ()
    # The same gap with the input complete all along is a silence: raised and cleared.
    assert kinds(health.feed(at(190, 3.2, "p1"), heard_until=190 * S)) == [
        "probe_stale_raised",
        "probe_stale_cleared",
    ]


def test_without_a_horizon_the_machine_judges_at_its_own_time() -> None:
    health = probe()
    health.feed(at(100, 3.0, "p1"))
    assert kinds(health.tick(131 * S)) == ["probe_stale_raised"]
