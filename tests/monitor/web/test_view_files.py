"""Sealed cycles' views on disk: signed with the device key, used only whole, unedited, for the
stream's current head; the folder bounded; a write that fails only logged."""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from monitor.journal import Journal, cycle_stream
from monitor.web import view_files
from monitor.web.curve_json import curve_json
from monitor.web.cycle_views import read_in_child
from monitor.web.view_files import MAGIC, ViewFiles, views_folder
from monitor.web.view_format import CycleView
from tests.monitor.journal.samples import T0, StepClock, device_key
from tests.monitor.web.sealed_cycles import seal_a_cycle, true_view

S = 1_000_000_000
CYCLE = cycle_stream("P1", T0)
OTHER = cycle_stream("P1", T0 + 3600 * S)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite", device_key(), StepClock()) as journal:
        seal_a_cycle(journal, CYCLE, T0)
        seal_a_cycle(journal, OTHER, T0 + 3600 * S)
        yield journal


@pytest.fixture
def files(journal: Journal) -> ViewFiles:
    return ViewFiles(views_folder(journal.path), journal.key)


def same(a: CycleView, b: CycleView) -> bool:
    def events(v: CycleView) -> list[tuple[object, ...]]:
        return [(r.stream, r.seq, r.ts, r.kind, dict(r.fields), r.hash) for r in v.events]

    return a.head == b.head and events(a) == events(b) and a.curve == b.curve


def edit_line(path: Path, number: int, edit: bytes) -> None:
    """Line ``number`` of the file (0: the magic, 1: the signature, 2: the head and events,
    3: the curve) replaced by ``edit``."""
    lines = path.read_bytes().split(b"\n")
    lines[number] = edit
    path.write_bytes(b"\n".join(lines))


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


async def test_a_sealed_view_saved_is_loaded_whole_and_signed(
    journal: Journal, files: ViewFiles
) -> None:
    view = await read_in_child(journal.path, CYCLE)
    head, curve = true_view(journal.path, CYCLE)
    assert view.sealed
    assert (view.head, view.curve) == (head, curve)
    assert files.load(CYCLE, head) is None  # nothing written yet
    assert files.save(CYCLE, view)
    assert files.folder == journal.path.with_name("journal.views")
    loaded = files.load(CYCLE, head)
    assert loaded is not None
    assert same(loaded, view)
    data = files.path_of(CYCLE).read_bytes()
    assert data.startswith(MAGIC)
    signature = base64.b64decode(data.split(b"\n")[1])
    assert journal.key.public.verify(signature, MAGIC + data.split(b"\n", 2)[2]) is None
    # A name for any cycle, in the folder and nowhere else.
    assert files.path_of("cycle:../../etc/passwd").parent == files.folder


def other_curve(top: bytes, curve: bytes) -> tuple[bytes, bytes]:
    return top, json.dumps(curve_json(None)).encode()


def other_head(top: bytes, curve: bytes) -> tuple[bytes, bytes]:
    return top.replace(b'"seq": ', b'"seq": 1', 1), curve  # the first is the head's


def other_verdict(top: bytes, curve: bytes) -> tuple[bytes, bytes]:
    return top.replace(b"cycle_passed", b"cycle_failed"), curve


