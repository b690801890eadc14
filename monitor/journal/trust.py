"""Which keys a verification trusts, and what it may say about who signed the records.

A key that comes with the records (a bundle header's keys, the journal's ``device_keys``
table, the settings' key file beside the journal) proves only that the records are intact:
whoever rewrote them could have put their own key there. A key is trusted when it is given
(a public key, a trusted-keys file), or when a key that came with the records has a key id the
person pinned: the id the device's owner published (``lactamon keygen`` prints it).

Trusted keys grow through rotation statements (``key_rotation``): a ``key_rotated`` record
whose statement is signed by a trusted key makes the key it introduces trusted, and so on
along a chain of rotations, in whatever order the records come. A statement signed by a key
that is not trusted introduces nothing, and a rotation never makes the old key trusted from
the new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monitor.journal.errors import PublicKeyError
from monitor.journal.key_rotation import KEY_ROTATED, RotationError, RotationStatement
from monitor.journal.keys import key_id_of, parse_public_key
from monitor.journal.record import Record
from monitor.journal.verification import VerificationReport

PublicKeyInput = Ed25519PublicKey | str | bytes


@dataclass(frozen=True, slots=True)
class Trust:
    """Keys trusted outright, and key ids pinned against the keys the records come with."""

    keys: tuple[Ed25519PublicKey, ...] = ()
    key_ids: frozenset[str] = frozenset()

    @property
    def given(self) -> bool:
        return bool(self.keys or self.key_ids)


@dataclass(frozen=True, slots=True)
class TrustDecision:
    """The keys to verify with (by key id), and whether they establish the signer."""

    keys: dict[str, Ed25519PublicKey]
    established: bool
    notes: tuple[str, ...] = field(default=())

    def apply(self, report: VerificationReport) -> None:
        report.signer_established = self.established
        report.notes += self.notes


def as_trust(value: Trust | PublicKeyInput | None) -> Trust:
    """A ``Trust`` from a trust, a single public key (object, base64 or PEM), or nothing."""
    if value is None:
        return Trust()
    if isinstance(value, Trust):
        return value
    key = value if isinstance(value, Ed25519PublicKey) else parse_public_key(value)
    return Trust(keys=(key,))


def decide(
    trust: Trust,
    carried: Mapping[str, Ed25519PublicKey],
    came_with: str,
    rotations: Iterable[Record] = (),
) -> TrustDecision:
    """The keys to verify with; ``carried``: the keys that came with the records, by key id,
    described by ``came_with`` ("the key(s) the bundle names", …); ``rotations``: records
    among which the ``key_rotated`` ones can make more keys trusted (``grow_by_rotations``)."""
    ids = ", ".join(sorted(carried)) or "none"
    if not trust.given:
        return TrustDecision(
            dict(carried),
            False,
            (
                f"signer not established: no trusted key was given, so the records were "
                f"checked with {came_with} ({ids}); this shows they are intact, not who signed "
                "them: pin the device's published key id or give its public key",
            ),
        )
    keys = {key_id_of(key): key for key in trust.keys}
    notes = []
    for key_id in sorted(trust.key_ids):
        if key_id in carried:
            keys.setdefault(key_id, carried[key_id])
        elif key_id not in keys:
            notes.append(f"key id {key_id} is pinned, but it is not among {came_with} ({ids})")
    notes += grow_by_rotations(keys, rotations)
    stray = sorted(set(carried) - set(keys))
    if stray:
        notes.append(f"key id(s) {', '.join(stray)} among {came_with} are not trusted")
    return TrustDecision(keys, True, tuple(notes))


def grow_by_rotations(keys: dict[str, Ed25519PublicKey], records: Iterable[Record]) -> list[str]:
    """Add to ``keys`` every key a valid rotation statement by a key of ``keys`` introduces,
    until none is left to add; notes on what was added, and on each statement refused."""
    notes: list[str] = []
    waiting: list[tuple[str, RotationStatement]] = []
    for record in records:
        if record.kind != KEY_ROTATED:
            continue
        where = f"{record.stream}#{record.seq}"
        try:
            waiting.append((where, RotationStatement.from_fields(record.fields)))
        except RotationError as exc:
            notes.append(f"{where}: a {KEY_ROTATED} record that is no rotation statement ({exc})")
    grew = True
    while grew:
        grew = False
        for where, statement in list(waiting):
            old, new = statement.old_key_id, statement.new_key_id
            signer = keys.get(old)
            if signer is None:
                continue
            waiting.remove((where, statement))
            problem = statement.problem(signer)
            if problem is not None:
                notes.append(
                    f"{where}: the rotation statement introducing key {new} does not verify "
                    f"with trusted key {old} ({problem}): key {new} is not trusted through it"
                )
            elif new not in keys:
                keys[new] = statement.new_key()
                notes.append(
                    f"key {new} is trusted: trusted key {old} introduced it by the rotation "
                    f"statement at {where}"
                )
                grew = True
    for where, statement in waiting:
        old, new = statement.old_key_id, statement.new_key_id
        if new not in keys:
            notes.append(
                f"{where}: the rotation statement introducing key {new} is signed by key {old}, "
                f"which is not trusted: key {new} is not trusted through it"
            )
    return notes


def read_trusted_keys(path: Path) -> list[Ed25519PublicKey]:
    """The keys of a trusted-keys file: one base64 public key per line, optionally followed by
    a label; blank lines and lines starting with ``#`` are skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PublicKeyError(f"{path}: cannot read the trusted keys ({exc})") from None
    keys = []
    for n, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        try:
            keys.append(parse_public_key(words[0]))
        except PublicKeyError as exc:
            raise PublicKeyError(
                f"{path}, line {n}: {exc} (a trusted-keys file holds one base64 public key "
                "per line)"
            ) from None
    if not keys:
        raise PublicKeyError(f"{path}: holds no public key")
    return keys
