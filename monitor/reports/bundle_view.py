"""A bundle read once for a document: its header, its records by stream and its SHA-256.

The SHA-256 is of the file's bytes as they are: what a printed page names, so that the paper
points at one signed file and at no other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from monitor.journal.bundle import BundleHeader, read_bundle
from monitor.journal.errors import BundleError
from monitor.journal.record import Record, Unreadable
from monitor.journal.verify import bulk_work


@dataclass(slots=True)
class BundleView:
    header: BundleHeader
    entries: list[Record | Unreadable]
    sha256: str
    streams: dict[str, list[Record]] = field(default_factory=dict)

    def records(self, stream: str) -> list[Record]:
        """The readable records of ``stream`` in seq order (none when it is not carried)."""
        return self.streams.get(stream, [])


def load_bundle(path: Path) -> BundleView:
    """The bundle at ``path``; ``BundleError`` with a clear message when it cannot be read."""
    path = Path(path)
    try:
        digest = _sha256(path)
    except OSError as exc:
        raise BundleError(f"{path}: cannot read the bundle ({exc.strerror or exc})") from None
    with bulk_work():
        header, entries = read_bundle(path)
    return view_of(header, entries, digest)


def written_bundle(path: Path, header: BundleHeader, records: list[Record]) -> BundleView:
    """The view of a bundle just written from ``records`` (``export_lot_bundle(keep=True)``):
    the same view ``load_bundle`` would give, without reading the file back but for its hash."""
    try:
        digest = _sha256(Path(path))
    except OSError as exc:
        raise BundleError(f"{path}: cannot read the bundle ({exc.strerror or exc})") from None
    entries: list[Record | Unreadable] = list(records)
    return view_of(header, entries, digest)


def view_of(header: BundleHeader, entries: list[Record | Unreadable], digest: str) -> BundleView:
    streams: dict[str, list[Record]] = {}
    for entry in entries:
        if isinstance(entry, Record):
            streams.setdefault(entry.stream, []).append(entry)
    for records in streams.values():
        records.sort(key=lambda record: record.seq)
    return BundleView(header, entries, digest, streams)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
