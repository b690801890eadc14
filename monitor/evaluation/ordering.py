"""The order rule: each probe's readings must come newer and newer, or they are rejected.

Readings of different probes may arrive slightly out of order (two pollers stamp their own
readings, then queue them), so order is kept per probe, never across probes: a reading is
accepted when it is newer than the last accepted reading of the same probe. An older or
duplicate one is not evidence: it is ignored, and the machine says so with a
``ReadingRejected`` event stamped at the machine's own clock. Time itself never goes back: a
tick older than the machine's clock changes nothing.
"""

from __future__ import annotations

from monitor.evaluation.events import ReadingRejected
from monitor.reading import Reading


def reject_out_of_order(
    seen_ts: dict[str, int],
    reading: Reading,
    subject: str,
    now_ts: int,
    floor_ts: int | None = None,
) -> ReadingRejected | None:
    """Record ``reading`` as the last of its probe, or return why it is rejected.

    ``seen_ts`` maps each probe to the stamp of its last accepted reading; ``floor_ts`` is the
    earliest stamp the machine accepts at all (a cycle's start).
    """
    probe_id = reading.probe_id
    ts = reading.ts
    last = seen_ts.get(probe_id)
    if last is not None and ts <= last:
        why = "duplicate of the last reading" if ts == last else "older than the last reading"
        return ReadingRejected(max(now_ts, last), subject, probe_id, ts, last, why)
    if floor_ts is not None and ts < floor_ts:
        return ReadingRejected(now_ts, subject, probe_id, ts, last, "before the start")
    seen_ts[probe_id] = ts
    return None
