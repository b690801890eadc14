"""The settings a run applies are a signed record: their hash, and what changed since the last.

Annex 11 asks that a change of the configuration be traceable like any other change. At each
start the daemon flattens its settings (secrets masked as pydantic masks them) to
``path = value`` lines, hashes them, and compares with the last ``settings_applied`` record
of the ``device`` stream: when they differ (or on a first start) a new record gives the hash,
how many settings there are, and a readable diff (``band.high: 4.0 → 5.0``), so an inspector
sees that the fridge's band was widened, when, and on which unit.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from config import Settings
from monitor.journal import DEVICE_STREAM, Journal, JournalReader, Record
from monitor.journal.record import MAX_STRING_BYTES

SETTINGS_APPLIED = "settings_applied"


def flatten(settings: Settings) -> dict[str, str]:
    """Every setting as ``path → value text`` (JSON), sorted; secrets are masked."""
    out: dict[str, str] = {}
    _walk("", settings.model_dump(mode="json"), out)
    return dict(sorted(out.items()))


def _walk(path: str, value: Any, out: dict[str, str]) -> None:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _walk(f"{path}.{key}" if path else str(key), item, out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for n, item in enumerate(value):
            _walk(f"{path}[{n}]", item, out)
    else:
        out[path] = json.dumps(value, sort_keys=True, ensure_ascii=False)


def settings_hash(flat: dict[str, str]) -> str:
    text = "\n".join(f"{k} = {v}" for k, v in flat.items())
    return hashlib.sha256(text.encode()).hexdigest()


def diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What changed, one line per setting: added, removed or changed."""
    lines = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is None:
            lines.append(f"{key}: set to {new}")
        elif new is None:
            lines.append(f"{key}: removed (was {old})")
        else:
            lines.append(f"{key}: {old} → {new}")
    return lines


def record_settings(journal: Journal, settings: Settings, ts: int) -> Record | None:
    """A ``settings_applied`` record unless the journal's last one holds the same settings."""
    flat = flatten(settings)
    digest = settings_hash(flat)
    journal.flush()
    with JournalReader(journal.path) as reader:
        last = reader.last_of_kind(DEVICE_STREAM, SETTINGS_APPLIED)
    previous: dict[str, str] = {}
    if last is not None:
        if last[1].fields.get("settings_hash") == digest:
            return None
        snapshot = last[1].fields.get("settings")
        if isinstance(snapshot, str):
            previous = dict(json.loads(snapshot))
    changes = diff(previous, flat) if last is not None else ["first start with these settings"]
    text = json.dumps(flat, ensure_ascii=False, separators=(",", ":"))
    fields: dict[str, str | int] = {
        "settings_hash": digest,
        "count": len(flat),
        "changes": _fit("\n".join(changes)),
        "settings": text if len(text.encode()) <= MAX_STRING_BYTES else "",
    }
    return journal.append_event(DEVICE_STREAM, SETTINGS_APPLIED, fields, ts=ts)


def _fit(text: str) -> str:
    data = text.encode()
    if len(data) <= MAX_STRING_BYTES:
        return text
    return data[: MAX_STRING_BYTES - 64].decode(errors="ignore") + "\n… (more changes)"
