"""Each driver's qualifier: the conversion rules, and the one rule that needs the past: spikes.

A step between consecutive readings of a probe larger than its ``max_step_c`` is faster than
the air of an enclosure can change (docs/RULES.md, Probe faults and plausibility, F6): the
reading is ``suspect``, its ``detail`` names the jump. It
is measured from the probe's last trusted reading (ok or out of range), so a single spike and
the return after it are told apart: the spike is suspect, the return is not. A new level that
lasts is suspect until the last trusted reading is older than the probe's silence
(``stale_after_s``); from then on it is the probe's value, as after any silence, since what
was not measured in between cannot be compared.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from config.probe_limits import ProbeLimits, limits_for
from config.probes import Probe
from drivers.conversion import make_reading
from monitor.clock import NS_PER_S
from monitor.reading import Quality, Reading

_TRUSTED = (Quality.OK, Quality.OUT_OF_RANGE)


class ReadingQualifier:
    """Turns the raw values of a driver's probes into readings, remembering the last trusted."""

    def __init__(
        self, probes: Iterable[Probe], limits: Mapping[str, ProbeLimits] | None = None
    ) -> None:
        probes = list(probes)
        self._limits = limits_for(probes, limits)
        self._window_ns = {p.id: int(p.stale_after_s * NS_PER_S) for p in probes}
        self._last_trusted: dict[str, tuple[int, float]] = {}

    def limits(self, probe_id: str) -> ProbeLimits:
        return self._limits[probe_id]

    def reading(
        self,
        probe: Probe,
        raw: float,
        ts: int,
        unit: str | None = None,
        *,
        device_fault: str | None = None,
    ) -> Reading:
        """The reading of ``raw`` from ``probe`` at ``ts`` (UTC ns), spikes included."""
        limits = self._limits[probe.id]
        reading = make_reading(probe, raw, ts, unit, limits=limits, device_fault=device_fault)
        if reading.quality not in _TRUSTED:
            return reading
        jump = self._jump(probe.id, reading, limits.max_step_c)
        if jump is not None:
            return dataclasses.replace(reading, quality=Quality.SUSPECT, detail=jump)
        self._last_trusted[probe.id] = (reading.ts, reading.value)
        return reading

    def _jump(self, probe_id: str, reading: Reading, max_step_c: float | None) -> str | None:
        last = self._last_trusted.get(probe_id)
        if max_step_c is None or last is None:
            return None
        last_ts, last_value = last
        elapsed_ns = reading.ts - last_ts
        if not 0 <= elapsed_ns <= self._window_ns[probe_id]:
            return None
        step = abs(reading.value - last_value)
        if step <= max_step_c:
            return None
        seconds = elapsed_ns / NS_PER_S
        return f"jump of {step:.1f} °C in {seconds:.0f} s: wrong unit or loose probe?"
