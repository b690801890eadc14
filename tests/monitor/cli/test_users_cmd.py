import subprocess
import sys
from pathlib import Path

import pytest

from monitor.journal import Journal, JournalReader
from monitor.journal.streams import USERS_STREAM
from monitor.signature import Signature
from monitor.users import UserStore
from monitor.users.journaling import UserChangeJournal
from tests.monitor.journal.samples import StepClock, device_key


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


def test_every_change_is_signed_by_the_supervisor_and_reaches_the_journal(
    config: Path, tmp_path: Path
) -> None:
    sophie = ["--by", "sophie"]
    steps = [
        (["add", "sophie", "--name", "Dr Sophie Bernard", "--role", "supervisor"],
         "password-sophie\n", "added supervisor sophie"),
        (["add", "anne", "--name", "Anne Martin", "--role", "technician", *sophie,
          "--comment", "night shift"], "password-sophie\npassword-anne\n", "added technician"),
        (["role", "anne", "--role", "supervisor", *sophie], "password-sophie\n",
         "anne is now a supervisor"),
        (["passwd", "anne", *sophie], "password-sophie\npassword-anne-2\n", "password of anne"),
        (["disable", "anne", *sophie, "--comment", "left"], "password-sophie\n", "disabled"),
    ]  # fmt: skip
    for args, stdin, said in steps:
        done = lactamon(config, "users", *args, stdin=stdin)
        assert done.returncode == 0, done.stderr
        assert said in done.stdout
        assert "journal" in done.stdout  # says where the change goes next
    assert "anne             supervisor" in lactamon(config, "users", "list").stdout

    store = UserStore(tmp_path / "users.sqlite")
    journal_path = tmp_path / "journal.sqlite"
    with Journal(journal_path, device_key(), StepClock()) as journal:
        assert UserChangeJournal(store, journal).catch_up() == 5
    with JournalReader(journal_path) as reader:
        records = [r for r in reader.stream_records(USERS_STREAM) if r.kind != "checkpoint"]
    assert [r.kind for r in records] == [
        "user_added", "user_added", "user_role_changed", "user_password_changed",
        "user_disabled",
    ]  # fmt: skip
    signer = Signature("sophie", "Dr Sophie Bernard", "authorised", "night shift")
    assert {k: records[1].fields[k] for k in signer.fields()} == signer.fields()
    assert records[4].fields["comment"] == "left"
    assert records[2].fields["role"] == "supervisor"


def test_role_changes_are_signed_and_checked(config: Path) -> None:
    lactamon(config, "users", "add", "sophie", "--name", "S", "--role", "supervisor",
             stdin="password-sophie\n")  # fmt: skip
    last = lactamon(config, "users", "role", "sophie", "--role", "technician", "--by", "sophie",
                    stdin="password-sophie\n")  # fmt: skip
    assert last.returncode == 1
    assert "sophie is the last supervisor" in last.stderr
    unsigned = lactamon(config, "users", "role", "sophie", "--role", "technician")
    assert unsigned.returncode == 2
    assert "--by" in unsigned.stderr
