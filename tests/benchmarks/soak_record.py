"""What a long run of the daemon leaves, read back for the soak benchmark.

``Found`` is the journal once the run is over: its verification, the rows of each stream,
the alarm and device records and each alarm's final state. ``influx_counts`` is what
InfluxDB holds of each stream; ``cpu_s`` and ``vm_rss_kb`` read a process's CPU time and
resident set from ``/proc``.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from monitor.journal import JournalReader, Record, VerificationReport, verify_journal
from monitor.journal.streams import ALARM_STREAM
from tests.fixtures.influxdb import InfluxServer
from tests.monitor.service import kill_runs as runs


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError(f"no VmRSS for {pid}")


@dataclass
class Found:
    """What the journal holds once the run is over (read before its disk goes)."""

    report: VerificationReport
    per_stream: dict[str, int]
    alarms: list[Record]
    device: list[Record]
    final: dict[str, tuple[str, bool]]
    size_mb: float

    @classmethod
    def read(cls, journal: Path, public_key: str) -> Found:
        report = verify_journal(journal, public_key)
        with JournalReader(journal) as reader:
            per_stream = {s: len(reader.stream_records(s)) for s in reader.stream_names()}
            alarms, device = reader.stream_records(ALARM_STREAM), reader.stream_records("device")
        final = runs.final_alarms(journal)
        return cls(report, per_stream, alarms, device, final, journal.stat().st_size / 2**20)

    def raised(self) -> list[tuple[str, int]]:
        return [(str(r.fields["alarm"]), r.ts) for r in self.alarms
                if r.kind.startswith("alarm_") and r.fields["action"] == "raised"]  # fmt: skip


def influx_counts(influx: InfluxServer, database: str) -> tuple[dict[str, int], dict[str, int]]:
    """Points per stream, and distinct seqs per stream (summed over the measurements)."""
    found: list[Counter[str]] = []
    for select in ('count("seq")', 'count(distinct("seq"))'):
        counts: Counter[str] = Counter()
        query = f'SELECT {select} FROM /lactamon_.*/ GROUP BY "stream"'
        for series in influx.query(query, database)[0].get("series", []):
            counts[series["tags"]["stream"]] += sum(int(v[1]) for v in series["values"])
        found.append(counts)
    return dict(found[0]), dict(found[1])
