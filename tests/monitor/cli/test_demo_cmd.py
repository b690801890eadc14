import pytest

from monitor.cli.main import main


@pytest.mark.parametrize("speed", ["0", "5000"])
def test_demo_refuses_a_speed_out_of_range(speed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--speed", speed]) == 1
    assert "--speed must be between 1 and 1200" in capsys.readouterr().err
