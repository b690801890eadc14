"""Signed head records: checkpoints and seals, how they are made and how they are checked.

A checkpoint or seal at ``seq`` holds ``head_seq`` (= seq - 1), ``head_hash`` (hex of the hash
of record ``seq - 1``), ``key_id`` and ``signature``: Ed25519 over ``signed_bytes``, that is
the record's own canonical bytes without its ``signature`` field. Through ``head_hash`` the
signature covers every earlier record of the stream; it also covers the checkpoint itself,
so a checkpoint published alone (MQTT, InfluxDB) can be checked alone.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection, Mapping
from typing import NamedTuple

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal.canonical import signed_bytes
from monitor.journal.journal_kinds import CHECKPOINT as CHECKPOINT
from monitor.journal.journal_kinds import JOURNAL_KINDS as JOURNAL_KINDS
from monitor.journal.journal_kinds import SEAL as SEAL
from monitor.journal.journal_kinds import SIGNED_KINDS as SIGNED_KINDS
from monitor.journal.keys import DeviceKey, signature_valid
from monitor.journal.record import Fields, Record
from monitor.journal.verification import FindingKind


class SignatureProblem(NamedTuple):
    kind: FindingKind
    message: str


def signed_fields(
    key: DeviceKey,
    stream: str,
    seq: int,
    ts: int,
    kind: str,
    head_hash: bytes,
    extra: Fields,
) -> Fields:
    """The fields of a checkpoint or seal at ``seq``, signature included."""
    fields: Fields = dict(extra)
    fields.update(head_seq=seq - 1, head_hash=head_hash.hex(), key_id=key.key_id)
    unsigned = Record(stream, seq, ts, kind, fields, b"")
    fields["signature"] = base64.b64encode(key.sign(signed_bytes(unsigned))).decode("ascii")
    return fields


def check_signed_record(
    record: Record, keys: Mapping[str, Ed25519PublicKey], heads: Collection[bytes] | None
) -> list[SignatureProblem]:
    """What is wrong with a checkpoint or seal; ``heads``: what the chain's hash at seq - 1 may be.

    ``heads`` is ``None`` when the previous record is missing: the signature is then checked on
    its own, without its link to the chain. It holds two values after an altered record: its
    stored hash and the hash its content gives (one of them is what the next record chains to).
    """
    fields = record.fields
    head_seq, head_hex = fields.get("head_seq"), fields.get("head_hash")
    key_id, signature = fields.get("key_id"), fields.get("signature")
    missing = [
        name
        for name, value, kind in (
            ("head_seq", head_seq, int),
            ("head_hash", head_hex, str),
            ("key_id", key_id, str),
            ("signature", signature, str),
        )
        if type(value) is not kind
    ]
    if missing:
        return [
            SignatureProblem(
                FindingKind.BAD_CHECKPOINT,
                f"{record.kind} lacks a valid {', '.join(missing)}: it proves nothing",
            )
        ]
    problems: list[SignatureProblem] = []
    if head_seq != record.seq - 1:
        problems.append(
            SignatureProblem(
                FindingKind.BAD_CHECKPOINT,
                f"{record.kind} claims head #{head_seq}, but it follows #{record.seq - 1}",
            )
        )
    if heads is not None and head_hex not in {h.hex() for h in heads}:
        chain = " or ".join(h.hex()[:16] + "…" for h in heads)
        problems.append(
            SignatureProblem(
                FindingKind.BAD_CHECKPOINT,
                f"{record.kind} signs head hash {str(head_hex)[:16]}…, but the chain has "
                f"{chain} at #{record.seq - 1}",
            )
        )
    public_key = keys.get(str(key_id))
    if public_key is None:
        known = ", ".join(sorted(keys)) or "none"
        problems.append(
            SignatureProblem(
                FindingKind.WRONG_KEY,
                f"{record.kind} signed with key id {key_id}, not a trusted key ({known})",
            )
        )
        return problems
    try:
        raw = base64.b64decode(str(signature), validate=True)
    except binascii.Error:
        raw = b""
    if not signature_valid(public_key, raw, signed_bytes(record)):
        problems.append(
            SignatureProblem(
                FindingKind.BAD_SIGNATURE,
                f"{record.kind} signature does not verify with key {key_id}",
            )
        )
    return problems
