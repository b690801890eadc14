import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from monitor.journal import (
    BundleError,
    FindingKind,
    JournalNotFoundError,
    KeyFileError,
    Record,
    Unreadable,
    VerificationReport,
    export_lot_bundle,
    keygen,
    load_key_file,
    verify_bundle,
    verify_journal,
)
from monitor.journal.bundle import read_bundle, record_line
from monitor.journal.keys import public_key_b64, public_key_pem
from monitor.journal.rowcodec import SELECT_RECORD, RowCodec
from monitor.journal.streams import lot_stream
from tests.monitor.journal.samples import CYCLE, ENCLOSURE, LOT, build_journal, device_key
from tests.monitor.journal.tamper import (
    Tampered,
    alterations,
    assert_located,
    deletions,
    insertions,
    swaps,
)

KEY = device_key()
K = FindingKind
COLUMN_KINDS = frozenset({K.ALTERED, K.BAD_SIGNATURE, K.BAD_CHECKPOINT, K.MISSING, K.MALFORMED})


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("api") / "journal.sqlite"
    build_journal(path, KEY)
    return path


@pytest.fixture(scope="module")
def bundle(journal: Path) -> Path:
    out = journal.parent / "lot.jsonl"
    export_lot_bundle(journal, LOT, out, key=KEY)
    return out


def _rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(SELECT_RECORD + " FROM records ORDER BY id").fetchall()


@pytest.fixture(scope="module")
def rows(journal: Path) -> list[tuple[object, ...]]:
    return _rows(journal)


@pytest.fixture(scope="module")
def names(journal: Path) -> dict[int, str]:
    with sqlite3.connect(journal) as db:
        return dict(db.execute("SELECT id, name FROM streams"))


class Attacker:
    """A raw connection to a copy of the journal, with the append-only guards removed."""

    def __init__(self, journal: Path) -> None:
        self.dir = Path(tempfile.mkdtemp())
        self.path = self.dir / "journal.sqlite"
        shutil.copy(journal, self.path)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type='trigger'"):
            self.db.execute(f"DROP TRIGGER {name}")
        self.db.execute("DROP INDEX records_by_stream")

    def decoded(self, row_id: int) -> Record | Unreadable:
        row = self.db.execute(SELECT_RECORD + " FROM records WHERE id = ?", (row_id,)).fetchone()
        return RowCodec(self.db).decode(row)

    def verify(self) -> VerificationReport:
        self.db.close()
        return verify_journal(self.path, KEY.public)

    def cleanup(self) -> None:
        shutil.rmtree(self.dir)


@pytest.fixture
def attacker(journal: Path) -> Iterator[Attacker]:
    attack = Attacker(journal)
    yield attack
    attack.cleanup()


COLUMN_VALUES = {
    "stream": st.sampled_from([1, 2, 3, 4, 99, "x"]),
    "seq": st.sampled_from([1, 2, 5, 9, 10**6, "x"]),
    "ts": st.sampled_from([0, 1_795_680_000_000_000_001]),
    "kind": st.sampled_from([1, 2, 5, 6, 999]),
    "probe": st.sampled_from([None, 1, 6, 7, 999]),
    "value": st.sampled_from([None, 3.5, 3.25, 57.5, "3.5"]),
    "quality": st.sampled_from([None, 2, 3, 4]),
    "raw": st.sampled_from([None, 57.45, 0.0]),
    "extra": st.sampled_from([None, "{}", '{"x":1}', "not json", '{"minutes":31}']),
    "hash": st.sampled_from([bytes(32), b"x", "text"]),
}


@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_any_column_changed_in_the_file_is_located(
    journal: Path, rows: list[tuple[object, ...]], names: dict[int, str], data: st.DataObject
) -> None:
    row = data.draw(st.sampled_from(rows))
    column = data.draw(st.sampled_from(sorted(COLUMN_VALUES)))
    value = data.draw(COLUMN_VALUES[column])
    attack = Attacker(journal)
    try:
        before = attack.decoded(int(str(row[0])))
        if value == 99:
            attack.db.execute("INSERT INTO streams (id, name) VALUES (99, 'cycle:P9:forged')")
        attack.db.execute(f"UPDATE records SET {column} = ? WHERE id = ?", (value, row[0]))
        assume(attack.decoded(int(str(row[0]))) != before)
        place = (names[int(str(row[1]))], int(str(row[2])))
        tampered = Tampered(
            [], f"{column}={value!r} in row {row[0]}", frozenset({place}), COLUMN_KINDS
        )
        assert_located(attack.verify(), tampered)
    finally:
        attack.cleanup()


