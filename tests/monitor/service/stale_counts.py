"""Stale alarms a journal holds for probes whose devices were still sending: false ones."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path


def false_stale(path: Path, since_ns: int) -> int:
    """Stale alarms raised on a probe heard during the load that was heard again afterwards:
    its sensor was still publishing. (Each probe is rightly stale before the fleet's first
    message and after its last one.)"""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        last_heard = dict(
            db.execute(
                "SELECT p.text, max(r.ts) FROM records r JOIN symbols k ON r.kind = k.id "
                "JOIN symbols p ON r.probe = p.id WHERE k.text = 'reading' GROUP BY p.text"
            ).fetchall()
        )
        raised = db.execute(
            "SELECT r.ts, r.extra FROM records r JOIN symbols k ON r.kind = k.id "
            "WHERE k.text = 'probe_stale_raised'"
        ).fetchall()
    false = 0
    for ts, extra in raised:
        fields = json.loads(extra)
        heard = last_heard.get(fields["subject"], 0)
        if int(fields["last_ts"]) >= since_ns and heard > ts:
            false += 1
    return false
