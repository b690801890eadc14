"""From settings to the evaluation core's parameters: the one place the two vocabularies meet."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config import Settings
from config.equipment import Enclosure, Pasteuriser
from config.probes import Probe
from monitor.clock import datetime_to_ns, ns_to_datetime
from monitor.errors import NotFound
from monitor.evaluation import (
    BandSpec,
    CyclePolicy,
    CycleProbes,
    FloraLimits,
    HeatingWatchSpec,
    ProbeHealthSpec,
    Program,
    gap_limit_for,
)


def programs(settings: Settings) -> dict[str, Program]:
    return {
        name: Program(name, p.setpoint_c, p.hold_min * 60.0, p.max_total_flora_cfu_ml)
        for name, p in settings.programs.items()
    }


def program(settings: Settings, name: str) -> Program:
    known = programs(settings)
    if name not in known:
        raise NotFound(f"unknown program {name!r} (known: {', '.join(sorted(known))})")
    return known[name]


def flora_limits(settings: Settings) -> FloraLimits:
    rules = settings.pasteurisation
    return FloraLimits(rules.destroy_above_total_flora_cfu_ml, rules.destroy_above_s_aureus_cfu_ml)


def cycle_probes(pasteuriser: Pasteuriser) -> CycleProbes:
    return CycleProbes(tuple(pasteuriser.reference_probes), pasteuriser.bath_probe)


def cycle_policy(settings: Settings, pasteuriser: Pasteuriser) -> CyclePolicy:
    """The rules, with the gap limit counted in sample periods of the slowest judged probe."""
    rules = settings.pasteurisation
    judged = pasteuriser.reference_probes or [p.probe for p in pasteuriser.probes]
    period = max(settings.probe(probe_id).sample_period_s for probe_id in judged)
    return CyclePolicy(
        hold_policy=rules.hold_policy,
        gap_limit_s=gap_limit_for(period, rules.gap_periods),
        overshoot_margin_c=rules.overshoot_margin_c,
        come_up_limit_s=rules.come_up_limit_min * 60.0,
        cooling_target_c=rules.cooling_target_c,
        cooling_limit_s=rules.cooling_limit_min * 60.0,
        settle_s=rules.settle_min * 60.0,
        cooling_fail_margin_c=rules.cooling_fail_margin_c,
    )


def heating_watch(pasteuriser: Pasteuriser) -> HeatingWatchSpec:
    return HeatingWatchSpec(threshold_c=pasteuriser.unregistered_heating_c)


def band_spec(enclosure: Enclosure, settings: Settings) -> BandSpec:
    """The band of ``enclosure``; a reading counts as measured until its probe's next one, at
    most the slowest probe's stale limit (docs/RULES.md, Cold chain: silence is not measured)."""
    return BandSpec(
        coverage_s=max(settings.probe(p).stale_after_s for p in enclosure.probes),
        kind=enclosure.kind,
        low_c=enclosure.band.low,
        high_c=enclosure.band.high,
        delay_s=enclosure.delay_s,
        gross_low_c=enclosure.gross_low,
        gross_high_c=enclosure.gross_high,
        deadband_c=enclosure.deadband_c,
    )


def probe_health_spec(probe: Probe, timezone: str) -> ProbeHealthSpec:
    return ProbeHealthSpec(
        sample_period_s=probe.sample_period_s,
        stale_periods=probe.stale_after_periods,
        stuck_after_s=probe.stuck_after_s,
        calibration_due_ns=end_of_day_ns(probe.calibration_due, timezone),
    )


def end_of_day_ns(day: date | None, timezone: str) -> int | None:
    """The last instant of ``day`` in the site's time zone: a calibration due on a date is
    still valid all that day, and overdue from the next local midnight."""
    if day is None:
        return None
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))
    return datetime_to_ns(midnight) - 1


def day_key(ts_ns: int, timezone: str) -> str:
    """The local date of a stamp: the day of an enclosure's daily sheet."""
    return ns_to_datetime(ts_ns).astimezone(ZoneInfo(timezone)).date().isoformat()


def day_start_ns(day: date, timezone: str) -> int:
    """Local midnight at the start of ``day``: where one daily sheet ends and the next begins."""
    return datetime_to_ns(datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)))


class LocalDays:
    """``day_key`` for a stream of stamps, nearly all in the same day: that day's bounds are
    kept, so most stamps cost two comparisons instead of a time-zone conversion."""

    def __init__(self, timezone: str) -> None:
        self.timezone = timezone
        self._start_ns = self._end_ns = 0
        self._key = ""

    def key(self, ts_ns: int) -> str:
        if self._start_ns <= ts_ns < self._end_ns:
            return self._key
        key = day_key(ts_ns, self.timezone)
        day = date.fromisoformat(key)
        self._start_ns = day_start_ns(day, self.timezone)
        self._end_ns = day_start_ns(day + timedelta(days=1), self.timezone)
        self._key = key
        return key


def pasteuriser(settings: Settings, pasteuriser_id: str) -> Pasteuriser:
    for p in settings.pasteurisers:
        if p.id == pasteuriser_id:
            return p
    known = ", ".join(p.id for p in settings.pasteurisers) or "none configured"
    raise NotFound(f"unknown pasteuriser {pasteuriser_id!r} (known: {known})")
