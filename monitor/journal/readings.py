"""A probe ``Reading`` as record fields, and back: the fields every reading record carries.

``probe``, ``value`` (°C, float) and ``quality`` always; ``raw`` when the device sent one;
``detail`` when not empty; then any tags the caller adds. A value that is not finite (a fault
that produced NaN) cannot be a float field: it is left out and named in ``value_nonfinite``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

from monitor.journal.errors import RecordError
from monitor.journal.record import Fields, FieldValue, Record, check_value, normalise_fields
from monitor.reading import Quality, Reading

READING = "reading"


class ReadingPoint(NamedTuple):
    """A reading as its row's columns hold it (``JournalReader.stream_points``): what a
    chart draws, without its tags or hash; a tenth of a record's time and memory to read."""

    seq: int
    ts: int
    probe: str
    value: float
    quality: Quality
    kind: str = READING


_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_OWN = frozenset({"probe", "value", "quality", "raw", "detail", "value_nonfinite", "raw_nonfinite"})


def reading_fields(reading: Reading, tags: Mapping[str, FieldValue | None] | None = None) -> Fields:
    """The fields of a reading record; tags may not reuse a reading's own field names."""
    if not isinstance(reading.probe_id, str) or not reading.probe_id:
        raise RecordError(f"reading probe id {reading.probe_id!r}: must be non-empty text")
    fields: Fields = {"probe": reading.probe_id, "quality": Quality(reading.quality).value}
    value = float(reading.value)
    if math.isfinite(value):
        fields["value"] = value + 0.0
    else:
        fields["value_nonfinite"] = repr(value)
    if reading.raw is not None:
        raw = float(reading.raw)
        if math.isfinite(raw):
            fields["raw"] = raw + 0.0
        else:
            fields["raw_nonfinite"] = repr(raw)
    if reading.detail:
        fields["detail"] = check_value("detail", reading.detail)
    if tags:
        clash = sorted(_OWN & set(tags))
        if clash:
            raise RecordError(f"tags {clash} would replace a reading's own fields")
        fields.update(normalise_fields(tags))
    return fields


def reading_from_record(record: Record) -> Reading:
    """The ``Reading`` a reading record was made from (tags are not part of it)."""
    fields = record.fields
    if record.kind != READING:
        raise RecordError(f"{record.location} is a {record.kind} record, not a reading")
    try:
        probe, quality = str(fields["probe"]), Quality(str(fields["quality"]))
        if "value" in fields:
            value = float(fields["value"])
        else:
            value = _NONFINITE[str(fields["value_nonfinite"])]
        raw: float | None = None
        if "raw" in fields:
            raw = float(fields["raw"])
        elif "raw_nonfinite" in fields:
            raw = _NONFINITE[str(fields["raw_nonfinite"])]
    except (KeyError, ValueError):
        raise RecordError(f"{record.location} does not hold a reading's fields") from None
    return Reading(probe, record.ts, value, quality, raw, str(fields.get("detail", "")))
