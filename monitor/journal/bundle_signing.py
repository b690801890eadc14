"""The bundle header's signature: the device key signs what the header says about the records.

The header names each stream's head, the streams the journal had sealed and the device keys.
Signed, it cannot be edited to match records cut from a bundle (a cycle's verdict and its seal,
say): whoever cuts them must sign the header again, which takes the device's private key.

Signed bytes (README.md, "Bundle format"): ``lactamon bundle header 1\\n``, then as canonical
items (``<tag><length>:<payload>``) the format, version, canonical name, ``created_ns``, lot
and key id; the number of keys, then each key id and base64 public key by key id; the number
of streams, then each stream id, head seq, head hash (hex) and sealed flag by stream id.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal.bundle import CANONICAL, FORMAT, VERSION, BundleHeader
from monitor.journal.canonical import encode_int, encode_text, encode_value
from monitor.journal.errors import RecordError
from monitor.journal.keys import DeviceKey, public_key_b64, signature_valid
from monitor.journal.verification import Finding, FindingKind

HEADER_SIGNATURE_PREFIX = b"lactamon bundle header 1\n"
HEADER_WHERE = "line 1, the header"


def header_signed_bytes(header: BundleHeader) -> bytes:
    """What the header's signature covers: every field of the header but the signature."""
    parts = [
        HEADER_SIGNATURE_PREFIX,
        encode_text(FORMAT),
        encode_int(header.version),
        encode_text(CANONICAL),
        encode_int(header.created_ns),
        encode_text(header.lot),
        encode_text(header.key_id),
    ]
    keys = sorted(header.keys.items(), key=lambda item: item[0].encode("utf-8"))
    parts.append(encode_int(len(keys)))
    for key_id, public in keys:
        parts += [encode_text(key_id), encode_text(public)]
    heads = sorted(header.heads.items(), key=lambda item: item[0].encode("utf-8"))
    parts.append(encode_int(len(heads)))
    for stream, (seq, head_hash) in heads:
        sealed = encode_value(stream in header.sealed)
        parts += [encode_text(stream), encode_int(seq), encode_text(head_hash), sealed]
    return b"".join(parts)


def sign_header(header: BundleHeader, key: DeviceKey) -> BundleHeader:
    """The header signed with ``key``, which it then names (and carries the public half of)."""
    keys = {**header.keys, key.key_id: public_key_b64(key.public)}
    unsigned = replace(header, keys=keys, key_id=key.key_id, version=VERSION, signature="")
    signature = key.sign(header_signed_bytes(unsigned))
    return replace(unsigned, signature=base64.b64encode(signature).decode("ascii"))


def header_signature_findings(
    header: BundleHeader, keys: Mapping[str, Ed25519PublicKey]
) -> list[Finding]:
    """What is wrong with the header's signature, checked with ``keys`` (by key id)."""
    if not header.signature:
        why = "a bundle of the first version" if header.version == 1 else "it has no signature"
        return [
            _header_finding(
                FindingKind.BAD_HEADER,
                f"the bundle header is not signed ({why}): the heads and sealed streams it "
                "names prove nothing, so records cut from the end of a stream would not show",
            )
        ]
    public = keys.get(header.key_id)
    if public is None:
        known = ", ".join(sorted(keys)) or "none"
        return [
            _header_finding(
                FindingKind.WRONG_KEY,
                f"the bundle header is signed with key id {header.key_id}, not a trusted key "
                f"({known})",
            )
        ]
    try:
        signature = base64.b64decode(header.signature, validate=True)
        signed = header_signed_bytes(header)
    except (binascii.Error, RecordError):
        signature, signed = b"", b""
    if not signature_valid(public, signature, signed):
        return [
            _header_finding(
                FindingKind.BAD_SIGNATURE,
                f"the bundle header's signature does not verify with key {header.key_id}: the "
                "header was changed after export (its stream heads, sealed streams or keys)",
            )
        ]
    return []


def _header_finding(kind: FindingKind, message: str) -> Finding:
    return Finding(kind, None, None, message, where=HEADER_WHERE)