def _not_last_rows(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    heads: dict[object, int] = {}
    for row in rows:
        heads[row[1]] = max(heads.get(row[1], 0), int(str(row[2])))
    return [row for row in rows if int(str(row[2])) < heads[row[1]]]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_row_deleted_from_the_file_is_located(
    journal: Path, rows: list[tuple[object, ...]], names: dict[int, str], data: st.DataObject
) -> None:
    row = data.draw(st.sampled_from(_not_last_rows(rows)))
    attack = Attacker(journal)
    try:
        attack.db.execute("DELETE FROM records WHERE id = ?", (row[0],))
        place = (names[int(str(row[1]))], int(str(row[2])))
        tampered = Tampered([], f"deleted row {row[0]}", frozenset({place}), frozenset({K.MISSING}))
        report = attack.verify()
        assert_located(report, tampered)
    finally:
        attack.cleanup()


def test_the_last_row_of_a_stream_deleted_leaves_a_hole_in_row_ids(attacker: Attacker) -> None:
    last_cycle = attacker.db.execute(
        "SELECT MAX(r.id) FROM records r JOIN streams s ON s.id = r.stream WHERE s.name = ?",
        (CYCLE,),
    ).fetchone()[0]
    attacker.db.execute("DELETE FROM records WHERE id = ?", (last_cycle,))
    report = attacker.verify()
    assert [(f.kind, f.where) for f in report.errors] == [
        (K.MISSING, f"rows {last_cycle}..{last_cycle}")
    ]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_row_inserted_into_the_file_is_located(
    journal: Path, rows: list[tuple[object, ...]], names: dict[int, str], data: st.DataObject
) -> None:
    row = data.draw(st.sampled_from(rows))
    attack = Attacker(journal)
    try:
        copy = (row[1], row[2], int(str(row[3])) + 1, *row[4:])
        attack.db.execute(
            "INSERT INTO records (stream, seq, ts, kind, probe, value, quality, raw, extra, "
            "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            copy,
        )
        place = (names[int(str(row[1]))], int(str(row[2])))
        tampered = Tampered(
            [], f"copy of row {row[0]}", frozenset({place}), frozenset({K.INSERTED})
        )
        assert_located(attack.verify(), tampered)
    finally:
        attack.cleanup()


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_two_rows_swapped_in_the_file_are_located(
    journal: Path, rows: list[tuple[object, ...]], names: dict[int, str], data: st.DataObject
) -> None:
    stream = data.draw(st.sampled_from(sorted({row[1] for row in rows}, key=str)))
    mine = [row for row in rows if row[1] == stream]
    a, b = data.draw(st.lists(st.sampled_from(mine), min_size=2, max_size=2, unique=True))
    by_seq = data.draw(st.booleans())
    attack = Attacker(journal)
    try:
        column = "seq" if by_seq else "id"
        index = 2 if by_seq else 0
        attack.db.execute(f"UPDATE records SET {column} = -1 WHERE id = ?", (a[0],))
        attack.db.execute(f"UPDATE records SET {column} = ? WHERE id = ?", (a[index], b[0]))
        if by_seq:
            attack.db.execute("UPDATE records SET seq = ? WHERE seq = -1", (b[2],))
        else:
            attack.db.execute("UPDATE records SET id = ? WHERE id = -1", (b[0],))
        name = names[int(str(stream))]
        places = {(name, int(str(a[2]))), (name, int(str(b[2])))}
        report = attack.verify()
        tampered = Tampered(
            [],
            f"swapped {column} of rows {a[0]}, {b[0]}",
            frozenset(places),
            frozenset({K.REORDERED}),
        )
        if by_seq:
            assert_located(report, tampered)
        else:
            # The longest run in row order stands and the rows out of it are named: one of
            # the two at least, as they cannot both be in order (in a short stream, which
            # rows moved can be ambiguous).
            errors = report.errors
            assert errors
            assert {(f.kind, f.stream) for f in errors} == {(K.REORDERED, name)}
            assert {(f.stream, f.seq) for f in errors} & places
    finally:
        attack.cleanup()


def test_an_untouched_journal_verifies(journal: Path) -> None:
    report = verify_journal(journal, public_key_b64(KEY.public))
    assert report.ok, report.format()
    assert not report.findings, report.format()
    assert "latest writer session: clean" in report.format()


def test_the_journal_verified_with_another_key_reports_the_key(journal: Path) -> None:
    report = verify_journal(journal, public_key_pem(device_key(5).public))
    assert {f.kind for f in report.errors} == {K.WRONG_KEY}
    assert any(f"{KEY.key_id} among the key(s) the journal stores are not trusted" in note
               for note in report.notes)  # fmt: skip


def test_verify_of_a_missing_journal_says_so(tmp_path: Path) -> None:
    with pytest.raises(JournalNotFoundError):
        verify_journal(tmp_path / "none.sqlite", KEY.public)


def test_keygen_writes_a_key_the_device_can_load(tmp_path: Path) -> None:
    public, key_id = keygen(tmp_path / "device.key")
    loaded = load_key_file(tmp_path / "device.key")
    assert (public_key_b64(loaded.public), loaded.key_id) == (public, key_id)
    with pytest.raises(KeyFileError, match="never overwritten"):
        keygen(tmp_path / "device.key")


def test_a_lot_bundle_holds_the_lot_its_cycles_and_enclosure_days(
    journal: Path, bundle: Path
) -> None:
    header, entries = read_bundle(bundle)
    streams = {e.stream for e in entries}
    assert streams == {lot_stream(LOT), CYCLE, ENCLOSURE}
    assert header.key_id == KEY.key_id
    assert set(header.heads) == streams
    report = verify_bundle(bundle, KEY.public)
    assert report.ok, report.format()
    assert not report.findings, report.format()


def test_a_bundle_verified_with_its_own_key_says_so(bundle: Path) -> None:
    report = verify_bundle(bundle)
    assert report.ok
    assert not report.signer_established
    assert any(note.startswith("signer not established") for note in report.notes)


def test_a_bundle_verified_with_another_key_says_the_keys_differ(bundle: Path) -> None:
    report = verify_bundle(bundle, device_key(7).public)
    assert {f.kind for f in report.errors} == {K.WRONG_KEY}
    assert any(f"{KEY.key_id} among the key(s) the bundle names are not trusted" in note
               for note in report.notes)  # fmt: skip


def test_export_refuses_an_unknown_lot_and_an_existing_file(journal: Path, tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="no lot L2099-001"):
        export_lot_bundle(journal, "L2099-001", tmp_path / "x.jsonl", key=KEY)
    (tmp_path / "y.jsonl").write_text("keep")
    with pytest.raises(BundleError, match="never overwritten"):
        export_lot_bundle(journal, LOT, tmp_path / "y.jsonl", key=KEY)
    assert (tmp_path / "y.jsonl").read_text() == "keep"
    with pytest.raises(BundleError, match="not one of the journal's device keys"):
        export_lot_bundle(journal, LOT, tmp_path / "z.jsonl", key=device_key(5))
    assert not (tmp_path / "z.jsonl").exists()


def test_export_in_a_time_zone_takes_the_local_days_of_the_stay(
    journal: Path, tmp_path: Path
) -> None:
    out = tmp_path / "z.jsonl"
    export = export_lot_bundle(journal, LOT, out, key=KEY, time_zone="Europe/Paris")
    assert export.streams == [lot_stream(LOT), CYCLE, ENCLOSURE]
    assert export.records == len(read_bundle(tmp_path / "z.jsonl")[1])


def _rewrite(bundle: Path, records: list[Record], directory: Path) -> Path:
    header = bundle.read_text(encoding="utf-8").splitlines()[0]
    out = directory / "tampered.jsonl"
    out.write_text("\n".join([header, *(record_line(r) for r in records)]) + "\n")
    return out


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_any_single_tampering_of_a_bundle_is_located(bundle: Path, data: st.DataObject) -> None:
    records = [e for e in read_bundle(bundle)[1] if isinstance(e, Record)]
    strategy = data.draw(st.sampled_from([alterations, deletions, insertions, swaps]))
    tampered: Tampered = data.draw(strategy(records))
    with tempfile.TemporaryDirectory() as directory:
        assert_located(verify_bundle(_rewrite(bundle, tampered.records, Path(directory))), tampered)


def test_the_last_record_cut_from_a_bundle_is_named_by_its_header(
    bundle: Path, tmp_path: Path
) -> None:
    records = [e for e in read_bundle(bundle)[1] if isinstance(e, Record)]
    last = max((r for r in records if r.stream == CYCLE), key=lambda r: r.seq)
    report = verify_bundle(_rewrite(bundle, [r for r in records if r is not last], tmp_path))
    assert [(f.kind, f.stream, f.seq) for f in report.errors] == [
        (K.MISSING, CYCLE, last.seq),
        (K.NOT_SEALED, CYCLE, last.seq),
    ]


def test_a_bundle_line_that_is_not_a_record_is_malformed(bundle: Path, tmp_path: Path) -> None:
    lines = bundle.read_text().splitlines()
    out = tmp_path / "broken.jsonl"
    out.write_text("\n".join([*lines, "{not json", '{"stream": 5}']) + "\n")
    report = verify_bundle(out)
    malformed = [f for f in report.errors if f.kind is K.MALFORMED]
    assert [f.where for f in malformed] == [f"line {len(lines) + 1}", f"line {len(lines) + 2}"]
