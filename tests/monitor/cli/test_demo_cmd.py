import itertools
import socket
import time
from pathlib import Path

import pytest

from config import load_settings
from monitor.cli.demo_cmd import write_settings
from monitor.cli.main import main
from monitor.clock import NS_PER_S
from simulator.demo import DemoClock, web_port


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


def test_the_demo_refuses_a_port_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--port", "70000"]) == 1
    assert "--port must be between 0 and 65535" in capsys.readouterr().err


def test_the_web_port_falls_back_to_a_free_one_and_says_so() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        port, note = web_port(taken)
        assert port not in (0, taken)
        assert note == f" (port {taken} is busy)"
    assert web_port(port) == (port, "")


def test_the_demo_clock_slows_down_without_a_jump() -> None:
    clock = DemoClock(200.0)
    time.sleep(0.2)  # 40 simulated seconds: what a slow-down computed from the start would lose
    before = clock.now_ns()
    clock.slow_to(1.0)
    after = clock.now_ns()
    assert clock.speed == 1.0
    assert 0 <= after - before < 5 * NS_PER_S  # a few ms of real time at 200x, at most


def test_the_demo_clock_does_not_count_a_pause_of_the_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: real[0])
    clock = DemoClock(200.0)
    steps = [0.01] * 10 + [0.5] + [0.01] * 10  # the process stopped half a real second
    seen = []
    for step in steps:
        real[0] += step
        seen.append(clock.monotonic())
    gaps = [b - a for a, b in itertools.pairwise(seen)]
    assert max(gaps) == pytest.approx(DemoClock.MAX_STEP_S * 200.0)
    assert min(gaps) == pytest.approx(0.01 * 200.0)
    clock.slow_to(1.0)
    before = clock.monotonic()
    real[0] += 0.5
    assert clock.monotonic() - before == pytest.approx(0.5)  # at real speed, every second
