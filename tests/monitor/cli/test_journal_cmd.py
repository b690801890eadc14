from pathlib import Path

import pytest

from monitor.cli.main import main
from monitor.journal import Journal, LotBook, Signer, load_key_file


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
        LotBook(journal).create("L2026-001", ["D1"], Signer("anne", "Anne Martin"))
    assert main(["verify", "--config", str(config)]) == 0
    bundle = tmp_path / "b.jsonl"
    assert (
        main(["export", "--config", str(config), "--lot", "L2026-001", "--bundle", str(bundle)])
        == 0
    )
    assert main(["verify", "--bundle", str(bundle)]) == 0
    bundle.write_text(bundle.read_text().replace('"D1"', '"D9"'))
    capsys.readouterr()
    assert main(["verify", "--bundle", str(bundle)]) == 1
    assert "altered" in capsys.readouterr().out


def test_verify_argument_errors(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--config", str(config), "--lot", "L1"]) == 2
    assert "go with --influx" in capsys.readouterr().err
    assert main(["verify", "--config", str(config), "--public-key", "not a key"]) == 2
    assert "--public-key" in capsys.readouterr().err
