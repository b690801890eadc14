"""Sealed cycles' views kept on disk, signed with the device key: a first view after a restart
is read from a file of some 43 kB instead of by a child reading the cycle's 16,200 records.

A sealed stream's head never moves again, so the view read at that head is the cycle's view
for good. Each is kept in ``<journal stem>.views/`` beside the journal (not ``journal.sqlite.
views``: what removes or copies ``journal.sqlite*`` must not meet a folder), one file per
cycle named by the SHA-256 of the cycle's name (any name, no path in it). A file is the line
``MAGIC``, the Ed25519 signature of ``MAGIC`` and the view (base64), then the view
(``view_format``), the cycle's name inside it. It is used only when its signature verifies
with the device's key and its head is the stream's current head: an edited file, a copy from
another cycle or another journal is ignored (and logged once), and a page never shows a curve
the journal does not hold.

It is a cache: written to a temporary file and renamed, never synced (a file lost or torn by
a power cut fails its signature and costs a child's run); the ``KEEP`` most recently written
are kept, under 9 MB; nothing is written while the disk has less than ``MIN_FREE_BYTES`` free,
which the journal needs more; a failure to write is logged, and the page served all the same.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from monitor.journal.keys import DeviceKey, signature_valid
from monitor.web.view_format import CycleView, Head, decode_view, encode_view

log = logging.getLogger(__name__)
MAGIC = b"lactamon cycle view 1\n"
SUFFIX = ".view"
KEEP = 200  # a few months of cycles at three a day
MIN_FREE_BYTES = 64 * 2**20
STALE_TEMP_S = 600.0  # a temporary file this old was left by a writer that died


def views_folder(journal: Path) -> Path:
    """``journal.views`` beside ``journal.sqlite``."""
    return journal.with_name(journal.stem + ".views")


class ViewFiles:
    """The signed views of sealed cycles in ``folder``; ``load`` and ``save`` never raise."""

    def __init__(self, folder: Path, key: DeviceKey, keep: int = KEEP) -> None:
        self.folder = folder
        self._key = key
        self._keep = keep
        self._lock = threading.Lock()  # called from worker threads: one write and prune at once
        self._told: set[tuple[str, str]] = set()  # the files' rejections logged already
        self._write_failing = False

    def path_of(self, cycle: str) -> Path:
        return self.folder / (hashlib.sha256(cycle.encode()).hexdigest()[:32] + SUFFIX)

    def load(self, cycle: str, head: Head) -> CycleView | None:
        """The view of ``cycle`` at ``head`` if its file holds it, signed; else None."""
        path = self.path_of(cycle)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._reject(path, cycle, f"unreadable ({exc.strerror})")
            return None
        try:
            view = self._verified(cycle, data)
        except ValueError as exc:
            self._reject(path, cycle, str(exc))
            return None
        if view.head != head:
            ours, theirs = (f"#{seq} {digest.hex()[:12]}…" for seq, digest in (view.head, head))
            self._reject(path, cycle, f"its head {ours} is not the stream's, {theirs}")
            return None
        return view

    def save(self, cycle: str, view: CycleView) -> bool:
        """Keep the view of a sealed cycle; whether it was written."""
        body = encode_view(cycle, view.head, view.events, view.curve)
        signature = base64.b64encode(self._key.sign(MAGIC + body))
        path = self.path_of(cycle)
        with self._lock:
            try:
                self.folder.mkdir(exist_ok=True)
                free = shutil.disk_usage(self.folder).free
                if free < MIN_FREE_BYTES:
                    raise OSError(f"{free // 2**20} MiB free on the disk, the journal's room")
                _write_replacing(path, MAGIC + signature + b"\n" + body)
            except OSError as exc:
                if not self._write_failing:
                    why = exc.strerror or exc
                    log.warning("cycle views: cannot write %s (%s); the pages are served all "
                                "the same, a first view read by a child", path, why)  # fmt: skip
                self._write_failing = True
                return False
            if self._write_failing:
                log.info("cycle views: written again in %s", self.folder)
            self._write_failing = False
            self._prune()
        return True

    def _verified(self, cycle: str, data: bytes) -> CycleView:
        if not data.startswith(MAGIC):
            raise ValueError("not a cycle view file")
        signature_line, _, body = data[len(MAGIC) :].partition(b"\n")
        try:
            signature = base64.b64decode(signature_line, validate=True)
        except binascii.Error:
            raise ValueError("its signature is not base64") from None
        if not signature_valid(self._key.public, signature, MAGIC + body):
            raise ValueError(f"its signature does not verify with key {self._key.key_id}")
        view = decode_view(cycle, body)
        if not view.sealed:
            raise ValueError("the view of a cycle not sealed")
        return view

    def _reject(self, path: Path, cycle: str, why: str) -> None:
        if (path.name, why) not in self._told:  # once, not at each view while it lies there
            log.warning("cycle views: %s of %s ignored: %s; the cycle is read again", path, cycle,
                        why)  # fmt: skip
            self._told.add((path.name, why))

    def _prune(self) -> None:
        """Keep the ``keep`` files written last; remove temporary files writers left."""
        now = time.time()
        kept: list[tuple[float, Path]] = []
        with contextlib.suppress(OSError), os.scandir(self.folder) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    if entry.name.endswith(SUFFIX):
                        kept.append((entry.stat().st_mtime, Path(entry.path)))
                    elif entry.name.endswith(".tmp") and now - entry.stat().st_mtime > STALE_TEMP_S:
                        os.unlink(entry.path)
        kept.sort(reverse=True)
        for _, old in kept[self._keep :]:
            with contextlib.suppress(OSError):
                old.unlink()


def _write_replacing(path: Path, data: bytes) -> None:
    """``data`` in ``path`` whole or not at all: a file of its own, then renamed over."""
    fd, temp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
