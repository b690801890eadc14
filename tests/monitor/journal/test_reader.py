import sqlite3
from pathlib import Path

from monitor.journal import Journal, JournalReader, SessionState
from monitor.journal.canonical import genesis_hash
from monitor.reading import Quality, Reading
from tests.monitor.journal.samples import T0, StepClock, device_key

KEY = device_key()
STREAM = "enclosure:F1:2026-11-26"


def fill(journal: Journal, count: int) -> None:
    for i in range(count):
        journal.append_reading(STREAM, Reading("F1-air", T0 + i, 3.0 + i, Quality.OK))
    journal.flush()


def test_a_reader_sees_what_the_writer_committed_while_it_writes(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path, KEY, StepClock()) as journal:
        fill(journal, 3)
        with JournalReader(path) as reader:
            assert [r.seq for r in reader.stream_records(STREAM)] == [1, 2, 3]
            assert reader.session().state is SessionState.UNCLEAN  # still running
            assert reader.stream_head(STREAM) == journal.head(STREAM)
            fill(journal, 2)
            with reader.snapshot():
                assert len(reader.stream_records(STREAM)) == 5
    with JournalReader(path) as reader:
        assert reader.session().state is SessionState.CLEAN
        assert list(reader.device_keys()) == [KEY.key_id]
        records = reader.stream_records(STREAM)
        assert reader.stream_span(STREAM) == (T0, records[-1].ts)
        assert reader.stream_span("nope") is None
        assert reader.stream_head("nope") is None
        assert reader.stream_names() == ["device", STREAM]


def test_prev_hash_links_each_record_to_the_one_stored_before_it(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path, KEY, StepClock()) as journal:
        fill(journal, 4)
    with sqlite3.connect(path) as db:
        db.execute("DROP TRIGGER records_no_delete")
        db.execute(
            "DELETE FROM records WHERE seq = 2 AND stream = "
            "(SELECT id FROM streams WHERE name = ?)",
            (STREAM,),
        )
    with JournalReader(path) as reader:
        records = reader.stream_records(STREAM)
        assert reader.row_gaps() == [(3, 3)]
    assert [r.seq for r in records] == [1, 3, 4, 5]
    assert records[0].prev_hash == genesis_hash(STREAM)
    assert records[1].prev_hash is None  # its predecessor is gone
    assert records[2].prev_hash == records[1].hash


def test_the_outbox_pages_through_records_by_row_id(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path, KEY, StepClock()) as journal:
        fill(journal, 5)
    with JournalReader(path) as reader:
        first = reader.records_after(0, limit=3)
        rest = reader.records_after(first[-1][0], limit=100)
    ids = [i for i, _ in first + rest]
    assert ids == list(range(1, len(ids) + 1))
    assert [r.seq for _, r in first] == [1, 1, 2]  # device#1, then the enclosure


def test_a_scan_says_how_far_it_looked_even_past_other_kinds(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path, KEY, StepClock()) as journal:
        fill(journal, 4)
        journal.checkpoint(STREAM)
        fill(journal, 3)
        journal.flush()
        with JournalReader(path) as reader:
            top = reader.last_row_id()
            heads, up_to = reader.scan_after(0, 10, {"checkpoint", "seal"})
            assert [(r.stream, r.seq) for _, r in heads] == [(STREAM, 5)]
            assert up_to == top  # the rows after the checkpoint were looked at too
            assert reader.scan_after(0, 10, {"no_such_kind"}) == ([], top)
            page, up_to = reader.scan_after(0, 2)
            assert up_to == page[-1][0] == 2
            assert reader.rows_after(up_to) == (top - 2, T0 + 1)  # device#1 came first
            assert reader.rows_after(top) == (0, None)


def test_records_of_a_kind_in_streams_of_a_prefix(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path, KEY, StepClock()) as journal:
        journal.append_event("cycle:P1:a", "cycle_started", {"lots": "L1"})
        journal.append_event("cycle:P2:b", "cycle_started", {"lots": "L2"})
        journal.append_event("lot:L1", "cycle_started", {"lots": "not a cycle stream"})
    with JournalReader(path) as reader:
        found = reader.records_of_kind("cycle_started", "cycle:")
        assert [r.fields["lots"] for r in found] == ["L1", "L2"]
        assert reader.records_of_kind("cycle_linked", "lot:") == []
