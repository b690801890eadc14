"""The device's Ed25519 key: the key file, the public key in base64 or PEM, and its key id.

The key file is an unencrypted PKCS#8 PEM file readable by its owner only: the daemon starts
unattended, so there is nobody to type a passphrase, and file permissions are the protection.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from monitor.journal.errors import KeyFileError, PublicKeyError

KEY_ID_HEX_DIGITS = 16
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def public_key_raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(*_RAW)


def public_key_b64(public_key: Ed25519PublicKey) -> str:
    """The 32 raw bytes in standard base64 (44 characters)."""
    return base64.b64encode(public_key_raw(public_key)).decode("ascii")


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    """SubjectPublicKeyInfo PEM, as OpenSSL writes it."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """The first 16 hex digits of SHA-256 of the raw public key."""
    return hashlib.sha256(public_key_raw(public_key)).hexdigest()[:KEY_ID_HEX_DIGITS]


def parse_public_key(text: str | bytes) -> Ed25519PublicKey:
    """A public key given as raw base64 (44 characters) or as PEM text."""
    data = text.encode("ascii", "replace") if isinstance(text, str) else text
    data = data.strip()
    if data.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise PublicKeyError(f"not a readable PEM public key ({exc})") from None
        if not isinstance(key, Ed25519PublicKey):
            raise PublicKeyError(f"a {type(key).__name__} is not an Ed25519 public key")
        return key
    try:
        raw = base64.b64decode(data, validate=True)
    except binascii.Error:
        raise PublicKeyError("public key: neither PEM nor valid base64") from None
    if len(raw) != 32:
        raise PublicKeyError(f"public key: {len(raw)} bytes once decoded, an Ed25519 key has 32")
    return Ed25519PublicKey.from_public_bytes(raw)


def signature_valid(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True, slots=True)
class DeviceKey:
    """The private key that signs checkpoints and seals, with its public half and key id."""

    private: Ed25519PrivateKey
    public: Ed25519PublicKey
    key_id: str

    @classmethod
    def from_private(cls, private: Ed25519PrivateKey) -> DeviceKey:
        public = private.public_key()
        return cls(private, public, key_id_of(public))

    @classmethod
    def generate(cls) -> DeviceKey:
        """A new key in memory only (use ``generate_key_file`` for the device)."""
        return cls.from_private(Ed25519PrivateKey.generate())

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def generate_key_file(path: Path) -> DeviceKey:
    """Create ``path`` (mode 0600) with a new key; an existing file is never overwritten."""
    key = DeviceKey.generate()
    pem = key.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"{path}: a key file already exists; it is never overwritten") from None
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot create the key file ({exc.strerror})") from None
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, pem)
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise KeyFileError(f"{path}: cannot write the key file ({exc.strerror})") from None
    os.close(fd)
    return key


def load_key_file(path: Path) -> DeviceKey:
    """The key in ``path``; a clear ``KeyFileError`` for every way the file can be wrong."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise KeyFileError(f"{path}: no key file (create one with 'lactamon keygen')") from None
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read the key file ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise KeyFileError(f"{path}: not a regular file")
    if info.st_mode & 0o077:
        raise KeyFileError(
            f"{path}: the private key is open to group or others (mode "
            f"{stat.S_IMODE(info.st_mode):04o}); run: chmod 600 {path}"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read the key file ({exc.strerror})") from None
    if b"PUBLIC KEY-----" in data:
        raise KeyFileError(f"{path}: holds a public key; the device needs its private key")
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise KeyFileError(f"{path}: the key is encrypted; the device key must not be") from None
    except (ValueError, UnsupportedAlgorithm):
        raise KeyFileError(f"{path}: not a readable PEM private key (damaged file?)") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: holds a {type(private).__name__}, not an Ed25519 key")
    return DeviceKey.from_private(private)
