"""Handing the journal over to a new device key: a rotation statement signed by the old key.

A device whose key is replaced (a new Raspberry Pi, a key to retire) makes a new key with
``lactamon keygen --rotate`` and a statement: the old key id and public key, the new key id
and public key, and when, signed with the OLD key. The daemon journals it at its next start
as a ``key_rotated`` record of the ``device`` stream, the first record it signs with the new
key (``journal_rotation``). A verifier that trusts the old key then trusts the new one
through the statement (``trust.decide``); a statement signed by a key it does not trust
introduces nothing.

The signature is Ed25519, by the old key, over ``lactamon key rotation 1\\n`` followed by
the canonical items (monitor/journal/README.md, "Canonical bytes") of: the old key id, the
old public key (base64 of the 32 raw bytes), the new key id, the new public key (base64),
all as text, then ``rotated_ns`` as integer.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal.canonical import encode_int, encode_text
from monitor.journal.errors import JournalError, KeyFileError, PublicKeyError
from monitor.journal.keys import (
    DeviceKey,
    key_id_of,
    parse_public_key,
    public_key_b64,
    signature_valid,
)
from monitor.journal.reader import JournalReader
from monitor.journal.record import FieldValue, Record
from monitor.journal.streams import DEVICE_STREAM

if TYPE_CHECKING:
    from monitor.journal.writer import Journal

KEY_ROTATED = "key_rotated"
ROTATION_PREFIX = b"lactamon key rotation 1\n"
FORMAT = "lactamon-key-rotation"
VERSION = 1
_TEXT_FIELDS = ("old_key_id", "old_public_key", "new_key_id", "new_public_key")


class RotationError(KeyFileError):
    """A rotation that cannot be done, or a statement that cannot be read or does not hold."""


@dataclass(frozen=True, slots=True)
class RotationStatement:
    """The old key saying which key follows it; keys in base64, ``signature`` in base64."""

    old_key_id: str
    old_public_key: str
    new_key_id: str
    new_public_key: str
    rotated_ns: int
    signature: str

    def signed_bytes(self) -> bytes:
        """What the old key signs (the module's text)."""
        items = [encode_text(getattr(self, name)) for name in _TEXT_FIELDS]
        return ROTATION_PREFIX + b"".join(items) + encode_int(self.rotated_ns)

    def new_key(self) -> Ed25519PublicKey:
        return parse_public_key(self.new_public_key)

    def problem(self, signer: Ed25519PublicKey | None = None) -> str | None:
        """What is wrong with the statement, None when it holds: key ids that are not those
        of the keys, or a signature that does not verify with ``signer`` (by default the old
        public key it names, which shows it consistent, not trusted)."""
        try:
            old = parse_public_key(self.old_public_key)
        except PublicKeyError as exc:
            return f"the old public key: {exc}"
        try:
            new = self.new_key()
        except PublicKeyError as exc:
            return f"the new public key: {exc}"
        if key_id_of(old) != self.old_key_id:
            return "the old key id does not match the old public key"
        if key_id_of(new) != self.new_key_id:
            return "the new key id does not match the new public key"
        signer = signer or old
        try:
            raw = base64.b64decode(self.signature, validate=True)
        except binascii.Error:
            raw = b""
        if not signature_valid(signer, raw, self.signed_bytes()):
            return f"its signature does not verify with key {key_id_of(signer)}"
        return None

    def fields(self) -> dict[str, FieldValue | None]:
        """The fields of its ``key_rotated`` record."""
        fields: dict[str, FieldValue | None] = {n: getattr(self, n) for n in _TEXT_FIELDS}
        fields.update(rotated_ns=self.rotated_ns, rotation_signature=self.signature)
        return fields

    @classmethod
    def from_fields(cls, fields: Mapping[str, FieldValue]) -> RotationStatement:
        """The statement a ``key_rotated`` record holds; ``RotationError`` when it holds none."""
        wanted = {n: str for n in _TEXT_FIELDS} | {"rotated_ns": int, "rotation_signature": str}
        bad = [name for name, kind in wanted.items() if type(fields.get(name)) is not kind]
        if bad:
            raise RotationError(f"the record lacks a valid {', '.join(bad)}")
        values: dict[str, Any] = {name: fields[name] for name in wanted}
        values["signature"] = values.pop("rotation_signature")
        return cls(**values)

    def to_json(self) -> str:
        """One line of a statement file: the fields, ``rotated_ns`` as a decimal string."""
        data: dict[str, Any] = {"format": FORMAT, "version": VERSION, **asdict(self)}
        data["rotated_ns"] = str(self.rotated_ns)
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> RotationStatement:
        try:
            data = json.loads(line)
        except ValueError as exc:
            raise RotationError(f"not JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise RotationError(f"not a rotation statement (format {FORMAT!r} expected)")
        if data.get("version") != VERSION:
            raise RotationError(f"rotation statement version {data.get('version')!r} unknown")
        ns = data.get("rotated_ns")
        fields = {**data, "rotated_ns": int(ns) if isinstance(ns, str) and ns.isdigit() else ns}
        fields["rotation_signature"] = fields.pop("signature", None)
        return cls.from_fields(fields)


def sign_rotation(
    old: DeviceKey, new_public: Ed25519PublicKey, rotated_ns: int
) -> RotationStatement:
    """The statement, signed by ``old``, that ``new_public`` follows it."""
    unsigned = RotationStatement(
        old.key_id,
        public_key_b64(old.public),
        key_id_of(new_public),
        public_key_b64(new_public),
        rotated_ns,
        "",
    )
    signature = base64.b64encode(old.sign(unsigned.signed_bytes())).decode("ascii")
    return replace(unsigned, signature=signature)


def journal_rotation(journal: Journal, statement: RotationStatement) -> Record | None:
    """Append ``statement`` to the device stream as a ``key_rotated`` record, unless the
    journal holds it already (None then); ``RotationError`` when it does not hold."""
    problem = statement.problem()
    if problem is not None:
        raise RotationError(
            f"rotation from key {statement.old_key_id} to {statement.new_key_id}: {problem}"
        )
    # Committed first, to be seen below; should the commit fail, the statement might be
    # journaled twice, which proves no more and no less than once.
    with contextlib.suppress(JournalError):
        journal.flush()
    with JournalReader(journal.path) as reader:
        held = reader.records_of_kind(KEY_ROTATED, DEVICE_STREAM)
    for record in held:
        with contextlib.suppress(RotationError):
            if RotationStatement.from_fields(record.fields) == statement:
                return None
    return journal.append_event(DEVICE_STREAM, KEY_ROTATED, statement.fields())
