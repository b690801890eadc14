from pathlib import Path

import pytest

from config import load_settings
from monitor.cli.demo_cmd import write_settings
from monitor.cli.main import main


@pytest.mark.parametrize("speed", ["0", "5000"])
def test_demo_refuses_a_speed_out_of_range(speed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--speed", speed]) == 1
    assert "--speed must be between 1 and 1200" in capsys.readouterr().err


def test_the_demo_settings_name_the_kept_folder_from_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("kept").mkdir()
    config = write_settings(Path("kept"))
    monkeypatch.chdir("/")
    settings = load_settings(tmp_path / config)
    assert settings.journal.path == tmp_path / "kept" / "journal.sqlite"
    assert settings.signing.key_file == tmp_path / "kept" / "device.key"
