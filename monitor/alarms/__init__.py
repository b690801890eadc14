"""Alarms in the ISA-18.2 / IEC 62682 vocabulary: states, acknowledgement, shelving, floods."""

from monitor.alarms.manager import AlarmManager, AlarmPolicy
from monitor.alarms.model import (
    Alarm,
    AlarmError,
    AlarmState,
    AlarmTransition,
    Notification,
    Priority,
    Signature,
    UnknownAlarm,
)

__all__ = [
    "Alarm",
    "AlarmError",
    "AlarmManager",
    "AlarmPolicy",
    "AlarmState",
    "AlarmTransition",
    "Notification",
    "Priority",
    "Signature",
    "UnknownAlarm",
]
