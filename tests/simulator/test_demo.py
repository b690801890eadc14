"""``lactamon demo`` end to end: both cycles judged, the journal verified, and the alarm list
showing only what the day's script caused; the passing cycle raises none."""

from __future__ import annotations

from pathlib import Path

from monitor.journal import JournalReader
from simulator.demo import run_demo


async def test_the_demo_day_alarms_only_what_its_script_causes(tmp_path: Path) -> None:
    said: list[str] = []
    assert await run_demo(tmp_path, 200.0, said.append), "\n".join(said)
    with JournalReader(tmp_path / "journal.sqlite") as reader:
        raised = {
            str(r.fields["alarm"])
            for r in reader.stream_records("alarms")
            if r.kind == "alarm_raised"
        }
        cycles = sorted(n for n in reader.stream_names() if n.startswith("cycle:"))
    assert len(cycles) == 2
    passing, failing = cycles
    assert any(line.endswith("PASS (hold proven, cooled in time)") for line in said), said
    # The heater failure, the fridge door left ajar, the freezer probe that goes silent.
    assert raised == {
        f"cycle_failed:{failing}",
        f"hold_interrupted:{failing}",
        "band:F1",
        "stale:Z1-air",
    }
    assert not any(passing in key for key in raised)
    assert "journal verification: OK" in said
