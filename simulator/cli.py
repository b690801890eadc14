"""``lactamon-sim``: stand in for a lab's hardware, over the real protocols.

    lactamon-sim --config config/examples/simulator.toml --scenario normal-day --embedded-broker

serves the scenario's pasteurisers, fridges and freezers where the settings file says the
probes are, at the chosen speed, and prints what the lab is doing every simulated
``--report-min`` minutes until the scenario ends (or Ctrl-C).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from config import ConfigError, Settings, load_settings
from monitor.clock import Clock, ScaledClock
from simulator.lab import Lab
from simulator.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    load_shipped_scenario,
    shipped_scenario_names,
)
from simulator.session import Simulation, SimulationError

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lactamon-sim", description="Simulated lactarium hardware over the real protocols."
    )
    parser.add_argument("--config", type=Path, required=True, help="lactamon settings file")
    parser.add_argument(
        "--scenario",
        required=True,
        help=f"a scenario file, or a shipped one: {', '.join(shipped_scenario_names())}",
    )
    parser.add_argument("--speed", type=float, help="simulated seconds per real second")
    parser.add_argument(
        "--embedded-broker", action="store_true", help="run an MQTT broker on the [mqtt] port"
    )
    parser.add_argument("--report-min", type=float, default=10.0, help="report every N sim min")
    parser.add_argument("--duration-min", type=float, help="stop after N simulated minutes")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


def scenario_from_argument(value: str) -> Scenario:
    path = Path(value)
    if path.suffix == ".toml" or path.exists():
        return load_scenario(path)
    return load_shipped_scenario(value)


def report(lab: Lab) -> str:
    minutes = lab.sim_time_s / 60
    parts = []
    for pid in lab.pasteuriser_ids():
        parts.append(f"{pid} {lab.pasteuriser_phase(pid)}")
    for probe_id in sorted(lab.probe_ids()):
        out = lab.probe_output(probe_id)
        shown = f"{out.value_c:.2f}" if out.value_c is not None else "—"
        if out.fault is not None:
            shown += f" ({out.fault.value})"
        parts.append(f"{probe_id} {shown}")
    return f"t={minutes:6.1f} min  " + "  ".join(parts)


async def simulate(
    settings: Settings, scenario: Scenario, clock: Clock, args: argparse.Namespace
) -> None:
    lab = Lab.from_scenario(scenario)
    duration_s = args.duration_min * 60 if args.duration_min else scenario.duration_s
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with Simulation(settings, lab, clock, embedded_broker=args.embedded_broker) as sim:
            print(f"simulating {scenario.name!r} at {clock.speed:g}x; Ctrl-C stops", flush=True)
            next_report = 0.0
            while not stop.is_set() and lab.sim_time_s < duration_s:
                if lab.sim_time_s >= next_report:
                    print(report(lab), flush=True)
                    next_report += args.report_min * 60
                failure = sim.failed()
                if failure is not None:
                    raise SimulationError(f"a front-end stopped: {failure}")
                await _pause(clock, args.report_min * 60 / 20, stop)
            print(report(lab), flush=True)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _pause(clock: Clock, seconds: float, stop: asyncio.Event) -> None:
    """``seconds`` of simulated time, or less when asked to stop: a SIGTERM from systemd is
    answered at once, not at the next report."""
    sleeping = asyncio.ensure_future(clock.sleep(seconds))
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({sleeping, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sleeping, stopping):
            task.cancel()
        await asyncio.gather(sleeping, stopping, return_exceptions=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = load_settings(args.config)
        scenario = scenario_from_argument(args.scenario)
    except ConfigError as exc:
        print(f"lactamon-sim: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ScenarioError, LookupError, OSError) as exc:
        print(f"lactamon-sim: {exc}", file=sys.stderr)
        return EXIT_USAGE
    speed = args.speed if args.speed is not None else settings.clock.speed
    try:
        clock = ScaledClock(speed)
        asyncio.run(simulate(settings, scenario, clock, args))
    except (SimulationError, ValueError, OSError) as exc:
        print(f"lactamon-sim: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
