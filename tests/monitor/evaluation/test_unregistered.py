"""Heating with no cycle started: an unregistered cycle, raised, and ended or linked."""

from __future__ import annotations

import json

import pytest

from monitor.evaluation import HeatingWatchSpec, UnregisteredHeatingWatcher
from monitor.evaluation.event_base import Effect
from monitor.evaluation.events import UnregisteredHeatingEnded, UnregisteredHeatingStarted
from tests.monitor.evaluation.curves import FAULT, S, at, kinds


def watcher() -> UnregisteredHeatingWatcher:
    return UnregisteredHeatingWatcher("past-1", ["bath", "ref"])


@pytest.mark.parametrize(("value", "raised"), [(45.0, False), (45.01, True)])
def test_heating_above_45_with_no_cycle_is_an_alarm(value: float, raised: bool) -> None:
    watch = watcher()
    watch.feed(at(0, 20.0, "bath"))
    events = watch.feed(at(60, value, "bath"))
    assert (kinds(events) == ["unregistered_heating_started"]) is raised
    if raised:
        started = events[0]
        assert isinstance(started, UnregisteredHeatingStarted)
        assert (started.subject, started.probe_id, started.value_c) == ("past-1", "bath", value)
        assert (started.effect, started.alarm_key) == (Effect.RAISE, "unregistered_cycle:past-1")


def test_the_episode_ends_when_every_probe_has_cooled_past_the_deadband() -> None:
    watch = watcher()
    watch.feed(at(0, 60.0, "bath"))
    watch.feed(at(10, 50.0, "ref"))
    assert watch.feed(at(20, 43.0, "bath")) == ()  # ref still at 50
    assert watch.feed(at(30, 43.1, "ref")) == ()  # not yet 2 °C below the threshold
    events = watch.feed(at(40, 43.0, "ref"))
    ended = events[0]
    assert isinstance(ended, UnregisteredHeatingEnded)
    assert (ended.since_ts, ended.peak_c, ended.duration_s, ended.cycle_id) == (0, 60.0, 40.0, None)
    assert ended.effect is Effect.CLEAR
    assert kinds(watch.feed(at(50, 46.0, "bath"))) == ["unregistered_heating_started"]


def test_starting_a_cycle_links_the_episode_and_silences_the_watcher() -> None:
    watch = watcher()
    watch.feed(at(0, 50.0, "bath"))
    events = watch.cycle_started(100 * S, "C9")
    assert isinstance(events[0], UnregisteredHeatingEnded)
    assert (events[0].cycle_id, events[0].reason) == ("C9", "cycle C9 was started")
    assert watch.feed(at(200, 63.0, "bath")) == ()
    assert watch.cycle_ended(300 * S) == ()
    # the bath of the cycle that just closed is still hot: no new episode until it cooled
    assert watch.feed(at(310, 60.0, "bath")) == ()
    watch.feed(at(400, 30.0, "bath"))
    assert watch.feed(at(410, 30.0, "ref")) == ()
    assert kinds(watch.feed(at(500, 46.0, "ref"))) == ["unregistered_heating_started"]


def test_faulty_and_foreign_readings_are_ignored() -> None:
    watch = watcher()
    assert watch.feed(at(0, 3276.7, "bath", FAULT)) == ()
    assert watch.feed(at(1, float("inf"), "bath")) == ()
    assert watch.feed(at(2, 90.0, "fridge")) == ()
    assert kinds(watch.feed(at(1, 20.0, "bath"))) == ["reading_rejected"]


def test_a_watcher_needs_a_probe_and_restores() -> None:
    with pytest.raises(ValueError, match="needs a probe"):
        UnregisteredHeatingWatcher("past-1", [])
    watch = watcher()
    watch.feed(at(0, 50.0, "bath"))
    data = json.loads(json.dumps(watch.snapshot()))
    resumed = UnregisteredHeatingWatcher.restore(
        "past-1", ["bath", "ref"], HeatingWatchSpec(), data
    )
    assert kinds(resumed.feed(at(10, 20.0, "bath"))) == ["unregistered_heating_ended"]
