"""Alarms about the journal itself are a supervisor's to acknowledge, by their key's prefix."""

from __future__ import annotations

import pytest

from monitor.alarms import Alarm, Priority
from monitor.alarms.model import supervisor_acknowledges
from monitor.users import Permission, Role
from monitor.users.roles import allowed


@pytest.mark.parametrize(
    ("key", "supervised"),
    [
        ("journal:integrity", True),
        ("journal:disk", True),
        ("band:F1", False),
        ("stale:journal-probe", False),
        ("unclean_restart:device", False),
    ],
)
def test_the_key_prefix_says_who_may_acknowledge(key: str, supervised: bool) -> None:
    assert supervisor_acknowledges(key) is supervised
    assert Alarm(key, "journal", Priority.HIGH, "damage").supervisor_only is supervised


def test_only_a_supervisor_holds_the_permission() -> None:
    assert allowed(Role.SUPERVISOR, Permission.ACKNOWLEDGE_INTEGRITY)
    assert not allowed(Role.TECHNICIAN, Permission.ACKNOWLEDGE_INTEGRITY)
    assert not allowed(Role.INSPECTOR, Permission.ACKNOWLEDGE_INTEGRITY)
    assert allowed(Role.TECHNICIAN, Permission.ACKNOWLEDGE)
