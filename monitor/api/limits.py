"""What the API lets one client take: time on a connection, and room in the daemon's log.

These are not site settings: they guard the daemon against a client that is slow, stuck or
hostile, and no site is better served by other values. Tests pass shorter ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """Timeouts of a connection and the rate at which malformed requests are logged.

    ``idle_s`` runs from the connection (or the end of the last answer) to a complete
    request head: an idle keep-alive connection and a head sent a byte at a time are both
    closed when it expires. ``body_s`` then runs from the head to the end of the body.
    """

    idle_s: float = 10.0
    body_s: float = 10.0
    log_lines: int = 10
    log_window_s: float = 60.0
