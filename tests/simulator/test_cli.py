import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.ports import free_port

EXAMPLE = Path(__file__).parents[2] / "config" / "examples" / "simulator.toml"


def config_on_free_ports(tmp_path: Path) -> Path:
    text = EXAMPLE.read_text()
    text = text.replace("port = 18830", f"port = {free_port()}")
    text = text.replace("port = 15020", f"port = {free_port()}")
    path = tmp_path / "sim.toml"
    path.write_text(text)
    return path


def sim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_runs_a_scenario_over_the_protocols(tmp_path: Path) -> None:
    config = config_on_free_ports(tmp_path)
    result = sim("--config", str(config), "--scenario", "normal-day", "--embedded-broker",
                 "--speed", "1200", "--duration-min", "20", "--report-min", "10")  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "simulating 'normal day' at 1200x; Ctrl-C stops"
    assert re.search(r"P1 heating .*P1-bath \d+\.\d\d", result.stdout)


def test_sigterm_stops_it_at_once_between_two_reports(tmp_path: Path) -> None:
    config = config_on_free_ports(tmp_path)
    command = [sys.executable, "-m", "simulator.cli", "--config", str(config), "--scenario",
               "normal-day", "--embedded-broker", "--speed", "1", "--report-min", "60"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("simulating 'normal day' at 1x")
        process.send_signal(signal.SIGTERM)  # as systemd stops it, 3 minutes before a report
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "no-such-scenario"], "no-such-scenario"),
        (["--scenario", "normal-day", "--speed", "0"], "clock speed must be a finite number > 0"),
    ],
)
def test_bad_arguments_name_the_problem(tmp_path: Path, args: list[str], message: str) -> None:
    result = sim("--config", str(config_on_free_ports(tmp_path)), *args)
    assert result.returncode != 0
    assert message in result.stderr


def test_bad_config_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[probes]]\nid = 'x'\n")
    result = sim("--config", str(bad), "--scenario", "normal-day")
    assert result.returncode == 2
    assert "probes[0].source: required key is missing" in result.stderr


def test_probe_unknown_to_the_scenario_is_refused(tmp_path: Path) -> None:
    config = config_on_free_ports(tmp_path)
    text = config.read_text().replace('id = "F2-air"', 'id = "F9-air"')
    text = text.replace('probes = ["F2-air"]', 'probes = ["F9-air"]')
    config.write_text(text)
    result = sim("--config", str(config), "--scenario", "normal-day", "--duration-min", "1")
    assert result.returncode == 1
    assert "the scenario has no probe F9-air" in result.stderr
