import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNITS = Path(__file__).parents[2] / "systemd"


def exposure(unit: Path) -> float:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.fail("systemd-analyze is missing: install the Debian package 'systemd'")
    proc = subprocess.run(
        [tool, "security", "--offline=yes", str(unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", proc.stdout + proc.stderr)
    assert match, proc.stdout + proc.stderr
    return float(match.group(1))


def service_section(unit: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(unit)
    return parser["Service"]


@pytest.mark.parametrize("name", ["lactamon.service", "lactamon-simulator.service"])
def test_unit_exposure_is_at_most_2_5(name: str) -> None:
    assert exposure(UNITS / name) <= 2.5


def test_daemon_unit_is_notify_with_watchdog_and_own_user() -> None:
    service = service_section(UNITS / "lactamon.service")
    assert service["Type"] == "notify"
    assert int(service["WatchdogSec"]) > 0
    assert service["Restart"] == "on-failure"
    assert service["User"] == "lactamon"
    assert service["StateDirectory"] == "lactamon"
    assert service["ProtectSystem"] == "strict"
    assert "dialout" in service["SupplementaryGroups"]


def test_install_script_is_valid_bash() -> None:
    proc = subprocess.run(["bash", "-n", str(UNITS / "install.sh")], capture_output=True)
    assert proc.returncode == 0, proc.stderr
