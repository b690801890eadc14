"""The alarm manager's policy from the settings: flood, repeats, escalation, shelving.

``[alarms]`` gives the site's delays; a notification policy of ``[notify.policies]`` that
names its own escalation delay or repeat gives its priority its own (docs/RULES.md, Alarms
A5 and Notifications N1).
"""

from __future__ import annotations

from config import Settings
from monitor.alarms import AlarmPolicy
from monitor.notify.routing import PRIORITY_NAMES


def alarm_policy(settings: Settings) -> AlarmPolicy:
    a = settings.alarms
    by_priority = {}
    for priority, name in PRIORITY_NAMES.items():
        policy = settings.notify.policies.get(name)
        if policy is not None:
            escalate = policy.escalate_after_min or a.escalate_after_min
            repeat = policy.repeat_min or a.renotify_min
            by_priority[priority] = (escalate * 60.0, repeat * 60.0)
    return AlarmPolicy(
        flood_count=a.flood_count,
        flood_window_s=a.flood_window_min * 60,
        renotify_s=a.renotify_min * 60,
        escalate_after_s=a.escalate_after_min * 60,
        max_shelve_s=a.max_shelve_min * 60,
        by_priority=by_priority,
    )
