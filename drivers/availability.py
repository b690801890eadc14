"""Which probes are answering: one flag per probe, logged once on failure and once on recovery.

A driver calls ``seen`` for each good value and ``failed`` for each error; a periodic
``check_silence`` turns a probe that has said nothing for its configured silence into an
unavailable one. A silent probe is never given its last value again (docs/RULES.md, Probe
faults and plausibility, F4).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from config.probes import Probe
from drivers.sink import AvailabilityChange, ReadingSink
from monitor.clock import NS_PER_S


class AvailabilityTracker:
    """Availability of a driver's probes; each change goes to the sink and the log, once."""

    def __init__(self, probes: Iterable[Probe], sink: ReadingSink, logger: logging.Logger) -> None:
        self._silence_ns = {p.id: int(p.stale_after_s * NS_PER_S) for p in probes}
        self._available: dict[str, bool | None] = dict.fromkeys(self._silence_ns)
        self._last_seen: dict[str, int | None] = dict.fromkeys(self._silence_ns)
        self._started_ns: int | None = None
        self._sink = sink
        self._log = logger
        self.failures: dict[str, int] = dict.fromkeys(self._silence_ns, 0)

    def start(self, now_ns: int) -> None:
        """Silence is counted from here for probes never heard from."""
        self._started_ns = now_ns

    def is_available(self, probe_id: str) -> bool:
        return self._available.get(probe_id) is True

    def seen(self, probe_id: str, ts: int) -> None:
        self._last_seen[probe_id] = ts
        if self._available.get(probe_id) is not True:
            was_down = self._available.get(probe_id) is False
            self._available[probe_id] = True
            if was_down:
                self._log.warning("probe %s: available again", probe_id)
            self._sink.availability(AvailabilityChange(probe_id, ts, True, "answering"))

    def failed(self, probe_id: str, reason: str, ts: int) -> None:
        self.failures[probe_id] = self.failures.get(probe_id, 0) + 1
        if self._available.get(probe_id) is not False:
            self._available[probe_id] = False
            self._log.warning("probe %s: unavailable: %s", probe_id, reason)
            self._sink.availability(AvailabilityChange(probe_id, ts, False, reason))

    def check_silence(self, now_ns: int, heard_until: int | None = None) -> None:
        """Mark unavailable every probe silent for longer than its configured silence; while
        the driver is behind its link, only up to ``heard_until``: what waits in the broker's
        queue has been sent, and its silence is not known (docs/RULES.md, F9)."""
        judged = now_ns if heard_until is None else min(now_ns, heard_until)
        for probe_id, silence_ns in self._silence_ns.items():
            last = self._last_seen[probe_id]
            since = last if last is not None else self._started_ns
            if since is None or self._available[probe_id] is False:
                continue
            if judged - since > silence_ns:
                seconds = (judged - since) / NS_PER_S
                self.failed(probe_id, f"no data for {seconds:.0f} s", now_ns)
