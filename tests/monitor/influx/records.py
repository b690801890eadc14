"""Records for the InfluxDB tests: hand-made ones and hypothesis strategies, chained for real."""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import strategies as st

from monitor.influx.lineproto import MAX_TIME_NS
from monitor.influx.schema import SLOT_NS, point_time
from monitor.journal.canonical import canonical_bytes, chain_hash, genesis_hash
from monitor.journal.record import RESERVED_FIELD_NAMES, FieldValue, Record

T0 = 1_795_287_866_586_123_456  # 2026-11-21T...Z, with sub-millisecond digits


def chained(
    stream: str,
    seq: int,
    ts: int,
    kind: str,
    fields: Mapping[str, FieldValue],
    prev_hash: bytes | None = None,
    *,
    keep_prev: bool = True,
) -> Record:
    """A record whose hash is the real chain hash over its canonical bytes."""
    prev = prev_hash if prev_hash is not None else genesis_hash(stream)
    digest = chain_hash(prev, canonical_bytes(stream, seq, ts, kind, fields))
    return Record(stream, seq, ts, kind, dict(fields), digest, prev if keep_prev else None)


def chain(stream: str, items: list[tuple[int, str, dict[str, FieldValue]]]) -> list[Record]:
    """Records 1..n of ``stream`` from (ts, kind, fields), each chained to the one before."""
    records: list[Record] = []
    prev = genesis_hash(stream)
    for seq, (ts, kind, fields) in enumerate(items, start=1):
        record = chained(stream, seq, ts, kind, fields, prev)
        records.append(record)
        prev = record.hash
    return records


def cycle_records(
    stream: str = "cycle:P1:2026-11-21T08:00:00Z",
    lots: str = "L2026-001",
    readings: int = 5,
    t0: int = T0,
) -> list[Record]:
    """A small cycle: started for ``lots``, readings of two probes, a hold, a checkpoint."""
    items: list[tuple[int, str, dict[str, FieldValue]]] = [
        (t0, "cycle_started", {"subject": stream, "lots": lots, "program": "holder63"}),
    ]
    for i in range(readings):
        ts = t0 + (i + 1) * 10_000_000_000
        items.append((ts, "reading", {"probe": "T-ref", "value": 62.0 + i / 8, "quality": "ok"}))
        items.append(
            (ts, "reading", {"probe": "T-bath", "value": 63.5, "quality": "ok", "raw": 6350.0})
        )
    end = t0 + (readings + 1) * 10_000_000_000
    items.append((end, "hold_completed", {"subject": stream, "held_s": 1800.0, "ok": True}))
    items.append(
        (
            end,
            "checkpoint",
            {
                "head_seq": len(items),
                "head_hash": "00" * 32,
                "key_id": "k1",
                "signature": "c2lnbmF0dXJl",
            },
        )
    )
    return chain(stream, items)


# -- hypothesis strategies --------------------------------------------------------------------

_TRICKY = " ,=\"'\\=é漢🙂\t\n\r\x00\u2028"
tricky_text = st.text(
    alphabet=st.sampled_from(_TRICKY) | st.characters(exclude_categories=["Cs"]), max_size=12
)
tag_like_text = st.text(alphabet=st.sampled_from(" ,=\"'é漢🙂#abc-_"), min_size=1, max_size=12)

field_names = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda name: name not in RESERVED_FIELD_NAMES
)
field_values: st.SearchStrategy[FieldValue] = st.one_of(
    tricky_text,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
streams = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="\\"),
    min_size=1,
    max_size=30,
)
kinds = st.sampled_from(["reading", "checkpoint", "seal", "cycle_started", "alarm_raised"]) | (
    st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)
)


@st.composite
def records(draw: st.DrawFn, stream: st.SearchStrategy[str] = streams) -> Record:
    """A record of any kind, with fields of every type, tag-hostile text, and a real hash."""
    kind = draw(kinds)
    fields: dict[str, FieldValue] = draw(st.dictionaries(field_names, field_values, max_size=6))
    if kind == "reading" or draw(st.booleans()):
        fields["probe"] = draw(tag_like_text | tricky_text)
    if kind == "reading":
        fields["value"] = draw(st.floats(allow_nan=False, allow_infinity=False) | st.integers())
        fields["quality"] = draw(st.sampled_from(["ok", "out_of_range", "fault"]) | tricky_text)
    if kind in ("checkpoint", "seal"):
        fields["head_seq"] = draw(st.integers(min_value=0, max_value=2**63 - 1))
        fields["head_hash"] = draw(st.binary(min_size=32, max_size=32)).hex()
        fields["signature"] = draw(tricky_text)
    seq = draw(st.integers(min_value=1, max_value=2**63 - 1))
    ts = draw(st.integers(min_value=0, max_value=MAX_TIME_NS - SLOT_NS))
    prev = draw(st.binary(min_size=32, max_size=32))
    return chained(draw(stream), seq, ts, kind, fields, prev, keep_prev=draw(st.booleans()))


def point_key(record: Record) -> tuple[str, int]:
    """What decides a point within a stream (README.md, "Point identity")."""
    return record.stream, point_time(record.ts, record.seq)
