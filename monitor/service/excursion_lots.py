"""The lots an enclosure's alarm is about: named in an ``excursion_lots`` record of ``alarms``.

docs/RULES.md, The lot's life, L14: every band excursion and probe fault of an enclosure
lists the lots stored there during it. When the desk raises a band or probe alarm whose
source is an enclosure (``band:F1``) or one of its probes (``stale:F1-air``, ``fault:``,
``stuck:``), the lots in it at that moment are recorded right after the alarm's own
record; a lot stored there while such an alarm is active is recorded when it comes in.
Fields: ``alarm``, ``enclosure``, ``source``, ``lots`` (lot numbers joined by commas) and
``event`` (``raised``: in it when the alarm was raised; ``stored``: brought in while it was
active). Each lot's own record of the excursion is read from the enclosure-day streams
(``lot_excursions``).

The record goes to the ``alarms`` stream: it is written while the alarm's transition is,
inside the same commit, and a restart replays that stream without taking it for an alarm.
"""

from __future__ import annotations

from collections.abc import Iterable

from config import Settings
from monitor.alarms import Alarm, AlarmTransition
from monitor.journal import Journal
from monitor.journal.lot_excursions import EXPOSURE_CONDITIONS
from monitor.journal.streams import ALARM_STREAM
from monitor.service.alarm_desk import AlarmDesk
from monitor.service.lot_registry import LotRegistry

KIND = "excursion_lots"


class ExcursionLots:
    """A desk listener (``on_transition``) and the lot desk's hook for lots brought in."""

    def __init__(
        self, settings: Settings, registry: LotRegistry, journal: Journal, desk: AlarmDesk
    ) -> None:
        self.registry, self.journal, self.desk = registry, journal, desk
        self.enclosure_of: dict[str, str] = {}
        for enclosure in settings.enclosures:
            self.enclosure_of[enclosure.id] = enclosure.id
            for probe in enclosure.probes:
                self.enclosure_of[probe] = enclosure.id

    def on_transition(self, alarm: Alarm, transition: AlarmTransition) -> None:
        if transition.action != "raised":
            return
        enclosure = self.exposed(alarm)
        if enclosure is None:
            return
        lots = self.registry.lots_in(enclosure)
        if lots:
            self._record(transition.ts, alarm.key, enclosure, alarm.source, lots, "raised")

    def stored(self, ts: int, enclosure: str, lots: Iterable[str]) -> None:
        """Lots brought into ``enclosure`` while an alarm about it is active."""
        lots = sorted(lots)
        for alarm in self.desk.manager.alarms.values():
            if alarm.condition_active and self.exposed(alarm) == enclosure:
                self._record(ts, alarm.key, enclosure, alarm.source, lots, "stored")

    def exposed(self, alarm: Alarm) -> str | None:
        """The enclosure whose milk ``alarm`` is about: a band excursion or a probe fault of
        it or of its probes, not its other alarms (an unsigned daily sheet)."""
        if alarm.key.partition(":")[0] not in EXPOSURE_CONDITIONS:
            return None
        return self.enclosure_of.get(alarm.source)

    def _record(
        self, ts: int, key: str, enclosure: str, source: str, lots: list[str], event: str
    ) -> None:
        fields = {
            "alarm": key,
            "enclosure": enclosure,
            "source": source,
            "lots": ",".join(lots),
            "event": event,
        }
        self.journal.append_event(ALARM_STREAM, KIND, dict(fields), ts=ts)
