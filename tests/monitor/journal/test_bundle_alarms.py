"""A lot bundle carries the slice of the alarms stream around its cycles, and it verifies.

The journal's alarms stream has records long before the cycle, during it and after it, each
stretch closed by a checkpoint. The bundle carries it from the checkpoint before the cycle's
start to the one after its end; verification accepts that start for ``alarms`` only, and
still finds a record altered or cut inside the slice.
"""

from __future__ import annotations

import json
from pathlib import Path

from monitor.journal import (
    FindingKind,
    Journal,
    JournalOptions,
    LotBook,
    Record,
    cycle_stream,
    export_lot_bundle,
    verify_bundle,
)
from monitor.journal.bundle import read_bundle
from monitor.journal.bundle_alarms import alarm_slice, heads_to_compare, slice_start
from monitor.journal.keys import DeviceKey
from monitor.journal.streams import ALARM_STREAM
from monitor.journal.witness import PublishedHead
from tests.monitor.journal.samples import T0, S, StepClock, alice, device_key

LOT = "L2026-001"
CYCLE = cycle_stream("P1", T0 + 3600 * S)
KEY = device_key(3)


def _alarm(journal: Journal, ts: int, key: str, action: str) -> None:
    fields = {"alarm": key, "action": action, "state_from": "normal", "state_to": "active",
              "source": key, "priority": 2, "message": f"{key} {action}"}  # fmt: skip
    journal.append_event(ALARM_STREAM, f"alarm_{action}", fields, ts=ts)


def build(path: Path, key: DeviceKey) -> None:
    """Alarms before the cycle (signed), during it, after it (signed again), and later."""
    clock = StepClock()
    with Journal(path, key, clock, JournalOptions(checkpoint_every_records=1000)) as j:
        for n in range(3):
            _alarm(j, T0 + n * 60 * S, "stale:F1-air", "raised")
        clock.now = T0 + 300 * S
        j.checkpoint(ALARM_STREAM)  # alarms #4, before the cycle
        _alarm(j, T0 + 1800 * S, "stale:F2-air", "raised")
        start = T0 + 3600 * S
        j.append_event(CYCLE, "cycle_started", {"subject": CYCLE, "lots": LOT}, ts=start)
        _alarm(j, start + 600 * S, f"hold_interrupted:{CYCLE}", "raised")
        _alarm(j, start + 900 * S, f"hold_interrupted:{CYCLE}", "acknowledged")
        j.append_event(CYCLE, "cycle_passed", {"subject": CYCLE}, ts=start + 3000 * S)
        clock.now = start + 3000 * S
        j.seal(CYCLE, "cycle pass")
        _alarm(j, start + 3100 * S, "band:F1", "raised")
        clock.now = start + 3200 * S
        j.checkpoint(ALARM_STREAM)  # alarms #9, after the cycle
        _alarm(j, start + 9000 * S, "band:F1", "cleared")
        book = LotBook(j)
        book.create(LOT, ["D1"], alice("created"))
        book.link_cycle(LOT, CYCLE, alice("linked"))


def exported(tmp_path: Path) -> Path:
    journal, bundle = tmp_path / "journal.sqlite", tmp_path / "lot.jsonl"
    build(journal, KEY)
    export = export_lot_bundle(journal, LOT, bundle, key=KEY)
    assert ALARM_STREAM in export.streams
    return bundle


def alarm_seqs(bundle: Path) -> list[int]:
    _, entries = read_bundle(bundle)
    return [e.seq for e in entries if isinstance(e, Record) and e.stream == ALARM_STREAM]


def test_the_bundle_carries_the_alarms_from_the_signature_before_to_the_one_after(
    tmp_path: Path,
) -> None:
    bundle = exported(tmp_path)
    assert alarm_seqs(bundle) == [4, 5, 6, 7, 8, 9]
    report = verify_bundle(bundle, KEY.public)
    assert report.ok, report.format()
    assert report.signer_established
    assert any("alarms stream from #4 to #9" in note for note in report.notes)
    alarms = next(s for s in report.streams if s.stream == ALARM_STREAM)
    assert (alarms.records, alarms.signed_up_to) == (6, 9)


def test_an_acknowledgement_changed_in_the_slice_is_located(tmp_path: Path) -> None:
    bundle = exported(tmp_path)
    lines = bundle.read_text().split("\n")
    for n, line in enumerate(lines):
        if '"alarm_acknowledged"' in line:
            lines[n] = line.replace('acknowledged"]', 'cleared"]')
    bundle.write_text("\n".join(lines))
    report = verify_bundle(bundle, KEY.public)
    assert not report.ok
    assert [(f.kind, f.stream, f.seq) for f in report.errors] == [
        (FindingKind.ALTERED, ALARM_STREAM, 7)
    ]


def test_a_slice_cut_at_its_start_is_missing_records(tmp_path: Path) -> None:
    bundle = exported(tmp_path)
    lines = bundle.read_text().split("\n")
    kept = [line for line in lines if '"stream":"alarms","seq":4,' not in line]
    assert len(kept) == len(lines) - 1
    bundle.write_text("\n".join(kept))
    report = verify_bundle(bundle, KEY.public)
    assert any(f.kind is FindingKind.MISSING and f.stream == ALARM_STREAM for f in report.errors)


def test_only_the_alarms_stream_may_start_at_a_checkpoint(tmp_path: Path) -> None:
    """The cycle's stream cut before a checkpoint of its own is not a slice: it is missing."""
    bundle = exported(tmp_path)
    header = json.loads(bundle.read_text().split("\n")[0])
    assert {s["stream"] for s in header["streams"]} == {f"lot:{LOT}", CYCLE, ALARM_STREAM}
    lines = bundle.read_text().split("\n")
    kept = [line for line in lines if f'"stream":"{CYCLE}","seq":1,' not in line]
    bundle.write_text("\n".join(kept))
    report = verify_bundle(bundle, KEY.public)
    assert any(f.kind is FindingKind.MISSING and f.stream == CYCLE for f in report.errors)


def test_the_slice_is_whole_when_nothing_signed_comes_before_or_after() -> None:
    records = [
        Record(ALARM_STREAM, n, T0 + n * S, "alarm_raised", {}, bytes(32), None)
        for n in range(1, 6)
    ]
    assert alarm_slice(records, T0 + 2 * S, T0 + 4 * S) == records
    assert alarm_slice([], T0, T0) == []
    assert slice_start(records) is None  # starts at #1: whole, no slice to accept


def test_published_heads_of_alarms_outside_the_slice_are_not_compared() -> None:
    inside = PublishedHead(Record(ALARM_STREAM, 6, T0, "checkpoint", {}, bytes(32)), "influx")
    before = PublishedHead(Record(ALARM_STREAM, 2, T0, "checkpoint", {}, bytes(32)), "mqtt")
    other = PublishedHead(Record(CYCLE, 2, T0, "checkpoint", {}, bytes(32)), "mqtt")
    kept, notes = heads_to_compare([inside, before, other], 4, 9)
    assert kept == [inside, other]
    assert len(notes) == 1
    assert "alarms#2 (mqtt) is outside" in notes[0]
