"""The daemon as a process of its own, as in ``daemon_process``, with a wall clock that steps.

    python -m tests.monitor.service.stepped_daemon --config settings.json --speed 1500 \
        --origin-ns 1768172400000000000 --real-start 12345.678 --step 396000:-3600

runs what ``daemon_process`` runs, but its clock's wall time is moved by ``BY_S`` seconds
once the shared timeline stands ``AT_S`` simulated seconds after its origin (``--step
AT_S:BY_S``, repeatable; the steps add up). Its monotonic time runs on untouched, as a host's
does when NTP or an operator steps its wall clock; the simulator and the test keep the true
time. The steps are given by the instant of the shared timeline, not by the process's own
age, so a process started again after a kill has its clock where the one before it had it.
``SteppedDaemons`` starts such processes, like ``Daemons``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from config.loading import validate_mapping
from monitor.clock import NS_PER_S, ScaledClock
from monitor.service.daemon import Daemon
from tests.monitor.service.daemon_process import ROOT, Daemons

Step = tuple[float, float]  # (at simulated s after the origin, by s)


class SteppedClock(ScaledClock):
    """A ``ScaledClock`` whose wall time moves by each step's amount from its instant on."""

    def __init__(
        self, speed: float, origin_ns: int, *, real_start: float, steps: Sequence[Step]
    ) -> None:
        super().__init__(speed, origin_ns, real_start=real_start)
        self.steps = sorted(steps)

    def now_ns(self) -> int:
        elapsed = self.monotonic()
        offset_s = sum(by_s for at_s, by_s in self.steps if elapsed >= at_s)
        return self.origin_ns + int(elapsed * NS_PER_S) + int(offset_s * NS_PER_S)


@dataclass
class SteppedDaemons(Daemons):
    """``Daemons`` whose processes run on a ``SteppedClock`` with ``steps``."""

    steps: tuple[Step, ...] = ()

    def start(self) -> subprocess.Popen[bytes]:
        log_file = self.logs / f"daemon-{len(self.started) + 1}.log"
        command = [
            sys.executable, "-m", "tests.monitor.service.stepped_daemon",
            "--config", str(self.config),
            "--speed", repr(self.clock.speed),
            "--origin-ns", str(self.clock.origin_ns),
            "--real-start", repr(self.clock.real_start),
        ]  # fmt: skip
        for at_s, by_s in self.steps:
            command += ["--step", f"{at_s!r}:{by_s!r}"]
        with log_file.open("wb") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        self.started.append(process)
        return process


def parse_step(text: str) -> Step:
    at_s, _, by_s = text.partition(":")
    try:
        return float(at_s), float(by_s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not AT_S:BY_S: {text!r}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stepped_daemon", description=__doc__)
    parser.add_argument("--config", required=True, help="settings mapping as JSON")
    parser.add_argument("--speed", type=float, required=True)
    parser.add_argument("--origin-ns", type=int, required=True)
    parser.add_argument("--real-start", type=float, required=True)
    parser.add_argument("--step", type=parse_step, action="append", default=[])
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    with open(args.config, encoding="utf-8") as file:
        settings = validate_mapping(json.load(file), args.config)
    clock = SteppedClock(args.speed, args.origin_ns, real_start=args.real_start, steps=args.step)
    asyncio.run(Daemon(settings, clock).run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
