"""The tags a point gets from outside its record: site, device, equipment, cycle, lots, role.

They are for dashboards and queries; the record itself is rebuilt from its stream, kind,
probe and fields only, so a tag never changes what verification sees. A replay stays
idempotent as long as these tags come out the same: the site and device ids and the probe
roles must not change for data already delivered, and the lots of a cycle are those named by
its ``cycle_started`` record or a ``cycle_linked`` record of a lot (README.md, "Tags").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from monitor.influx.lineproto import tag_safe
from monitor.journal.record import Record
from monitor.journal.streams import StreamKind, parse_stream

if TYPE_CHECKING:
    from config.settings import Settings

log = logging.getLogger(__name__)

CYCLE_STARTED = "cycle_started"
CYCLE_LINKED = "cycle_linked"


class StreamLots:
    """Which lots each stream concerns, learned from the records as they pass.

    A cycle stream learns its lots from its ``cycle_started`` record (field ``lots``,
    comma-separated) and from ``cycle_linked`` records of lot streams (fields ``cycle`` and
    ``lot``); a lot stream ``lot:L2026-001`` concerns its own lot. The outbox seeds it with
    ``learn`` from the journal before delivering from the middle of a stream.
    """

    def __init__(self) -> None:
        self._lots: dict[str, frozenset[str]] = {}
        self.version = 0
        """Goes up each time some stream's lots change (callers cache tags by it)."""

    def learn(self, record: Record) -> None:
        """Take the lots a record names, if it names any."""
        fields = record.fields
        if record.kind == CYCLE_STARTED:
            lots = fields.get("lots")
            if isinstance(lots, str):
                self.add(record.stream, lots.split(","))
        elif record.kind == CYCLE_LINKED:
            parsed = parse_stream(record.stream)
            cycle = fields.get("cycle")
            if parsed.kind is StreamKind.LOT and isinstance(cycle, str):
                self.add(cycle, [parsed.subject])

    def add(self, stream: str, lots: Iterable[str]) -> None:
        """Record that ``stream`` concerns ``lots`` (added to those already known)."""
        usable = set()
        for lot in lots:
            lot = lot.strip()
            if not lot:
                continue
            if tag_safe(lot) and "," not in lot:
                usable.add(lot)
            else:
                log.warning("lot %r of %s cannot be an InfluxDB tag; it is left out", lot, stream)
        known = self._lots.get(stream, frozenset())
        if not usable <= known:
            self._lots[stream] = known | usable
            self.version += 1

    def of(self, stream: str) -> frozenset[str]:
        lots = self._lots.get(stream, frozenset())
        parsed = parse_stream(stream)
        if parsed.kind is StreamKind.LOT:
            own = parsed.subject
            if tag_safe(own) and "," not in own:
                lots = lots | {own}
        return lots


class Tagger:
    """The context tags of a record's point.

    ``site`` and ``device`` name where the record was made (several devices may write to one
    central InfluxDB, each with its own ``device`` stream); ``roles`` maps probe ids to what
    they measure (``bath``, ``reference``, ``bottle``, ``fridge``, ``freezer``).
    """

    def __init__(
        self,
        site: str,
        device: str,
        roles: Mapping[str, str] | None = None,
        lots: StreamLots | None = None,
    ) -> None:
        for what, value in (("site id", site), ("device id", device)):
            if not tag_safe(value):
                raise ValueError(
                    f"{what} {value!r} cannot be an InfluxDB tag: use non-empty text without "
                    "backslashes or control characters, at most 256 bytes"
                )
        for probe, role in (roles or {}).items():
            if not tag_safe(role):
                raise ValueError(f"role {role!r} of probe {probe!r} cannot be an InfluxDB tag")
        self.site, self.device = site, device
        self.roles = dict(roles or {})
        self.lots = lots if lots is not None else StreamLots()
        self._stream_tags: dict[str, dict[str, str]] = {}
        self._stream_tags_version = self.lots.version

    @property
    def version(self) -> int:
        """Changes whenever the tags of some record may have changed."""
        return self.lots.version

    def context_tags(self, stream: str, probe: str | None) -> dict[str, str]:
        """site, device, equipment, cycle and lots of ``stream``; role of ``probe``."""
        if self._stream_tags_version != self.lots.version:
            self._stream_tags.clear()
            self._stream_tags_version = self.lots.version
        base = self._stream_tags.get(stream)
        if base is None:
            base = self._stream_tags[stream] = self._tags_of_stream(stream)
        if probe is None:
            return base
        role = self.roles.get(probe)
        return base if role is None else {**base, "role": role}

    def _tags_of_stream(self, stream: str) -> dict[str, str]:
        tags = {"site": self.site, "device": self.device}
        parsed = parse_stream(stream)
        # Pasteuriser days carry no equipment tag: series already delivered keep their tags.
        if parsed.kind is StreamKind.CYCLE:
            tags["equipment"] = parsed.subject
            tags["cycle"] = stream.removeprefix("cycle:")
        elif parsed.kind is StreamKind.ENCLOSURE_DAY:
            tags["equipment"] = parsed.subject
        lots = self.lots.of(stream)
        if lots:
            tags["lots"] = ",".join(sorted(lots))
        return {name: value for name, value in tags.items() if tag_safe(value)}


def roles_from_settings(settings: Settings) -> dict[str, str]:
    """Probe id → role: a pasteuriser probe's role, or the kind of its enclosure."""
    roles: dict[str, str] = {}
    for pasteuriser in settings.pasteurisers:
        for probe in pasteuriser.probes:
            roles.setdefault(probe.probe, probe.role)
    for enclosure in settings.enclosures:
        for probe_id in enclosure.probes:
            roles.setdefault(probe_id, enclosure.kind)
    return roles


def tagger_from_settings(settings: Settings, device: str, lots: StreamLots | None = None) -> Tagger:
    """A tagger for this site: its id, ``device`` (this unit's name) and the probe roles."""
    return Tagger(settings.site.id, device, roles_from_settings(settings), lots)
