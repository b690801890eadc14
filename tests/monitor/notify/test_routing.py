"""The policy applied: who is told, on which channel, when; escalation up the lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from config.notify import NotifySettings
from monitor.alarms import Notification, Priority
from monitor.notify.message import AlarmFacts, message_of
from monitor.notify.routing import Route, Router
from tests.monitor.notify.samples import PLACE

PARIS = ZoneInfo("Europe/Paris")
CHANNELS = {"email": True, "webhook": True, "relay": False, "mqtt": False}


def ns(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=PARIS).timestamp()) * 1_000_000_000


NIGHT = ns(2026, 12, 3, 3, 0)  # a Thursday, 03:00
DAY = ns(2026, 12, 3, 10, 0)
SATURDAY = ns(2026, 12, 5, 11, 0)


def lab(**extra: Any) -> NotifySettings:
    people = {
        "alice": {"name": "Alice Martin", "email": "alice@lab.example"},
        "bob": {"name": "Bob Durand", "email": "bob@lab.example", "phone": "+33611111111"},
        "carla": {"name": "Carla Petit", "email": "carla@lab.example"},
        "dan": {"name": "Dan Roux", "email": "dan@lab.example"},
    }
    lists = {"day": ["alice"], "night": ["bob"], "next": ["carla", "dan"]}
    on_call = [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00",
         "list": "day"},
        {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "18:00", "end": "08:00",
         "list": "night"},
        {"days": ["sat", "sun"], "start": "00:00", "end": "00:00", "list": "night"},
    ]  # fmt: skip
    return NotifySettings.model_validate(
        {"people": people, "lists": lists, "on_call": on_call, **extra}
    )


def routes(router: Router, reason: str, ts: int, priority: Priority = Priority.CRITICAL,
           level: int = 0, raised: int | None = None) -> set[Route]:  # fmt: skip
    note = Notification(ts, reason, ("band:Z1",), priority, "freezer Z1 above -18 °C", level)
    facts = (AlarmFacts("band:Z1", "Z1", int(priority), "x", note.message, raised or ts),)
    return set(router.route(message_of(note, PLACE, facts)))


def who(found: set[Route], channel: str = "email") -> set[str]:
    return {r.to.id for r in found if r.channel == channel and r.to is not None}


def test_a_night_excursion_goes_to_the_night_list_by_email_and_buzzer_at_once() -> None:
    router = Router(lab(), PARIS, CHANNELS)
    found = routes(router, "raised", NIGHT)
    assert who(found) == {"bob"}
    assert who(found, "webhook") == {"bob"}
    assert Route("relay", None) in found
    assert Route("mqtt", None) in found
    assert all(r.not_before_ns == 0 for r in found)


def test_the_day_and_the_weekend_have_their_own_lists() -> None:
    router = Router(lab(), PARIS, CHANNELS)
    assert who(routes(router, "raised", DAY)) == {"alice"}
    assert who(routes(Router(lab(), PARIS, CHANNELS), "raised", SATURDAY)) == {"bob"}


def test_escalation_adds_the_next_list_and_the_end_is_told_to_all_told() -> None:
    router = Router(lab(), PARIS, CHANNELS)
    routes(router, "raised", NIGHT)
    escalated = routes(router, "escalated", NIGHT + 15 * 60 * 10**9, level=1)
    assert who(escalated) == {"bob", "carla", "dan"}
    repeat = routes(router, "renotify", NIGHT + 45 * 60 * 10**9, level=1)
    assert who(repeat) == {"bob", "carla", "dan"}
    acked = routes(router, "acknowledged", NIGHT + 50 * 60 * 10**9)
    assert who(acked) == {"bob", "carla", "dan"}
    assert Route("relay", None) in acked  # the buzzer hears of it, to go off


def test_a_low_priority_waits_for_working_hours_and_is_not_buzzed() -> None:
    router = Router(lab(), PARIS, CHANNELS)
    found = routes(router, "raised", NIGHT, Priority.LOW)
    email = [r for r in found if r.channel == "email"]
    assert {r.not_before_ns for r in email} == {ns(2026, 12, 3, 8, 0)}
    assert not [r for r in found if r.channel == "webhook"]  # e-mail only
    assert Route("relay", None) in found  # which decides by priority, and stays off


def test_cleared_is_not_told_when_the_policy_says_so() -> None:
    policies = {"critical": {"channels": ["email"], "first": "day", "tell_cleared": False}}
    router = Router(lab(policies=policies), PARIS, CHANNELS)
    routes(router, "raised", DAY)
    assert who(routes(router, "cleared", DAY + 10**9)) == set()
    assert who(routes(router, "acknowledged", DAY + 10**9)) == {"alice"}


def test_repeats_and_escalations_stop_when_the_policy_says() -> None:
    policies = {"critical": {"channels": ["email"], "then": ["next"], "stop_after_min": 60}}
    router = Router(lab(policies=policies), PARIS, CHANNELS)
    routes(router, "raised", NIGHT)
    late = NIGHT + 61 * 60 * 10**9
    assert who(routes(router, "renotify", late, raised=NIGHT)) == set()
    assert who(routes(router, "escalated", late, level=2, raised=NIGHT)) == set()


def test_who_was_told_comes_back_from_the_journal_after_a_restart() -> None:
    router = Router(lab(), PARIS, CHANNELS)
    router.remember(["band:Z1"], "carla")
    assert who(routes(router, "acknowledged", DAY)) == {"carla"}


def test_a_test_message_goes_to_everyone_on_call_or_one_person_on_one_channel() -> None:
    router = Router(lab(), PARIS, CHANNELS)
    note = Notification(DAY, "test", (), Priority.LOW, "test")
    every = set(router.route(message_of(note, PLACE)))
    assert who(every) == {"alice"}
    assert {r.channel for r in every} == set(CHANNELS)
    one = router.route(message_of(note, PLACE), only="webhook", to="bob")
    assert [(r.channel, r.to.id if r.to else None) for r in one] == [("webhook", "bob")]


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"lists": {"day": ["zoe"]}}, "lists.day: unknown person 'zoe'"),
        ({"on_call": [{"start": "18:00", "end": "08:00", "list": "nope"}]},
         "on_call[0].list: unknown list 'nope'"),
        ({"policies": {"high": {"channels": ["email"], "then": ["nope"]}}},
         "policies.high.then: unknown list 'nope'"),
        ({"default_list": "nope"}, "default_list: unknown list 'nope'"),
    ],
)  # fmt: skip
def test_a_name_that_does_not_resolve_is_refused_with_its_path(
    extra: dict[str, Any], problem: str
) -> None:
    people = {"alice": {"name": "Alice"}}
    with pytest.raises(ValueError, match="unknown") as info:
        NotifySettings.model_validate({"people": people, **extra})
    assert problem in str(info.value)


def test_a_flood_is_one_message_per_person_for_all_its_alarms() -> None:
    router = Router(lab(), PARIS, CHANNELS)
    keys = tuple(f"stale:P{i}" for i in range(12))
    note = Notification(NIGHT, "flood", keys, Priority.CRITICAL, "12 alarms", 0)
    found = router.route(message_of(note, PLACE))
    assert [(r.channel, r.to.id) for r in found if r.to] == [("email", "bob"), ("webhook", "bob")]
    assert who(set(router.route(message_of(
        Notification(NIGHT + 1, "cleared", ("stale:P3",), Priority.CRITICAL, "m"), PLACE
    )))) == {"bob"}  # fmt: skip
