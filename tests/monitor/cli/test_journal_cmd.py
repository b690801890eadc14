from pathlib import Path

import pytest

from monitor.cli.main import main
from monitor.journal import Journal, LotBook, generate_key_file, load_key_file, public_key_b64
from monitor.journal.keys import DeviceKey
from monitor.signature import Signature


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(
        f'[journal]\npath = "{tmp_path / "j.sqlite"}"\n'
        f'[signing]\nkey_file = "{tmp_path / "device.key"}"\n'
    )
    return path


def test_keygen_export_verify_and_tamper(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keygen", "--config", str(config)]) == 0
    assert "key id:" in capsys.readouterr().out
    assert main(["keygen", "--config", str(config)]) == 1  # never overwrites a key
    with Journal(tmp_path / "j.sqlite", load_key_file(tmp_path / "device.key")) as journal:
        LotBook(journal).create("L2026-001", ["D1"], Signature("anne", "Anne Martin", "created"))
    key_id = load_key_file(tmp_path / "device.key").key_id
    assert main(["verify", "--config", str(config)]) == 3  # its own key file is not enough
    assert main(["verify", "--config", str(config), "--key-id", key_id]) == 0
    bundle = tmp_path / "b.jsonl"
    assert (
        main(["export", "--config", str(config), "--lot", "L2026-001", "--bundle", str(bundle)])
        == 0
    )
    capsys.readouterr()
    assert main(["verify", "--bundle", str(bundle), "--key-id", key_id]) == 0
    out = capsys.readouterr().out
    assert "lot L2026-001: raw milk in quarantine (no cycle linked)" in out
    assert "sub-lots D1" in out
    bundle.write_text(bundle.read_text().replace('"D1"', '"D9"'))
    capsys.readouterr()
    assert main(["verify", "--bundle", str(bundle), "--key-id", key_id]) == 1
    assert "altered" in capsys.readouterr().out


def test_verify_argument_errors(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--config", str(config), "--lot", "L1"]) == 2
    assert "go with --influx" in capsys.readouterr().err
    assert main(["verify", "--config", str(config), "--public-key", "not a key"]) == 2
    assert "--public-key" in capsys.readouterr().err


def public_key_printed(out: str) -> str:
    return next(line.split()[-1] for line in out.splitlines() if line.startswith("public key:"))


def test_verify_a_journal_with_a_public_key_reads_no_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["keygen", "--key", str(tmp_path / "device.key")]) == 0
    public = public_key_printed(capsys.readouterr().out)
    with Journal(tmp_path / "j.sqlite", load_key_file(tmp_path / "device.key")) as journal:
        LotBook(journal).create("L2026-001", ["D1"], Signature("anne", "Anne Martin", "created"))

    monkeypatch.setattr("monitor.cli.journal_cmd.load_settings", no_settings)
    journal_file = str(tmp_path / "j.sqlite")
    assert main(["verify", "--journal", journal_file, "--public-key", public]) == 0
    assert "OK" in capsys.readouterr().out
    absent = str(tmp_path / "absent.toml")
    args = ["verify", "--journal", journal_file, "--public-key", public, "--config", absent]
    assert main(args) == 0


def test_verify_without_a_trusted_key_says_the_signer_is_not_established(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = generate_key_file(tmp_path / "device.key")
    with Journal(tmp_path / "j.sqlite", key) as journal:
        LotBook(journal).create("L2026-001", ["D1"], Signature("anne", "Anne Martin", "created"))
    monkeypatch.setattr("monitor.cli.journal_cmd.load_settings", no_settings)
    assert main(["verify", "--journal", str(tmp_path / "j.sqlite")]) == 3
    out = capsys.readouterr().out
    assert "INTACT, SIGNER NOT ESTABLISHED" in out
    assert key.key_id in out


def no_settings(path: Path) -> None:
    raise AssertionError(f"settings read from {path}")


def test_the_key_file_the_settings_name_is_trusted_only_when_pinned(
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    device = generate_key_file(tmp_path / "device.key")
    attacker = generate_key_file(tmp_path / "attacker.key")
    with Journal(tmp_path / "j.sqlite", attacker) as journal:  # a journal forged whole
        LotBook(journal).create("L2026-001", ["D1"], Signature("anne", "Anne Martin", "created"))
    monkeypatch.setenv("LACTAMON_SIGNING__KEY_FILE", str(tmp_path / "attacker.key"))
    assert main(["verify", "--config", str(config)]) == 3
    assert main(["verify", "--config", str(config), "--key-id", device.key_id]) == 1
    assert "wrong_key" in capsys.readouterr().out
    assert main(["verify", "--config", str(config), "--key-id", attacker.key_id]) == 0


def test_verify_trusts_the_keys_of_a_trusted_keys_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = generate_key_file(tmp_path / "device.key")
    with Journal(tmp_path / "j.sqlite", key) as journal:
        LotBook(journal).create("L2026-001", ["D1"], Signature("anne", "Anne Martin", "created"))
    keys = tmp_path / "trusted.keys"
    keys.write_text(f"# the lactarium's units\n{public_key_b64(key.public)} unit 1\n")
    journal_file = str(tmp_path / "j.sqlite")
    assert main(["verify", "--journal", journal_file, "--trusted-keys", str(keys)]) == 0
    keys.write_text(public_key_b64(DeviceKey.generate().public) + "\n")
    assert main(["verify", "--journal", journal_file, "--trusted-keys", str(keys)]) == 1
    keys.write_text("no key here\n")
    capsys.readouterr()
    assert main(["verify", "--journal", journal_file, "--trusted-keys", str(keys)]) == 2
    assert "line 1" in capsys.readouterr().err


def test_verify_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for line in (
        "0 intact and signed by a trusted key",
        "1 verification failed",
        "2 the command was wrong",
        "3 intact, but no trusted key was given",
    ):
        assert line in text


def test_against_goes_with_a_journal_or_a_bundle(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "--config", str(config), "--influx", "--against", "mqtt"]) == 2
    assert "--against" in capsys.readouterr().err


def test_keygen_creates_the_missing_folders_of_the_key_private_to_their_owner(
    tmp_path: Path,
) -> None:
    tmp_path.chmod(0o755)
    key = tmp_path / "var" / "lib" / "device.key"
    assert main(["keygen", "--key", str(key)]) == 0
    assert load_key_file(key).key_id
    assert (key.parent.stat().st_mode & 0o777, key.parent.parent.stat().st_mode & 0o777) == (
        0o700,
        0o700,
    )
    assert tmp_path.stat().st_mode & 0o777 == 0o755  # an existing folder is left as it is


def test_keygen_puts_a_relative_key_file_beside_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "etc").mkdir()
    config = tmp_path / "etc" / "c.toml"
    config.write_text('[signing]\nkey_file = "var/device.key"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["keygen", "--config", str(config.relative_to(tmp_path))]) == 0
    assert load_key_file(tmp_path / "etc" / "var" / "device.key").key_id
    assert not (tmp_path / "var").exists()
