import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "lactamon.toml"
    path.write_text(f'[users]\npath = "{tmp_path / "users.sqlite"}"\n')
    return path


def lactamon(config: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor.cli.main", *args, "--config", str(config)],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_first_user_must_be_supervisor_then_supervisor_signs(config: Path) -> None:
    refused = lactamon(config, "users", "add", "anne", "--name", "Anne", "--role", "technician",
                       stdin="password-anne\n")  # fmt: skip
    assert refused.returncode == 1
    assert "the first user of a site must be a supervisor" in refused.stderr

    sup = lactamon(config, "users", "add", "sophie", "--name", "Dr Sophie Bernard",
                   "--role", "supervisor", stdin="password-sophie\n")  # fmt: skip
    assert sup.returncode == 0, sup.stderr
    assert "added supervisor sophie (Dr Sophie Bernard)" in sup.stdout

    tech = lactamon(config, "users", "add", "anne", "--name", "Anne Martin", "--role",
                    "technician", "--by", "sophie",
                    stdin="password-sophie\npassword-anne\n")  # fmt: skip
    assert tech.returncode == 0, tech.stderr

    listing = lactamon(config, "users", "list")
    assert "anne             technician  Anne Martin" in listing.stdout

    disabled = lactamon(config, "users", "disable", "anne", "--by", "sophie",
                        stdin="password-sophie\n")  # fmt: skip
    assert disabled.returncode == 0
    assert "(disabled)" in lactamon(config, "users", "list").stdout


def test_wrong_supervisor_password_changes_nothing(config: Path) -> None:
    lactamon(config, "users", "add", "sophie", "--name", "S", "--role", "supervisor",
             stdin="password-sophie\n")  # fmt: skip
    bad = lactamon(config, "users", "add", "anne", "--name", "A", "--role", "technician",
                   "--by", "sophie", stdin="not-her-password\npassword-anne\n")  # fmt: skip
    assert bad.returncode == 1
    assert "wrong user name or password" in bad.stderr
    assert "anne" not in lactamon(config, "users", "list").stdout


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["users", "add", "x", "--name", "X", "--role", "chef"], "", "invalid choice: 'chef'"),
        (["users", "passwd", "nobody", "--by", "s"], "", "unknown user 'nobody'"),
        (["users", "add", "Bad Name", "--name", "B", "--role", "supervisor"], "pw-long-enough\n",
         "user name 'Bad Name'"),
        (["users", "add", "s", "--name", "S", "--role", "supervisor"], "", "no password"),
    ],
)  # fmt: skip
def test_bad_arguments_name_the_problem(
    config: Path, args: list[str], stdin: str, message: str
) -> None:
    result = lactamon(config, *args, stdin=stdin)
    assert result.returncode != 0
    assert message in result.stderr


def test_missing_config_is_exit_2(tmp_path: Path) -> None:
    result = lactamon(tmp_path / "absent.toml", "users", "list")
    assert result.returncode == 2
    assert "no such file" in result.stderr
