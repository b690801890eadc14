import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from monitor.journal import Record, Unreadable
from monitor.journal.canonical import canonical_bytes
from monitor.journal.rowcodec import LOST_STREAM, RowCodec
from monitor.journal.schema import SCHEMA

names = st.one_of(
    st.sampled_from(["probe", "value", "quality", "raw", "detail"]),
    st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True),
)
values = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(lambda x: x + 0.0),
    st.integers(-(2**63), 2**63 - 1),
    st.booleans(),
    st.text(max_size=12).filter(lambda s: "\x00" not in s),
)


def codec() -> tuple[sqlite3.Connection, RowCodec]:
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    return db, RowCodec(db)


@given(fields=st.dictionaries(names, values, max_size=8), kind=st.sampled_from(["reading", "x"]))
def test_any_record_reads_back_with_the_same_canonical_bytes(
    fields: dict[str, object], kind: str
) -> None:
    db, rows = codec()
    stream_id = rows.streams.id_of("device")
    row = rows.encode(stream_id, 1, 2, kind, fields, b"h" * 32)  # type: ignore[arg-type]
    rows.streams.insert_pending(db)
    rows.symbols.insert_pending(db)
    db.execute(
        "INSERT INTO records (stream, seq, ts, kind, probe, value, quality, raw, extra, "
        "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row,
    )
    stored = db.execute("SELECT * FROM records").fetchone()
    record = RowCodec(db).decode(stored)
    assert isinstance(record, Record)
    assert record.fields == fields
    assert {k: type(v) for k, v in record.fields.items()} == {k: type(v) for k, v in fields.items()}
    expected = canonical_bytes("device", 1, 2, kind, fields)  # type: ignore[arg-type]
    assert canonical_bytes("device", 1, 2, record.kind, record.fields) == expected


def test_rows_that_cannot_be_read_say_why() -> None:
    _db, rows = codec()
    base = (7, 1, 1, 5, 1, None, None, None, None, None, b"h" * 32)
    stream_id = rows.streams.id_of("device")
    cases = {
        "its stream or seq cannot be read": (7, 99, *base[2:]),
        "its kind or time stamp": (7, stream_id, 1, 5, 999, *base[5:]),
        "its extra fields": (7, stream_id, 1, 5, 1, None, None, None, None, "[1]", b"h"),
        "its probe cannot be read": (7, stream_id, 1, 5, 1, 999, None, None, None, None, b"h"),
        "stored twice": (7, stream_id, 1, 5, 1, None, 1.0, None, None, '{"value":2}', b"h"),
        "its hash is not a byte string": (7, stream_id, 1, 5, 1, None, None, None, None, None, 3),
    }
    for reason, row in cases.items():
        entry = rows.decode(row)
        assert isinstance(entry, Unreadable), reason
        assert reason in entry.reason
        assert entry.where == "row 7"
    lost = rows.decode((7, 99, 1, 5, 1, None, 2.0, None, None, None, b"h"), lost_stream=True)
    assert isinstance(lost, Record)
    assert lost.stream == LOST_STREAM
    assert lost.fields == {"value": 2.0}


def test_a_reading_s_tag_read_again_is_a_fresh_copy_in_the_same_order() -> None:
    _, rows = codec()
    stream_id = rows.streams.id_of("enclosure:F1:2026-11-30")
    fields = {"probe": "F1-air", "quality": "ok", "value": 3.5, "equipment": "F1"}
    row = (7, *rows.encode(stream_id, 1, 5, "reading", fields, b"h" * 32))  # type: ignore[arg-type]
    first = rows.decode(row)
    assert isinstance(first, Record)
    first.fields["equipment"] = "changed by a caller"
    again, checked = rows.decode(row), rows._decode_checked(row, False)
    assert isinstance(again, Record)
    assert isinstance(checked, Record)
    assert list(again.fields.items()) == list(checked.fields.items())
    assert again.fields["equipment"] == "F1"
