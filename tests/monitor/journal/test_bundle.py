import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.journal import BundleError, Record, Unreadable
from monitor.journal.bundle import (
    BundleHeader,
    parse_record_line,
    read_bundle,
    record_line,
    write_bundle,
)
from monitor.journal.canonical import record_canonical

HEADER = BundleHeader("L2026-001", {"abcd": "a2V5"}, "abcd", {"device": (1, "00")}, 5)
values = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(lambda x: x + 0.0),
    st.integers(-(2**63), 2**63 - 1),
    st.booleans(),
    st.text(max_size=10).filter(lambda s: "\x00" not in s),
)


@given(
    fields=st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True), values),
    ts=st.integers(0, 2**63 - 1),
    prev=st.one_of(st.none(), st.binary(min_size=32, max_size=32)),
)
def test_a_record_line_reads_back_as_the_same_record(
    fields: dict[str, object], ts: int, prev: bytes | None
) -> None:
    record = Record("cycle:P1:x", 3, ts, "reading", fields, bytes(range(32)), prev)  # type: ignore[arg-type]
    line = record_line(record)
    assert json.loads(line)["ts"] == str(ts)
    again = parse_record_line(line, 2)
    assert again == record
    assert isinstance(again, Record)
    assert record_canonical(again) == record_canonical(record)


def test_a_bundle_is_written_once_and_read_back(tmp_path: Path) -> None:
    record = Record("device", 1, 5, "note", {"text": "é"}, b"\x01" * 32, b"\x02" * 32)
    out = tmp_path / "b.jsonl"
    assert write_bundle(out, HEADER, iter([[record]])) == 1
    header, entries = read_bundle(out)
    assert header == HEADER
    assert entries == [record]
    with pytest.raises(BundleError, match="never overwritten"):
        write_bundle(out, HEADER, iter([]))
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            '{"stream":"s","seq":1,"ts":"1","kind":"k","fields":{"x":["f","1.50"]},'
            '"prev_hash":null,"hash":"00"}',
            "not in canonical form",
        ),
        (
            '{"stream":"s","seq":1,"ts":"1","kind":"k","fields":{"x":["f","nan"]},'
            '"prev_hash":null,"hash":"00"}',
            "not a finite number",
        ),
        (
            '{"stream":"s","seq":1,"ts":"1","kind":"k","fields":{"x":["q","1"]},'
            '"prev_hash":null,"hash":"00"}',
            "unknown type",
        ),
        (
            '{"stream":"s","seq":1,"ts":1,"kind":"k","fields":{},"prev_hash":null,"hash":"00"}',
            "ts or kind",
        ),
        (
            '{"stream":"s","seq":1,"ts":"1","kind":"k","fields":{},"prev_hash":"zz","hash":"00"}',
            "prev_hash",
        ),
        (
            '{"stream":"s","seq":1,"ts":"1","kind":"k","fields":{},"prev_hash":null,"hash":"00",'
            '"extra":1}',
            "keys a record does not have",
        ),
        ('{"stream":"s","seq":"1","hash":"00"}', "stream, seq or hash"),
        ("[1]", "not a JSON object"),
    ],
)
def test_lines_that_are_not_records_say_why(line: str, reason: str, tmp_path: Path) -> None:
    out = tmp_path / "b.jsonl"
    write_bundle(out, HEADER, iter([]))
    out.write_text(out.read_text() + line + "\n")
    [entry] = read_bundle(out)[1]
    assert isinstance(entry, Unreadable)
    assert reason in entry.reason
    assert entry.where == "line 2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ('{"format":"other"}\n', "not a lactamon bundle"),
        ('{"format":"lactamon-bundle","version":9}\n', "version 9"),
        ('{"format":"lactamon-bundle","version":1}\n', "header cannot be read"),
        ("not json\n", "header cannot be read"),
    ],
)
def test_files_that_are_not_bundles_are_refused(text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_text(text)
    with pytest.raises(BundleError, match=message):
        read_bundle(path)
