"""Server-side sessions: a random id in a cookie, everything else kept in the daemon.

A session ends when its user signs out, when it has seen no request for the idle timeout
(``web.session_idle_min``, Annex 11: an unattended screen must not stay signed in), or when
the daemon stops. The browser holds only the id: the role and the CSRF token never leave
the server, so a cookie cannot be edited into another role.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from monitor.users import Role, User

Monotonic = Callable[[], float]
# Bounds the memory a flood of sign-ins can take; the oldest session goes first.
MAX_SESSIONS = 500


@dataclass(slots=True)
class Session:
    """One signed-in browser."""

    id: str
    username: str
    printed_name: str
    role: Role
    csrf: str
    last_seen: float
    flash: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) shown once


class SessionStore:
    """Sessions by id; ``idle_s`` without a request ends one."""

    def __init__(self, idle_s: float, monotonic: Monotonic = time.monotonic) -> None:
        self.idle_s = idle_s
        self.monotonic = monotonic
        self._sessions: dict[str, Session] = {}

    def open(self, user: User) -> Session:
        self._expire()
        while len(self._sessions) >= MAX_SESSIONS:
            oldest = min(self._sessions.values(), key=lambda s: s.last_seen)
            del self._sessions[oldest.id]
        session = Session(
            id=secrets.token_urlsafe(32),
            username=user.username,
            printed_name=user.printed_name,
            role=user.role,
            csrf=secrets.token_urlsafe(32),
            last_seen=self.monotonic(),
        )
        self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session of ``session_id``, its idle timer restarted; None if it ended."""
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None:
            return None
        if not self.alive(session_id):
            return None
        session.last_seen = self.monotonic()
        return session

    def alive(self, session_id: str) -> bool:
        """Whether the session is still open, its idle timer left as it is (a live feed is
        not a person at the screen). A kiosk never idles out: it can do nothing but look."""
        session = self._sessions.get(session_id)
        if session is None:
            return False
        if session.role is not Role.KIOSK and self.monotonic() - session.last_seen > self.idle_s:
            del self._sessions[session_id]
            return False
        return True

    def close(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)

    def close_user(self, username: str) -> None:
        """End every session of ``username`` (disabled, or given another role)."""
        for sid in [s.id for s in self._sessions.values() if s.username == username]:
            del self._sessions[sid]

    def _expire(self) -> None:
        for sid in list(self._sessions):
            self.alive(sid)
