"""The overview's tiles: one per pasteuriser and enclosure, from the data ``lactamon status``
reads, each with its probes' values and ages, its band, its running cycle and one state.

The state is the most pressing of: an alarm waiting for acknowledgement, a probe fault, a
silent (stale) probe, an alarm acknowledged but still active, an excursion still within its
delay, a probe with no reading yet (never "normal" on no evidence), normal. The page's
colours follow it; the words say it too, for who cannot see them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from monitor.alarms import Alarm, AlarmState
from monitor.clock import NS_PER_S
from monitor.service.facade import ServiceFacade

# Most pressing first.
STATES = ("unacked", "fault", "stale", "acked", "delay", "nodata", "normal")


@dataclass(slots=True)
class ProbeLine:
    probe: str
    value_c: float | None
    age_s: float | None
    quality: str | None
    state: str  # ok, waiting, stale, fault, stuck, …


@dataclass(slots=True)
class CycleLine:
    cycle: str
    program: str
    phase: str
    lots: list[str]
    hold_left_s: float | None


@dataclass(slots=True)
class Tile:
    id: str
    name: str
    kind: str  # pasteuriser, fridge, freezer
    state: str = "normal"
    band: str = ""
    probes: list[ProbeLine] = field(default_factory=list)
    cycle: CycleLine | None = None
    alarms: list[str] = field(default_factory=list)
    delay_since_ns: int | None = None


def band_text(low: float | None, high: float) -> str:
    def c(value: float) -> str:
        return f"{value:g}".replace("-", "−")  # the minus sign, not a hyphen

    return f"≤ {c(high)} °C" if low is None else f"{c(low)} … {c(high)} °C"


def build_tiles(service: ServiceFacade) -> list[Tile]:
    """The tiles as they stand now."""
    pipeline = service.pipeline
    settings = pipeline.settings
    status = service.status()
    probes = {p["probe"]: p for p in status["probes"]}
    alarms = pipeline.desk.listing()
    tiles: list[Tile] = []
    for pasteuriser in settings.pasteurisers:
        tile = Tile(pasteuriser.id, pasteuriser.name or pasteuriser.id, "pasteuriser")
        tile.probes = [_probe(probes, p.probe) for p in pasteuriser.probes]
        tile.cycle = _running_cycle(service, pasteuriser.id)
        tiles.append(tile)
    for enclosure in settings.enclosures:
        tile = Tile(enclosure.id, enclosure.name or enclosure.id, str(enclosure.kind))
        tile.band = band_text(enclosure.band.low, enclosure.band.high)
        tile.probes = [_probe(probes, p) for p in enclosure.probes]
        band = pipeline.machines.bands.get(enclosure.id)
        if band is not None and band.state.since_ts is not None and not band.state.alarmed:
            tile.delay_since_ns = band.state.since_ts
        tiles.append(tile)
    for tile in tiles:
        _judge(tile, alarms)
    return tiles


def _probe(probes: dict[str, Any], probe_id: str) -> ProbeLine:
    p = probes.get(probe_id, {})
    return ProbeLine(
        probe_id, p.get("value"), p.get("age_s"), p.get("quality"), p.get("state", "waiting")
    )


def _running_cycle(service: ServiceFacade, pasteuriser: str) -> CycleLine | None:
    now = service.clock.now_ns()
    for cycle in service.pipeline.cycles.values():
        if cycle.pasteuriser != pasteuriser:
            continue
        machine = cycle.machine
        left = None
        started = machine.state.hold_started_ts
        if started is not None:
            left = max(0.0, machine.setup.program.hold_s - (now - started) / NS_PER_S)
        return CycleLine(cycle.stream, cycle.program, machine.phase.value, list(cycle.lots), left)
    return None


def _judge(tile: Tile, alarms: list[Alarm]) -> None:
    """The tile's alarms and its one state (``STATES``, most pressing wins)."""
    mine = {tile.id, *(p.probe for p in tile.probes)}
    found = {"normal"}
    for alarm in alarms:
        if alarm.source in mine or alarm.key.endswith(f":{tile.id}"):
            tile.alarms.append(alarm.key)
            if alarm.needs_ack:
                found.add("unacked")
            elif alarm.state is AlarmState.ACKED and alarm.condition_active:
                found.add("acked")
    for probe in tile.probes:
        if "fault" in probe.state:
            found.add("fault")
        if "stale" in probe.state:
            found.add("stale")
        if probe.value_c is None:
            found.add("nodata")
    if tile.delay_since_ns is not None:
        found.add("delay")
    tile.state = next(s for s in STATES if s in found)


def tiles_json(tiles: list[Tile]) -> list[dict[str, Any]]:
    return [asdict(t) for t in tiles]
