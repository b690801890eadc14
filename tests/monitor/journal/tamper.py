"""Single tamperings of a record list, each with the places a verifier must name (test helper)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import strategies as st

from monitor.journal import FindingSeverity, Record, VerificationReport
from monitor.journal.canonical import chain_hash, record_canonical
from monitor.journal.record import FieldValue
from monitor.journal.verification import FindingKind

Place = tuple[str, int]


@dataclass(frozen=True)
class Tampered:
    """The tampered list, what was done, where, and the finding kinds that name it rightly."""

    records: list[Record]
    what: str
    places: frozenset[Place]
    kinds: frozenset[FindingKind]


def different_value(value: object, choice: int) -> FieldValue:
    """A value that differs from ``value`` in type or content."""
    options: list[FieldValue] = ["changed", 7, 7.25, True, False, 0, 0.0, ""]
    options = [o for o in options if not (type(o) is type(value) and o == value)]
    return options[choice % len(options)]


@st.composite
def alterations(draw: st.DrawFn, records: list[Record]) -> Tampered:
    """One field of one record changed, as someone editing the data would."""
    i = draw(st.integers(0, len(records) - 1))
    record = records[i]
    streams = [*sorted({r.stream for r in records} - {record.stream}), "cycle:P9:forged"]
    part = draw(
        st.sampled_from(
            ["stream", "seq", "ts", "kind", "field", "add", "remove", "prev_hash", "hash"]
        )
    )
    if part == "remove" and not record.fields:
        part = "add"
    if part == "stream":
        changed = replace(record, stream=draw(st.sampled_from(streams)))
    elif part == "seq":
        others = [n for n in range(1, 40) if n != record.seq] + [10**9]
        changed = replace(record, seq=draw(st.sampled_from(others)))
    elif part == "ts":
        changed = replace(record, ts=record.ts + draw(st.sampled_from([-1, 1, 10**9])))
    elif part == "kind":
        changed = replace(record, kind=draw(st.sampled_from(["reading", "forged", "checkpoint"])))
        if changed.kind == record.kind:
            changed = replace(record, kind="forged_kind")
    elif part == "field":
        name = draw(st.sampled_from(sorted(record.fields))) if record.fields else "extra"
        value = different_value(record.fields.get(name), draw(st.integers(0, 10)))
        changed = replace(record, fields={**record.fields, name: value})
    elif part == "add":
        changed = replace(record, fields={**record.fields, "added_field": "x"})
    elif part == "remove":
        name = draw(st.sampled_from(sorted(record.fields)))
        changed = replace(record, fields={k: v for k, v in record.fields.items() if k != name})
    elif part == "prev_hash":
        changed = replace(record, prev_hash=bytes(32))
    else:
        changed = replace(record, hash=bytes(32))
    tampered = [*records[:i], changed, *records[i + 1 :]]
    kinds = {FindingKind.ALTERED, FindingKind.BAD_SIGNATURE, FindingKind.BAD_CHECKPOINT}
    return Tampered(
        tampered,
        f"{part} of {record.location}",
        frozenset({(record.stream, record.seq)}),
        frozenset(kinds),
    )


def not_last(records: list[Record]) -> list[int]:
    """Indexes of records followed by another of their stream."""
    heads: dict[str, int] = {}
    for r in records:
        heads[r.stream] = max(heads.get(r.stream, 0), r.seq)
    return [i for i, r in enumerate(records) if r.seq < heads[r.stream]]


@st.composite
def deletions(draw: st.DrawFn, records: list[Record]) -> Tampered:
    """One record removed (not the last of its stream: that looks like a crash, see README)."""
    i = draw(st.sampled_from(not_last(records)))
    record = records[i]
    return Tampered(
        [*records[:i], *records[i + 1 :]],
        f"deleted {record.location}",
        frozenset({(record.stream, record.seq)}),
        frozenset({FindingKind.MISSING}),
    )


@st.composite
def insertions(draw: st.DrawFn, records: list[Record]) -> Tampered:
    """A forged record with the seq of an existing one, placed anywhere, its hash forged or
    computed from the chain as an attacker would."""
    model = records[draw(st.integers(0, len(records) - 1))]
    fields = {**model.fields, "forged": draw(st.integers(0, 1000))}
    forged = replace(model, fields=fields, ts=model.ts + 1)
    if draw(st.booleans()) and model.prev_hash is not None:
        forged = replace(forged, hash=chain_hash(model.prev_hash, record_canonical(forged)))
    else:
        forged = replace(forged, hash=bytes(range(32)))
    at = draw(st.integers(0, len(records)))
    return Tampered(
        [*records[:at], forged, *records[at:]],
        f"forged {model.location}",
        frozenset({(model.stream, model.seq)}),
        frozenset({FindingKind.INSERTED}),
    )


@st.composite
def swaps(draw: st.DrawFn, records: list[Record]) -> Tampered:
    """Two records of one stream exchange their seq (and their places in the file)."""
    streams = sorted({r.stream for r in records})
    stream = draw(st.sampled_from(streams))
    indexes = [i for i, r in enumerate(records) if r.stream == stream]
    i, j = sorted(draw(st.lists(st.sampled_from(indexes), min_size=2, max_size=2, unique=True)))
    a, b = records[i], records[j]
    tampered = list(records)
    tampered[i], tampered[j] = replace(b, seq=a.seq), replace(a, seq=b.seq)
    kinds = {FindingKind.REORDERED}
    return Tampered(
        tampered,
        f"swapped {a.location} and {b.location}",
        frozenset({(stream, a.seq), (stream, b.seq)}),
        frozenset(kinds),
    )


def assert_located(report: VerificationReport, tampered: Tampered) -> None:
    """Every place is named by an error of a right kind, and no error names another place."""
    assert not report.ok, f"{tampered.what}: not detected\n{report.format()}"
    errors = [f for f in report.findings if f.severity is FindingSeverity.ERROR]
    for stream, seq in tampered.places:
        named = [f for f in errors if f.covers(stream, seq) and f.kind in tampered.kinds]
        assert named, f"{tampered.what}: {stream}#{seq} not named\n{report.format()}"
    for finding in errors:
        if finding.stream is None or finding.seq is None:
            continue
        assert any(finding.covers(s, n) for s, n in tampered.places), (
            f"{tampered.what}: stray {finding.kind} at {finding.location()}\n{report.format()}"
        )
