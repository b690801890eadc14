"""A stream head as a message published outside the journal: its topic and its payload.

The payload is the checkpoint or seal in the bundle's record format (README.md, Bundles),
with the ``site`` and ``device`` that wrote it, since several units may share a broker;
``head_from_message`` reads it back, and ``signing.check_signed_record`` checks it alone
with the public key.
"""

from __future__ import annotations

import json
from typing import Any

from monitor.journal.bundle import parse_record_line, record_line
from monitor.journal.record import Record, Unreadable


def head_topic(stream: str) -> str:
    """``heads/<stream>``; the MQTT wildcards and level separator cannot be in a topic level."""
    return "heads/" + stream.replace("/", "_").replace("+", "_").replace("#", "_")


def head_message(record: Record, site: str, device: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(record_line(record))
    return {**data, "site": site, "device": device}


def head_from_message(payload: bytes) -> Record | Unreadable:
    """The checkpoint or seal a head message carries, or why it cannot be read."""
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return Unreadable(None, None, None, "head message", f"not JSON text: {exc}")
    if isinstance(data, dict):
        data.pop("site", None)
        data.pop("device", None)
    return parse_record_line(json.dumps(data), 1)
