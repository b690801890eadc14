"""The child that reads a cycle's stream for its page: ``python -m monitor.web.cycle_view_child
<journal> <cycle>``.

It reads the journal itself, read-only, and prints the cycle's view (``view_format``): the
stream's head as it read it with the events (every record but the readings), then the curve
(``curve_json``). Exit 0 with both printed; 1 with the reason as the last line of standard
error. It imports the reader, the row decoder and the curve alone (no writer, no key, no
asyncio): its start is most of what a first view waits for.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from monitor.journal import JournalError, JournalReader, Record
from monitor.journal.readings import READING
from monitor.reports.cycle_curve import build_curve
from monitor.web.curve_json import curve_json
from monitor.web.view_format import encode_view


def main(argv: Sequence[str]) -> int:
    try:
        journal, cycle = argv
        with JournalReader(Path(journal)) as reader, reader.snapshot():
            head = reader.stream_head(cycle)
            if head is None:
                raise ValueError(f"no stream {cycle!r} in the journal")
            # The readings as points from their columns, the rest as records: what the page
            # and the chart show, in a third of the time and a tenth of the memory.
            entries = reader.stream_points(cycle)
    except (JournalError, OSError, ValueError) as exc:
        print(f"cycle_view_child: {exc}", file=sys.stderr)
        return 1
    events = [r for r in entries if isinstance(r, Record) and r.kind != READING]
    curve = json.dumps(curve_json(build_curve(entries))).encode()
    sys.stdout.buffer.write(encode_view(cycle, head, events, curve))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
