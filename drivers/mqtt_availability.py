"""A device's own word that it went away: its last-will topic, read for the probes it carries.

Tasmota publishes ``Offline`` on ``tele/<name>/LWT``, Zigbee2MQTT ``{"state":"offline"}`` (or
plain ``offline`` before 1.30) on ``zigbee2mqtt/bridge/state``, Shelly ``false`` on
``<name>/online``. The broker sends that will itself when the device vanishes, so "offline"
makes every probe of the device unavailable at once, without waiting for its silence.

Only "offline" is acted on. "Online" proves nothing about a temperature: a probe is available
again with its next reading, as after any outage. Retained availability messages count, unlike
retained readings: a last will is retained on purpose and states the device's present state as
the broker knows it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# Availability words are short; a longer payload is quoted only in part in the reason.
_SHOWN_CHARS = 40


@dataclass(frozen=True, slots=True)
class AvailabilityWatch:
    """One probe watching its device's availability ``topic`` for the ``offline`` word."""

    probe_id: str
    topic: str
    offline: str

    def offline_reason(self, payload: bytes) -> str | None:
        """Why the probe is unavailable, if ``payload`` says its device is offline."""
        text = payload.decode("utf-8", errors="replace").strip(" \t\r\n")
        if _state(text).lower() != self.offline.lower():
            return None
        shown = text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"
        return f"device offline ({self.topic}: {shown})"


def _state(text: str) -> str:
    """The state word of an availability payload: plain text, or ``{"state": …}``."""
    if not text.startswith("{"):
        return text
    try:
        document = json.loads(text)
    except ValueError:
        return text
    state = document.get("state") if isinstance(document, dict) else None
    return state.strip() if isinstance(state, str) else text
