"""The command channel: an executable run per delivery, the message on stdin and in its env.

stdin holds the webhook's JSON body (``webhook.body_of``); the environment holds only a
safe ``PATH`` and the ``LACTAMON_*`` variables of docs/NOTIFY_PAYLOAD.md, never the
daemon's own environment. Exit status 0 is delivery. Past the time limit the command and
everything it started are killed and reaped before ``DeliveryFailed`` is raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

from config.notify_channels import CommandSettings
from monitor.notify.channel import Delivery, DeliveryFailed
from monitor.notify.webhook import body_of

SAFE_PATH = "/usr/bin:/bin"
SNIPPET = 200


def environment_of(delivery: Delivery) -> dict[str, str]:
    """The command's whole environment: nothing of the daemon's leaks into it."""
    message, to = delivery.message, delivery.to
    note, place = message.note, message.place
    return {
        "PATH": SAFE_PATH,
        "LACTAMON_SUBJECT": message.subject(),
        "LACTAMON_PRIORITY": str(int(note.priority)),
        "LACTAMON_REASON": note.reason,
        "LACTAMON_ALARMS": ",".join(note.alarms),
        "LACTAMON_MESSAGE": note.message,
        "LACTAMON_KEY": delivery.key,
        "LACTAMON_TO_ID": to.id if to is not None else "",
        "LACTAMON_TO_NAME": to.name if to is not None else "",
        "LACTAMON_TO_PHONE": (to.phone or "") if to is not None else "",
        "LACTAMON_TO_EMAIL": (to.email or "") if to is not None else "",
        "LACTAMON_SITE": place.site,
        "LACTAMON_DEVICE": place.device,
    }


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").strip()


def _one_line(raw: bytes) -> str:
    # So that the journal's record of the attempt stays one readable line.
    return " ".join(_text(raw).split())


class CommandChannel:
    """Runs ``settings.path`` with ``settings.args`` once per delivery."""

    name = "command"

    def __init__(self, settings: CommandSettings) -> None:
        self.settings = settings

    @property
    def per_person(self) -> bool:
        return self.settings.per_person

    async def deliver(self, delivery: Delivery) -> str:
        path, timeout = self.settings.path, self.settings.timeout_s
        try:
            proc = await asyncio.create_subprocess_exec(
                path,
                *self.settings.args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=environment_of(delivery),
                # Its own process group, so that a timeout kills what it started too (a
                # shell's children would otherwise hold the pipes open and wait() hang).
                start_new_session=True,
            )
        except OSError as exc:
            raise DeliveryFailed(
                f"cannot run {path}: {exc.strerror or exc}", "unreachable"
            ) from None
        try:
            async with asyncio.timeout(timeout):
                out, err = await proc.communicate(body_of(delivery))
        except TimeoutError:
            await _kill(proc)
            raise DeliveryFailed(f"killed after {timeout:g} s", "timed_out") from None
        except BaseException:
            # The dispatcher gave up (cancelled): the command must not outlive the attempt.
            await _kill(proc)
            raise
        code = proc.returncode
        if code == 0:
            lines = _text(out).splitlines()
            return f"exit 0: {lines[0][:SNIPPET]}" if lines else "exit 0"
        said = _one_line(err)[:SNIPPET]
        what = f"exit {code}" if code is None or code >= 0 else f"killed by {_signal_name(-code)}"
        raise DeliveryFailed(f"{what}: {said}" if said else what)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


async def _kill(proc: asyncio.subprocess.Process) -> None:
    """Kill the command's process group and reap it: no zombie, no pipe left open."""
    # The group too when the leader is gone: a child it left behind may hold the pipes.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    # Shielded so that a second cancellation cannot leave the process unreaped.
    await asyncio.shield(proc.wait())
