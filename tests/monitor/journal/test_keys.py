import base64
import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from monitor.journal import KeyFileError, PublicKeyError, load_key_file, parse_public_key
from monitor.journal.keys import (
    generate_key_file,
    key_id_of,
    public_key_b64,
    public_key_pem,
    public_key_raw,
    signature_valid,
)


def test_a_generated_key_file_is_private_and_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "device.key"
    key = generate_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    loaded = load_key_file(path)
    assert loaded.key_id == key.key_id
    assert signature_valid(key.public, loaded.sign(b"x"), b"x")
    assert not signature_valid(key.public, loaded.sign(b"x"), b"y")


def test_an_existing_key_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "device.key"
    path.write_text("precious")
    with pytest.raises(KeyFileError, match="never overwritten"):
        generate_key_file(path)
    assert path.read_text() == "precious"


def test_the_key_id_is_a_fingerprint_of_the_raw_public_key() -> None:
    public = Ed25519PrivateKey.generate().public_key()
    expected = hashlib.sha256(public_key_raw(public)).hexdigest()[:16]
    assert key_id_of(public) == expected
    assert len(expected) == 16


def write(path: Path, data: bytes, mode: int = 0o600) -> Path:
    path.write_bytes(data)
    path.chmod(mode)
    return path


def pem(key: object, encryption: serialization.KeySerializationEncryption) -> bytes:
    return key.private_bytes(  # type: ignore[attr-defined, no-any-return]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def test_every_bad_key_file_gets_a_clear_error(tmp_path: Path) -> None:
    good = pem(Ed25519PrivateKey.generate(), serialization.NoEncryption())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    cases = {
        "no key file": tmp_path / "missing.key",
        "open to group or others": write(tmp_path / "open.key", good, 0o640),
        "not a readable PEM": write(tmp_path / "damaged.key", good[:60] + b"!!" + good[62:]),
        "RSAPrivateKey, not an Ed25519": write(
            tmp_path / "rsa.key", pem(rsa_key, serialization.NoEncryption())
        ),
        "is encrypted": write(
            tmp_path / "enc.key",
            pem(Ed25519PrivateKey.generate(), serialization.BestAvailableEncryption(b"pw")),
        ),
        "holds a public key": write(
            tmp_path / "pub.key", public_key_pem(Ed25519PrivateKey.generate().public_key()).encode()
        ),
        "not a regular file": tmp_path,
    }
    for message, path in cases.items():
        with pytest.raises(KeyFileError, match=message):
            load_key_file(path)


def test_public_keys_are_read_from_base64_or_pem() -> None:
    public = Ed25519PrivateKey.generate().public_key()
    assert key_id_of(parse_public_key(public_key_b64(public))) == key_id_of(public)
    assert key_id_of(parse_public_key(public_key_pem(public))) == key_id_of(public)
    assert key_id_of(parse_public_key(public_key_b64(public).encode())) == key_id_of(public)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not base64!", "neither PEM nor valid base64"),
        (base64.b64encode(b"short").decode(), "5 bytes"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "not a readable PEM"),
    ],
)
def test_bad_public_keys_are_refused(text: str, message: str) -> None:
    with pytest.raises(PublicKeyError, match=message):
        parse_public_key(text)


def test_a_pem_public_key_of_another_type_is_refused() -> None:
    rsa_public = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    text = rsa_public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    with pytest.raises(PublicKeyError, match="not an Ed25519 public key"):
        parse_public_key(text)
