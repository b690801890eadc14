"""The daemon as a process of its own, on a simulated clock it shares with the test.

    python -m tests.monitor.service.daemon_process --config settings.json --speed 300 \
        --origin-ns 1767225600000000000 --real-start 12345.678

runs what ``lactamon run`` runs, with a ``ScaledClock`` given the test's speed, origin and
real start (a ``time.monotonic()`` value, system-wide on Linux): a daemon started again
after it was killed goes on with the timeline of the simulator and of the journal instead
of beginning a new one at its own start. The settings are the parsed mapping of a settings
file, as JSON, so the test writes them without a TOML writer. ``Daemons`` starts such
processes for a test and stops whatever still runs at its end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from config import Settings
from config.loading import validate_mapping
from monitor.clock import ScaledClock
from monitor.service.daemon import Daemon

ROOT = Path(__file__).parents[3]


@dataclass
class Daemons:
    """Starts daemon processes on the test's clock; whatever still runs is stopped at the end."""

    config: Path
    settings: Settings
    clock: ScaledClock
    logs: Path
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self) -> subprocess.Popen[bytes]:
        log_file = self.logs / f"daemon-{len(self.started) + 1}.log"
        command = [
            sys.executable, "-m", "tests.monitor.service.daemon_process",
            "--config", str(self.config),
            "--speed", repr(self.clock.speed),
            "--origin-ns", str(self.clock.origin_ns),
            "--real-start", repr(self.clock.real_start),
        ]  # fmt: skip
        with log_file.open("wb") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        self.started.append(process)
        return process

    def log_tail(self) -> str:
        parts = []
        for path in sorted(self.logs.glob("daemon-*.log")):
            lines = path.read_text(errors="replace").splitlines()[-25:]
            parts.append(f"--- {path.name}\n" + "\n".join(lines))
        return "\n".join(parts)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="daemon_process", description=__doc__)
    parser.add_argument("--config", type=Path, required=True, help="settings mapping as JSON")
    parser.add_argument("--speed", type=float, required=True)
    parser.add_argument("--origin-ns", type=int, required=True)
    parser.add_argument("--real-start", type=float, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    settings = validate_mapping(json.loads(args.config.read_text()), str(args.config))
    clock = ScaledClock(args.speed, args.origin_ns, real_start=args.real_start)
    asyncio.run(Daemon(settings, clock).run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
