"""A bundle's header is signed by the device: records cut and the header fixed to match show."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal import FindingKind, export_lot_bundle, verify_bundle
from monitor.journal.bundle import read_bundle
from tests.monitor.journal.lot_samples import FAILED, LOT, PASSED, build_lot_journal
from tests.monitor.journal.samples import device_key

KEY = device_key()
K = FindingKind


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("header")
    build_lot_journal(folder / "journal.sqlite", KEY)
    out = folder / "lot.jsonl"
    export_lot_bundle(folder / "journal.sqlite", LOT, out, key=KEY)
    return out


def _item(tag: str, payload: str) -> bytes:
    raw = payload.encode("utf-8")
    return tag.encode() + str(len(raw)).encode() + b":" + raw


def _signed_bytes(header: dict[str, Any]) -> bytes:
    """The header's signed bytes, built from README.md alone."""
    parts = [b"lactamon bundle header 1\n"]
    parts += [_item("s", header["format"]), _item("i", str(header["version"]))]
    parts += [_item("s", header["canonical"]), _item("i", header["created_ns"])]
    parts += [_item("s", header["lot"]), _item("s", header["key_id"])]
    keys = sorted(header["keys"], key=lambda k: k["key_id"].encode())
    parts.append(_item("i", str(len(keys))))
    for key in keys:
        parts += [_item("s", key["key_id"]), _item("s", key["public_key"])]
    streams = sorted(header["streams"], key=lambda s: s["stream"].encode())
    parts.append(_item("i", str(len(streams))))
    for s in streams:
        parts += [_item("s", s["stream"]), _item("i", str(s["head_seq"]))]
        parts += [_item("s", s["head_hash"]), _item("b", "true" if s["sealed"] else "false")]
    return b"".join(parts)


def test_the_header_names_the_sealed_streams_and_is_signed_as_documented(bundle: Path) -> None:
    header = json.loads(bundle.read_text().splitlines()[0])
    assert header["version"] == 2
    sealed = {s["stream"] for s in header["streams"] if s["sealed"]}
    assert sealed == {PASSED, FAILED}
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(header["public_key"]))
    public.verify(base64.b64decode(header["signature"]), _signed_bytes(header))  # raises if not
    assert read_bundle(bundle)[0].sealed == frozenset({PASSED, FAILED})


def _cut(bundle: Path, stream: str, count: int, out: Path, **edit: Any) -> Path:
    """The last ``count`` lines of ``stream`` deleted and the header's head set to the new last
    record, as someone with a text editor would; ``edit`` changes more of the header."""
    header, *lines = bundle.read_text().splitlines()
    data = json.loads(header)
    mine = [n for n, line in enumerate(lines) if json.loads(line)["stream"] == stream]
    cut = set(mine[-count:])
    last = json.loads(lines[mine[-count - 1]])
    for entry in data["streams"]:
        if entry["stream"] == stream:
            entry.update(head_seq=last["seq"], head_hash=last["hash"])
            entry["sealed"] = edit.pop("sealed", entry["sealed"])
    for name, value in edit.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    kept = [line for n, line in enumerate(lines) if n not in cut]
    out.write_text("\n".join([json.dumps(data), *kept]) + "\n")
    return out


def test_a_cut_bundle_with_its_header_fixed_fails(bundle: Path, tmp_path: Path) -> None:
    kinds = [json.loads(line)["kind"] for line in bundle.read_text().splitlines()[1:]
             if json.loads(line)["stream"] == PASSED]  # fmt: skip
    count = len(kinds) - kinds.index("cooling_completed")  # to the end: verdict and seal
    assert {"cycle_passed", "seal"} <= set(kinds[-count:])
    report = verify_bundle(_cut(bundle, PASSED, count, tmp_path / "cut.jsonl"), KEY.public)
    assert not report.ok
    header = [f for f in report.errors if f.stream is None]
    assert [f.kind for f in header] == [K.BAD_SIGNATURE]
    assert "header" in header[0].where
    [unsealed] = [f for f in report.errors if f.kind is K.NOT_SEALED]
    assert (unsealed.stream, unsealed.seq) == (PASSED, len(kinds) - count + 1)
    assert "not sealed" in unsealed.message


def test_a_failed_verdict_cut_with_the_signature_removed_fails(
    bundle: Path, tmp_path: Path
) -> None:
    cut = _cut(bundle, FAILED, 2, tmp_path / "cut.jsonl", signature=None, sealed=False)
    report = verify_bundle(cut, KEY.public)
    assert [(f.kind, f.stream) for f in report.errors] == [(K.BAD_HEADER, None)]
    assert "not signed" in report.errors[0].message


def test_a_header_signed_by_another_key_is_not_trusted(bundle: Path, tmp_path: Path) -> None:
    other = device_key(9)
    header = read_bundle(bundle)[0]
    data = json.loads(bundle.read_text().splitlines()[0])
    raw = base64.b64encode(other.public.public_bytes_raw()).decode()
    keys = [*data["keys"], {"key_id": other.key_id, "public_key": raw}]
    data.update(key_id=other.key_id, public_key=raw, keys=keys)
    data["signature"] = base64.b64encode(other.sign(_signed_bytes(data))).decode()
    out = tmp_path / "resigned.jsonl"
    out.write_text("\n".join([json.dumps(data), *bundle.read_text().splitlines()[1:]]) + "\n")
    assert read_bundle(out)[0].heads == header.heads
    report = verify_bundle(out, KEY.public)
    assert [(f.kind, f.stream) for f in report.errors] == [(K.WRONG_KEY, None)]


def test_a_bundle_of_the_first_version_has_no_signed_header(bundle: Path, tmp_path: Path) -> None:
    header, *lines = bundle.read_text().splitlines()
    data = json.loads(header)
    data["version"] = 1
    del data["signature"]
    for entry in data["streams"]:
        del entry["sealed"]
    out = tmp_path / "v1.jsonl"
    out.write_text("\n".join([json.dumps(data), *lines]) + "\n")
    report = verify_bundle(out, KEY.public)
    assert [f.kind for f in report.errors] == [K.BAD_HEADER]


def test_a_seal_whose_kind_was_changed_is_named_where_it_is(bundle: Path, tmp_path: Path) -> None:
    header, *lines = bundle.read_text().splitlines()
    records = [json.loads(line) for line in lines]
    [seal] = [r for r in records if r["stream"] == PASSED and r["kind"] == "seal"]
    seal["kind"] = "reading"
    out = tmp_path / "kind.jsonl"
    out.write_text("\n".join([header, *(json.dumps(r) for r in records)]) + "\n")
    report = verify_bundle(out, KEY.public)
    assert {(f.stream, f.seq) for f in report.errors} == {(PASSED, seal["seq"])}
