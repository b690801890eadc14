"""Who is told of an alarm, when and how: people, contact lists, on-call shifts, policies.

docs/RULES.md, Notifications. A policy per priority names the channels, the list told at
once (``on-call``: the list of the on-call shift of that moment), the lists told next, one
per escalation, how long an alarm waits unacknowledged before each escalation, how often it
is repeated, and when the repeats stop. The defaults are the rules': the most urgent
priorities to the on-call list by e-mail and buzzer at once, the next list after 15 min,
repeated every 30 min until acknowledged; lower priorities by e-mail in working hours.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from config.base import Flag, Identifier, Number, Strict
from config.notify_channels import (
    ChannelName,
    CommandSettings,
    HeartbeatSettings,
    KeepAliveSettings,
    RelaySettings,
    SmtpSettings,
    WebhookSettings,
)

ON_CALL = "on-call"
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PriorityName = Literal["critical", "high", "medium", "low"]
ClockTime = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class Person(Strict):
    """Someone who may be told: an e-mail for e-mail, a phone for the SMS and voice channels."""

    name: str = Field(min_length=1, max_length=100)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ()\-]{3,20}$")


class Shift(Strict):
    """An on-call shift: on these days, from ``start`` to ``end`` (past midnight if earlier)."""

    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1)
    start: str = ClockTime
    end: str = ClockTime
    list: Identifier


class WorkingHours(Strict):
    """When the lab is staffed: lower priorities wait for it."""

    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]), min_length=1)
    start: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    end: str = Field(default="18:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class Policy(Strict):
    """What a priority's alarms do to people."""

    channels: list[ChannelName] = Field(min_length=1)
    first: str = ON_CALL
    # One list per escalation; the last one stays for any later escalation.
    then: list[str] = Field(default_factory=list)
    # None: the site's ``[alarms]`` escalate_after_min and renotify_min (15 and 30 min).
    escalate_after_min: Number | None = Field(default=None, gt=0)
    repeat_min: Number | None = Field(default=None, gt=0)
    # Repeats stop this long after the alarm was raised; none: until acknowledged.
    stop_after_min: Number | None = Field(default=None, gt=0)
    working_hours_only: Flag = False
    tell_cleared: Flag = True
    tell_acknowledged: Flag = True


def _default_policies() -> dict[PriorityName, Policy]:
    urgent = Policy(channels=["email", "relay", "webhook", "command", "mqtt"], then=["next"])
    calm = Policy(channels=["email", "mqtt"], working_hours_only=True, tell_cleared=False)
    return {"critical": urgent, "high": urgent, "medium": calm, "low": calm}


class NotifySettings(Strict):
    """The ``[notify]`` table: the people, the lists, the shifts, the policies, the channels."""

    people: dict[Identifier, Person] = Field(default_factory=dict)
    lists: dict[Identifier, list[Identifier]] = Field(default_factory=dict)
    on_call: list[Shift] = Field(default_factory=list)
    # Told when no shift covers the moment (and for ``on-call`` with no shifts at all).
    default_list: str = ""
    working_hours: WorkingHours = WorkingHours()
    policies: dict[PriorityName, Policy] = Field(default_factory=_default_policies)
    # Where a message's link points: the web application's address as people reach it.
    base_url: str = Field(default="", pattern=r"^(https?://\S+)?$")
    # Consecutive failed attempts before a channel raises its own alarm (notify:<channel>).
    failures_before_alarm: int = Field(default=3, ge=1, le=100)
    # A failed delivery is tried again after this, doubling up to the most, for ``attempts``.
    retry_first_s: Number = Field(default=5.0, gt=0, le=3600)
    retry_most_s: Number = Field(default=300.0, gt=0, le=3600)
    attempts: int = Field(default=20, ge=1, le=1000)
    email: SmtpSettings | None = None
    webhook: WebhookSettings | None = None
    command: CommandSettings | None = None
    relay: RelaySettings | None = None
    heartbeat: HeartbeatSettings | None = None
    keepalive: KeepAliveSettings | None = None

    @model_validator(mode="after")
    def _names_resolve(self) -> NotifySettings:
        problems: list[str] = []
        for name, members in self.lists.items():
            problems += [f"lists.{name}: unknown person {m!r}" for m in members
                         if m not in self.people]  # fmt: skip
        known = set(self.lists) | {ON_CALL}
        for i, shift in enumerate(self.on_call):
            if shift.list not in self.lists:
                problems.append(f"on_call[{i}].list: unknown list {shift.list!r}")
        if self.default_list and self.default_list not in self.lists:
            problems.append(f"default_list: unknown list {self.default_list!r}")
        # The default policies name the lists ``on-call`` and ``next``: a site without them
        # simply has nobody there yet. Policies the site wrote must name lists it defined.
        written = self.policies.items() if "policies" in self.model_fields_set else []
        for priority, policy in written:
            for where, name in [("first", policy.first)] + [("then", n) for n in policy.then]:
                if name not in known:
                    problems.append(f"policies.{priority}.{where}: unknown list {name!r}")
        if self.keepalive and self.keepalive.to and self.keepalive.to not in known:
            problems.append(f"keepalive.to: unknown list {self.keepalive.to!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def configured(self) -> set[ChannelName]:
        """The channels whose table is present (MQTT is the broker's, set elsewhere)."""
        tables: dict[ChannelName, object] = {
            "email": self.email, "webhook": self.webhook, "command": self.command,
            "relay": self.relay,
        }  # fmt: skip
        return {name for name, table in tables.items() if table is not None}
