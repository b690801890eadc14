"""The command channel, running real executables written into the test's directory."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from config.notify_channels import CommandSettings
from monitor.notify import DeliveryFailed
from monitor.notify.command import CommandChannel
from monitor.notify.webhook import body_of
from tests.monitor.notify.samples import delivery

# What Python adds to its own environment at start in the C locale (PEP 538), not ours.
PYTHON_ADDS = {"LC_CTYPE"}

RECORDER = f"""#!{sys.executable}
import json, os, sys
out = sys.argv[1]
with open(out + "/stdin.json", "wb") as f:
    f.write(sys.stdin.buffer.read())
with open(out + "/env.json", "w") as f:
    json.dump({{"env": dict(os.environ), "args": sys.argv[1:]}}, f)
print("queued as 42 " + "x" * 300)
print("second line")
"""


def script(tmp_path: Path, text: str, name: str = "notify") -> Path:
    path = tmp_path / name
    path.write_text(text)
    path.chmod(0o700)
    return path


def channel(path: Path, *args: str, **settings: Any) -> CommandChannel:
    return CommandChannel(CommandSettings(path=path, args=list(args), **settings))


def alive(pid: int) -> bool:
    """Whether the process exists; a zombie nobody reaps (PID 1 may not) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


async def gone(pid: int, within_s: float = 3.0) -> bool:
    deadline = time.monotonic() + within_s
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def test_the_command_gets_the_json_on_stdin_and_the_facts_in_its_environment(
    tmp_path: Path,
) -> None:
    command = channel(script(tmp_path, RECORDER), str(tmp_path), "--flag")
    assert command.name == "command"
    assert command.per_person is True
    d = delivery("command")
    answer = await command.deliver(d)
    assert answer == "exit 0: queued as 42 " + "x" * (200 - len("queued as 42 "))
    stdin = (tmp_path / "stdin.json").read_bytes()
    assert stdin == body_of(d)
    payload = json.loads(stdin)
    assert payload["delivery_key"] == d.key
    assert payload["recipient"]["phone"] == "+33 6 12 34 56 78"
    assert payload["subject"] == d.message.subject()
    seen = json.loads((tmp_path / "env.json").read_text())
    assert seen["args"] == [str(tmp_path), "--flag"]
    env = {k: v for k, v in seen["env"].items() if k not in PYTHON_ADDS}
    assert env == {
        "PATH": "/usr/bin:/bin",
        "LACTAMON_SUBJECT": d.message.subject(),
        "LACTAMON_PRIORITY": "1",
        "LACTAMON_REASON": "raised",
        "LACTAMON_ALARMS": "band:F1",
        "LACTAMON_MESSAGE": "fridge F1 out of 0..4 °C for 10 min (worst 6.2 °C)",
        "LACTAMON_KEY": d.key,
        "LACTAMON_TO_ID": "alice",
        "LACTAMON_TO_NAME": "Alice Martin",
        "LACTAMON_TO_PHONE": "+33 6 12 34 56 78",
        "LACTAMON_TO_EMAIL": "alice@lab.example",
        "LACTAMON_SITE": "lab",
        "LACTAMON_DEVICE": "pi-1",
    }


async def test_a_command_for_everyone_gets_no_recipient(tmp_path: Path) -> None:
    command = channel(script(tmp_path, RECORDER), str(tmp_path), per_person=False)
    assert command.per_person is False
    await command.deliver(delivery("command", to=None))
    assert json.loads((tmp_path / "stdin.json").read_bytes())["recipient"] is None
    env = json.loads((tmp_path / "env.json").read_text())["env"]
    for name in ("ID", "NAME", "PHONE", "EMAIL"):
        assert env[f"LACTAMON_TO_{name}"] == ""


async def test_a_command_that_exits_0_silently_is_delivered(tmp_path: Path) -> None:
    # It need not read stdin either.
    command = channel(script(tmp_path, "#!/bin/sh\nexit 0\n"))
    assert await command.deliver(delivery("command")) == "exit 0"


async def test_a_non_zero_exit_is_a_failure_with_what_the_command_said(tmp_path: Path) -> None:
    text = "#!/bin/sh\necho 'sent nothing' \necho 'gateway: no credit left' >&2\nexit 3\n"
    command = channel(script(tmp_path, text))
    with pytest.raises(DeliveryFailed, match=r"^exit 3: gateway: no credit left$"):
        await command.deliver(delivery("command"))


async def test_a_command_killed_by_a_signal_says_which(tmp_path: Path) -> None:
    command = channel(script(tmp_path, "#!/bin/sh\nkill -TERM $$\n"))
    with pytest.raises(DeliveryFailed, match=r"^killed by SIGTERM$"):
        await command.deliver(delivery("command"))


async def test_a_command_past_its_time_is_killed_with_what_it_started(tmp_path: Path) -> None:
    # A shell whose child holds the pipes: killing the shell alone would leave it behind.
    text = '#!/bin/sh\necho $$ > "$1/pid"\nsleep 30 &\necho $! > "$1/child"\nwait\n'
    command = channel(script(tmp_path, text), str(tmp_path), timeout_s=0.5)
    started = time.monotonic()
    with pytest.raises(DeliveryFailed, match=r"^killed after 0\.5 s$"):
        await command.deliver(delivery("command"))
    assert time.monotonic() - started < 3.0
    pid = int((tmp_path / "pid").read_text())
    child = int((tmp_path / "child").read_text())
    assert not alive(pid)  # reaped by the channel: no zombie
    assert await gone(child)


async def test_a_python_command_past_its_time_is_killed(tmp_path: Path) -> None:
    text = f"#!{sys.executable}\nimport os, sys, time\nprint(os.getpid(), flush=True)\n"
    text += 'open(sys.argv[1] + "/pid", "w").write(str(os.getpid()))\ntime.sleep(30)\n'
    command = channel(script(tmp_path, text), str(tmp_path), timeout_s=0.5)
    with pytest.raises(DeliveryFailed, match="killed"):
        await command.deliver(delivery("command"))
    assert not alive(int((tmp_path / "pid").read_text()))


async def test_a_cancelled_delivery_kills_the_command(tmp_path: Path) -> None:
    # The dispatcher's own time limit, shorter than the channel's, cancels the attempt.
    text = '#!/bin/sh\necho $$ > "$1/pid"\nexec sleep 30\n'
    command = channel(script(tmp_path, text), str(tmp_path), timeout_s=60)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(command.deliver(delivery("command")), 0.5)
    assert not alive(int((tmp_path / "pid").read_text()))


async def test_a_missing_executable_is_a_failure_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "no-such-notifier"
    with pytest.raises(DeliveryFailed, match=rf"^cannot run {path}: No such file or directory$"):
        await channel(path).deliver(delivery("command"))


async def test_a_file_that_is_not_executable_is_a_failure_naming_it(tmp_path: Path) -> None:
    path = script(tmp_path, "#!/bin/sh\nexit 0\n")
    path.chmod(0o600)
    with pytest.raises(DeliveryFailed, match=rf"^cannot run {path}: Permission denied$"):
        await channel(path).deliver(delivery("command"))
