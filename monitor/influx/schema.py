"""The InfluxDB schema of lactamon records: measurements, tags, fields and point identity.

README.md explains each choice; in short:

- readings go to ``lactamon_reading``, checkpoints and seals to ``lactamon_head``, every
  other event to ``lactamon_event``;
- tags: ``stream``, ``kind`` and ``probe`` come from the record; ``site``, ``device``,
  ``equipment``, ``cycle``, ``lots`` and ``role`` come from the context (``tags.Tagger``);
- fields: ``seq``, ``ts`` (the exact stamp), ``hash`` and ``prev_hash`` (hex), a few typed
  fields per measurement for dashboards (a reading's ``value``, ``raw`` and ``quality``; a
  head's ``head_seq``, ``head_hash``, ``key_id`` and ``signature``), and ``payload``: every
  other record field as one JSON object, whose text keeps each value's type exactly;
- a point's time is ``point_time(ts, seq)``: the record's millisecond, with ``seq`` in the
  nanoseconds below it, so two records of one stream never land on the same point.
"""

from __future__ import annotations

from monitor.influx.lineproto import MAX_TIME_NS
from monitor.journal.signing import SIGNED_KINDS

READING_MEASUREMENT = "lactamon_reading"
EVENT_MEASUREMENT = "lactamon_event"
HEAD_MEASUREMENT = "lactamon_head"
MEASUREMENTS = (READING_MEASUREMENT, EVENT_MEASUREMENT, HEAD_MEASUREMENT)

READING_KIND = "reading"

SLOT_NS = 1_000_000
"""Point times keep the record's millisecond; the nanoseconds below it hold ``seq % SLOT_NS``."""

# Tags taken from the record itself (and read back into it).
STREAM_TAG = "stream"
KIND_TAG = "kind"
PROBE_TAG = "probe"
# Tags from the context: for queries only, never read back into a record.
CONTEXT_TAGS = ("site", "device", "equipment", "cycle", "lots", "role")
TAG_KEYS = frozenset({STREAM_TAG, KIND_TAG, PROBE_TAG, *CONTEXT_TAGS})

SEQ_FIELD = "seq"
TS_FIELD = "ts"
HASH_FIELD = "hash"
PREV_HASH_FIELD = "prev_hash"
PAYLOAD_FIELD = "payload"
ENVELOPE_FIELDS = frozenset({SEQ_FIELD, TS_FIELD, HASH_FIELD, PREV_HASH_FIELD, PAYLOAD_FIELD})

PROMOTED_FIELDS: dict[str, dict[str, type]] = {
    READING_MEASUREMENT: {"value": float, "raw": float, "quality": str},
    EVENT_MEASUREMENT: {},
    HEAD_MEASUREMENT: {"head_seq": int, "head_hash": str, "key_id": str, "signature": str},
}
"""Record fields written as InfluxDB fields of their own, when they have exactly this type.

Each InfluxDB field keeps one type (InfluxDB 1.x refuses a point whose field changes type):
a record field of another type goes to ``payload`` instead.
"""


def measurement_for(kind: str) -> str:
    """The measurement a record of ``kind`` goes to."""
    if kind == READING_KIND:
        return READING_MEASUREMENT
    if kind in SIGNED_KINDS:
        return HEAD_MEASUREMENT
    return EVENT_MEASUREMENT


def point_time(ts: int, seq: int) -> int:
    """The point's time: ``ts`` cut to its millisecond, plus ``seq % SLOT_NS`` nanoseconds.

    Two records of one stream share a point only if they are stamped in the same
    millisecond and their seqs differ by a multiple of a million.
    """
    return ts - ts % SLOT_NS + seq % SLOT_NS


def time_bounds(start_ns: int, end_ns: int) -> tuple[int, int]:
    """Point times ``[low, high)`` that hold every record stamped in ``[start_ns, end_ns)``."""
    high = end_ns - 1 - (end_ns - 1) % SLOT_NS + SLOT_NS
    # InfluxDB refuses a time past its last instant in a query, even as an open bound.
    return start_ns - start_ns % SLOT_NS, min(high, MAX_TIME_NS + 1)