@pytest.mark.parametrize("edit", [other_curve, other_head, other_verdict])
async def test_a_file_edited_is_ignored_and_logged_once(
    journal: Journal,
    files: ViewFiles,
    caplog: pytest.LogCaptureFixture,
    edit: Callable[[bytes, bytes], tuple[bytes, bytes]],
) -> None:
    head, _ = true_view(journal.path, CYCLE)
    assert files.save(CYCLE, await read_in_child(journal.path, CYCLE))
    path = files.path_of(CYCLE)
    lines = path.read_bytes().split(b"\n")
    top, curve = edit(lines[2], lines[3])
    assert (top, curve) != (lines[2], lines[3])
    edit_line(path, 2, top)
    edit_line(path, 3, curve)
    assert files.load(CYCLE, head) is None
    assert files.load(CYCLE, head) is None
    assert len(warnings(caplog)) == 1
    assert "signature does not verify" in warnings(caplog)[0]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[:1] + b"X" + data[2:], id="magic"),
        pytest.param(lambda data: data.replace(MAGIC, MAGIC + b"A"), id="signature-edited"),
        pytest.param(lambda data: data.replace(MAGIC, MAGIC + b"%"), id="signature-not-base64"),
        pytest.param(lambda data: data[: len(data) // 2], id="torn"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: os.urandom(500), id="noise"),
    ],
)
async def test_a_damaged_file_is_ignored(
    journal: Journal,
    files: ViewFiles,
    caplog: pytest.LogCaptureFixture,
    damage: Callable[[bytes], bytes],
) -> None:
    head, _ = true_view(journal.path, CYCLE)
    assert files.save(CYCLE, await read_in_child(journal.path, CYCLE))
    path = files.path_of(CYCLE)
    path.write_bytes(damage(path.read_bytes()))
    assert files.load(CYCLE, head) is None
    assert len(warnings(caplog)) == 1


async def test_a_signed_view_is_used_only_for_its_cycle_its_head_and_this_key(
    journal: Journal, files: ViewFiles, caplog: pytest.LogCaptureFixture
) -> None:
    head, _ = true_view(journal.path, CYCLE)
    other_head, _ = true_view(journal.path, OTHER)
    assert files.save(CYCLE, await read_in_child(journal.path, CYCLE))
    assert files.load(CYCLE, (head[0] - 1, head[1])) is None
    assert files.load(CYCLE, (head[0], bytes(32))) is None
    files.path_of(CYCLE).rename(files.path_of(OTHER))  # a cycle's file under another's name
    assert files.load(OTHER, other_head) is None
    assert ViewFiles(files.folder, device_key(2)).save(
        CYCLE, await read_in_child(journal.path, CYCLE)
    )
    assert files.load(CYCLE, head) is None  # signed by another device
    said = warnings(caplog)
    assert len(said) == 4
    assert ["head" in said[0], "head" in said[1]] == [True, True]
    assert f"not of {OTHER!r}" in said[2]
    assert "signature" in said[3]


async def test_the_folder_keeps_the_views_written_last(journal: Journal, tmp_path: Path) -> None:
    files = ViewFiles(tmp_path / "views", journal.key, keep=3)
    view = await read_in_child(journal.path, CYCLE)
    cycles = [cycle_stream("P1", T0 + n * 7200 * S) for n in range(5)]
    long_ago = 1_700_000_000
    for n, cycle in enumerate(cycles):
        assert files.save(cycle, view)
        os.utime(files.path_of(cycle), (long_ago + n, long_ago + n))
    left = tempfile_left(files.folder, long_ago)
    fresh = files.folder / ".writing.tmp"
    fresh.write_bytes(b"a writer at work")
    assert files.save(cycles[0], view)  # written again: the most recent now
    kept = sorted(p.name for p in files.folder.iterdir())
    expected = [files.path_of(c).name for c in (cycles[0], cycles[3], cycles[4])]
    assert kept == sorted([*expected, fresh.name])
    assert not left.exists()


def tempfile_left(folder: Path, mtime: int) -> Path:
    """A temporary file a writer that died left behind, long ago."""
    left = folder / ".abandoned.tmp"
    left.write_bytes(b"half a view")
    os.utime(left, (mtime, mtime))
    return left


async def test_a_write_that_fails_is_logged_once_and_raises_nothing(
    journal: Journal,
    files: ViewFiles,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    view = await read_in_child(journal.path, CYCLE)
    files.folder.write_text("a file where the folder goes")
    assert not files.save(CYCLE, view)
    assert not files.save(OTHER, view)
    assert len(warnings(caplog)) == 1
    assert "cannot write" in warnings(caplog)[0]
    files.folder.unlink()
    assert files.save(CYCLE, view)
    # A disk nearly full keeps its room for the journal.
    monkeypatch.setattr(view_files, "MIN_FREE_BYTES", 2**62)
    assert not files.save(OTHER, view)
    assert not files.path_of(OTHER).exists()
    assert "MiB free" in warnings(caplog)[-1]
    assert [p.name for p in files.folder.iterdir()] == [files.path_of(CYCLE).name]
