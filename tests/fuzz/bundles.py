"""Fuzz target: mutated lot bundles through ``verify_bundle`` with the device's key.

The bundle is a real one: the sample journal of the journal tests, exported for its lot.
Rules: verification returns a report or refuses the file with a ``JournalError`` (nothing
else escapes), and no mutation that changes a value, of the header or of a record, is
verified OK: not a changed byte inside a value, not a record deleted, added twice or moved
within its stream. The records of different streams may come in any order (the verifier's
contract), and what changes only the text leaves the values, so it may pass: blanks between
tokens, blank lines, CRLF line ends, key order, a ``\\u`` escape for a letter, the case of
a hash's hex digits (the same hash). The signed header and the record hashes are computed
from values, never from a line's bytes.
"""

from __future__ import annotations

import random
import traceback
from pathlib import Path
from unittest.mock import patch

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal import JournalError, export_lot_bundle, verify_bundle
from tests.fuzz.bundle_cases import MUTATIONS, hex_case_only, values
from tests.fuzz.figures import Figures
from tests.monitor.journal.samples import LOT, T0, build_journal, device_key

FULL_COUNT = 1000


def run(count: int, seed: int, folder: Path) -> Figures:
    figures = Figures("lot bundles through verify_bundle", seed)
    rng = random.Random(f"{seed}/bundles")
    key = device_key()
    build_journal(folder / "journal.sqlite", key)
    original = folder / "lot.jsonl"
    # The export stamps the header with the time, which the signature covers: fixed here,
    # so that a seed gives the same bundle, hence the same cases, at every run.
    with patch("time.time_ns", return_value=T0):
        export_lot_bundle(folder / "journal.sqlite", LOT, original, key=key)
    report = verify_bundle(original, key.public)
    assert report.ok, report.format()
    data = original.read_bytes()
    lines = data.rstrip(b"\n").split(b"\n")
    held = values(data)
    for i in range(count):
        ops = [rng.choice(MUTATIONS) for _ in range(1 if rng.random() < 0.8 else 2)]
        mutated = lines
        for op in ops:
            # Every mutation needs a line to work on; a first one may have left none.
            mutated = op(mutated, rng) if mutated else mutated
        changed = b"\n".join(mutated) + b"\n"
        path = folder / f"case-{i}.jsonl"
        path.write_bytes(changed)
        kind = "+".join(op.__name__ for op in ops)
        now = values(changed)
        same = now == held
        if changed == data:
            figures.count("bytes unchanged (a swap of a line with itself…)")
        elif same and hex_case_only(data, changed):
            figures.count("only the case of a hash's hex digits changed")
        # Which lines' values changed: the header's alone, or records' too (None: unreadable).
        part = "records" if now is None or held is None or now[1] != held[1] else "header"
        _check(figures, kind, path, same, part, key.public)
    return figures


def _check(
    figures: Figures, kind: str, path: Path, same: bool, part: str, public: Ed25519PublicKey
) -> None:
    figures.count("bundles", "values unchanged" if same else "values changed")
    figures.count(*(f"mutation {op}" for op in kind.split("+")))
    shown = path.read_bytes().decode("utf-8", "replace")
    try:
        report = verify_bundle(path, public)
    except JournalError:
        figures.count("refused (JournalError)")
        return
    except Exception as exc:
        tail = "".join(traceback.format_exception(exc)[-3:])
        figures.fail(f"crash: {type(exc).__name__}", kind, shown, tail)
        return
    figures.count("verified OK" if report.ok else "verification failed")
    if report.ok and not same:
        figures.fail(f"forgery verified OK ({part} changed)", kind, shown, report.format())
    if same and not report.ok:
        figures.count(f"values unchanged, yet failed: {kind}")
