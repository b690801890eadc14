"""Time only goes forward in a stream: a stamp earlier than the one before it is a finding.

Records of a stream are appended in order, so their stamps never go back, unless the wall
clock did. The daemon detects a step of the wall clock (against the monotonic clock) and
records it in the ``device`` stream as ``clock_step``, with the wall time before and after
(docs/RULES.md, Records: time stamps are UTC from a synchronised clock). A stamp going back
within the window of such a step is reported as a warning that names the step; one that no
step explains is an error: records were reordered, or a forgery was stamped by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

from monitor.journal.chain import Item, SlotStatus, StreamWalk
from monitor.journal.record import Record
from monitor.journal.signing import JOURNAL_KINDS
from monitor.journal.verification import Finding, FindingKind

CLOCK_STEP = "clock_step"
# Readings wait a moment in the daemon's queue while a tick stamps an event of the same
# stream: stamps a little out of order are the pipeline's, not the clock's.
SLACK_NS = 60_000_000_000
# Records stamped by the stepped clock before the step was noticed (at most a tick later).
_NOTICE_NS = 5_000_000_000
ClockSteps = list[tuple[int, int, int]]  # (seq of the clock_step record, wall before, after)


def clock_steps(device_items: Iterable[Item]) -> ClockSteps:
    """The backward steps the ``device`` stream records."""
    steps: ClockSteps = []
    for item in device_items:
        entry = item.entry
        if isinstance(entry, Record) and entry.kind == CLOCK_STEP:
            before, after = entry.fields.get("wall_before_ns"), entry.fields.get("wall_after_ns")
            if isinstance(before, int) and isinstance(after, int) and after < before:
                steps.append((entry.seq, before, after))
    return steps


def time_findings(walk: StreamWalk, steps: ClockSteps) -> list[Finding]:
    """A finding for each stamp of ``walk`` earlier than the stamp before it."""
    placed = sorted(
        (
            s
            for s in walk.slots
            if s.status is SlotStatus.INTACT
            and isinstance(s.item.entry, Record)
            and s.item.entry.kind not in JOURNAL_KINDS  # stamped when written, not when seen
        ),
        key=lambda s: s.seq,
    )
    findings = []
    for earlier, later in pairwise(placed):
        a, b = earlier.item.entry, later.item.entry
        if not isinstance(a, Record) or not isinstance(b, Record) or b.ts >= a.ts - SLACK_NS:
            continue
        back_s = (a.ts - b.ts) / 1e9
        step = next(
            (seq for seq, before, after in steps if a.ts <= before + _NOTICE_NS
             and b.ts >= after - _NOTICE_NS),
            None,
        )  # fmt: skip
        if step is not None:
            findings.append(Finding(FindingKind.CLOCK_STEP, walk.stream, later.seq,
                                    f"stamped {back_s:.1f} s before #{earlier.seq}: the wall "
                                    f"clock stepped back (device#{step})"))  # fmt: skip
        else:
            findings.append(Finding(FindingKind.TIME_BACKWARDS, walk.stream, later.seq,
                                    f"stamped {back_s:.1f} s before #{earlier.seq}, and no "
                                    "recorded clock step explains it"))  # fmt: skip
    return findings
