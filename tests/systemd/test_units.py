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


def directive(unit: Path, key: str) -> list[str]:
    """Every value given to ``key`` in ``unit``, in order: a key may be given many times,
    which ``configparser`` would fold into the last."""
    found = []
    for line in unit.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() == key and not line.lstrip().startswith("#"):
            found += value.split()
    return found


def test_daemon_reaches_only_loopback_and_the_private_lan() -> None:
    unit = UNITS / "lactamon.service"
    assert directive(unit, "IPAddressDeny") == ["any"]
    assert directive(unit, "IPAddressAllow") == [
        "localhost", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"
    ]  # fmt: skip


def test_daemon_unit_tells_how_to_allow_a_host_beyond_the_lan() -> None:
    text = (UNITS / "lactamon.service").read_text()
    # A drop-in, so that install.sh, which overwrites the unit, keeps the site's addresses.
    for words in ("systemctl edit lactamon.service", "#     IPAddressAllow=", "SMTP",
                  "webhook", "heartbeat", "getent ahosts"):  # fmt: skip
        assert words in text
