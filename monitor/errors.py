"""Errors the service raises on requests, by what went wrong rather than where."""

from __future__ import annotations


class LactamonError(Exception):
    """Base of the errors a person can act on; the message says what and why."""


class NotFound(LactamonError):
    """The named thing (alarm, lot, pasteuriser, cycle) does not exist."""


class Refused(LactamonError):
    """A rule forbids it now: the program does not fit the lots, the clock is not synced …"""
