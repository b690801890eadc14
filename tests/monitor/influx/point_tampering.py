"""Ways to tamper with the journal's points in InfluxDB, as hypothesis strategies.

Each strategy draws one tampering of the delivered points: the points it deletes and writes,
and the records (with the kinds of finding) verification must name for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from hypothesis import strategies as st

from monitor.influx.decode import point_record
from monitor.influx.encode import LineEncoder
from monitor.influx.lineparse import PointData, PointValue, parse_line
from monitor.influx.schema import PROMOTED_FIELDS, SLOT_NS
from monitor.influx.tags import Tagger
from monitor.journal import FindingKind, Record
from monitor.journal.canonical import chain_hash, genesis_hash, record_canonical
from tests.monitor.journal.samples import (
    T0,
    S,
    device_key,
)
from tests.monitor.journal.tamper import (
    Place,
    different_value,
    not_last,
)

KEY = device_key()
SITE, DEVICE = "lab", "pi-1"
ROLES = {"P1-ref": "reference", "F1-air": "fridge"}
# The journal's stamps run from T0 to T0 + 2 h; the window holds them with room on each side.
WINDOW = (T0 - 3600 * S, T0 + 3 * 3600 * S)


CHANGED = frozenset({FindingKind.ALTERED, FindingKind.BAD_SIGNATURE, FindingKind.BAD_CHECKPOINT})
UNREADABLE = frozenset({FindingKind.MALFORMED, FindingKind.ALTERED})
GONE = frozenset({FindingKind.MISSING})


class Delivered:
    """The journal's records in one shape a writer is given them, and the point of each."""

    def __init__(self, shape: str, records: list[Record]) -> None:
        self.shape, self.records = shape, records
        self.points = [parse_line(line) for line in LineEncoder(tagger()).lines(records)]

    def __repr__(self) -> str:
        # Short, for hypothesis to print in a failing example.
        return f"<journal records {self.shape}>"

    def prev_hash(self, record: Record) -> bytes:
        """The hash ``record`` chains from, as anyone reading the points can find it."""
        if record.seq == 1:
            return genesis_hash(record.stream)
        [before] = [
            r.hash for r in self.records if (r.stream, r.seq) == (record.stream, record.seq - 1)
        ]
        return before


@dataclass(frozen=True)
class PointTampering:
    """Points deleted, then points written, and the records verification must name."""

    what: str
    deletes: tuple[PointData, ...]
    writes: tuple[PointData, ...]
    places: frozenset[Place]
    kinds: frozenset[FindingKind]


def tagger() -> Tagger:
    return Tagger(SITE, DEVICE, ROLES)


def with_fields(point: PointData, fields: dict[str, PointValue]) -> PointData:
    return replace(point, fields=fields)


def with_tags(point: PointData, tags: dict[str, str]) -> PointData:
    return replace(point, tags=tags)


def moved(
    point: PointData, new: PointData, what: str, place: Place, kinds: frozenset[FindingKind]
) -> PointTampering:
    """``point`` deleted and ``new`` written: a tag or a field cannot be taken away in place."""
    return PointTampering(what, (point,), (new,), frozenset({place}), kinds)


@st.composite
def other_value(
    draw: st.DrawFn, name: str, old: PointValue
) -> tuple[PointValue, frozenset[FindingKind]]:
    """A value of the same InfluxDB type (it refuses another), and what verification finds."""
    if name == "seq":
        assert isinstance(old, int)
        seqs = [n for n in (old - 1, old + 1, old + 2, 10**9, 0, -1) if n != old]
        return draw(st.sampled_from(seqs)), CHANGED
    if name == "ts":
        assert isinstance(old, int)
        return old + draw(st.sampled_from([-1, 1, S])), CHANGED
    if name in ("hash", "prev_hash"):
        texts = [bytes(32).hex(), bytes(range(32)).hex(), "", "not hex"]
        text = draw(st.sampled_from([t for t in texts if t != old]))
        return text, UNREADABLE if text == "not hex" else CHANGED
    if name == "payload":
        assert isinstance(old, str)
        return draw(other_payload(old))
    if isinstance(old, bool):
        return not old, CHANGED
    if isinstance(old, int):
        return old + draw(st.sampled_from([-1, 1, 10**9])), CHANGED
    if isinstance(old, float):
        number = draw(
            st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: v != old and v != 0.0)
        )
        return number, CHANGED
    text = draw(st.sampled_from(["changed", "", old + "x"]))
    return (text if text != old else "changed"), CHANGED


@st.composite
def other_payload(draw: st.DrawFn, old: str) -> tuple[PointValue, frozenset[FindingKind]]:
    fields = json.loads(old)
    how = draw(st.sampled_from(["value", "add", "remove", "not json", "not an object"]))
    if how == "not json":
        return old[:-1], UNREADABLE
    if how == "not an object":
        return json.dumps([fields]), UNREADABLE
    if how == "remove" and fields:
        name = draw(st.sampled_from(sorted(fields)))
        del fields[name]
    elif how == "value" and fields:
        name = draw(st.sampled_from(sorted(fields)))
        fields[name] = different_value(fields[name], draw(st.integers(0, 10)))
    else:
        fields["added"] = "x"
    return json.dumps(fields, sort_keys=True, separators=(",", ":")), CHANGED


@st.composite
def alterations(draw: st.DrawFn, delivered: Delivered) -> PointTampering:
    """One field or tag of one point changed, added or taken away."""
    i = draw(st.integers(0, len(delivered.records) - 1))
    record, point = delivered.records[i], delivered.points[i]
    place = (record.stream, record.seq)
    # Without its seq or stream, a record is known only by the hole it leaves: the last
    # record of a stream leaves none.
    followed = i in not_last(delivered.records)
    part = draw(st.sampled_from(["field", "add", "remove", "tag"]))
    if part == "field":
        name = draw(st.sampled_from(sorted(point.fields)))
        value, kinds = draw(other_value(name, point.fields[name]))
        # Only the changed field is written: InfluxDB keeps the others of the point.
        change = with_fields(point, {name: value})
        return PointTampering(
            f"{name} of {record.location} set to {value!r}",
            (),
            (change,),
            frozenset({place}),
            kinds,
        )
    if part == "add":
        name, value, kinds = draw(st.sampled_from(additions(point)))
        return PointTampering(
            f"{name} of {record.location} added as {value!r}",
            (),
            (with_fields(point, {name: value}),),
            frozenset({place}),
            kinds,
        )
    if part == "remove":
        # A prev_hash only repeats the hash before: without it, the record is the same.
        names = sorted(n for n in point.fields if n != "prev_hash" and (followed or n != "seq"))
        name = draw(st.sampled_from(names))
        kinds = GONE if name == "seq" else UNREADABLE if name in ("hash", "ts") else CHANGED
        rest = {k: v for k, v in point.fields.items() if k != name}
        return moved(
            point, with_fields(point, rest), f"{name} of {record.location} removed", place, kinds
        )
    tag = draw(st.sampled_from(["stream", "kind", "probe", "no kind", *(["no stream"] * followed)]))
    tags = dict(point.tags)
    if tag == "stream":
        others = sorted({r.stream for r in delivered.records} - {record.stream})
        tags["stream"] = draw(st.sampled_from([*others, "cycle:P9:forged"]))
        kinds = CHANGED
    elif tag == "kind":
        kinds_ = [k for k in ("reading", "checkpoint", "seal", "forged_kind") if k != record.kind]
        tags["kind"] = draw(st.sampled_from(kinds_))
        kinds = CHANGED
    elif tag == "probe":
        if "probe" in tags and draw(st.booleans()):
            del tags["probe"]
        else:
            tags["probe"] = "P9-forged"
        kinds = CHANGED
    elif tag == "no kind":
        del tags["kind"]
        kinds = UNREADABLE
    else:
        del tags["stream"]
        kinds = GONE
    return moved(
        point,
        with_tags(point, tags),
        f"{tag} tag of {record.location}: {tags.get(tag, '(none)')!r}",
        place,
        kinds,
    )


def additions(point: PointData) -> list[tuple[str, PointValue, frozenset[FindingKind]]]:
    """Fields to write into the point that change its record, and what verification finds."""
    options: list[tuple[str, PointValue, frozenset[FindingKind]]] = []
    if "prev_hash" not in point.fields:
        # One that is not the previous record's hash: the right one changes nothing.
        options.append(("prev_hash", bytes(32).hex(), CHANGED))
    samples: dict[type, PointValue] = {float: 1.5, int: 1, str: "added"}
    for name, kind in PROMOTED_FIELDS[point.measurement].items():
        if name not in point.fields:
            options.append((name, samples[kind], CHANGED))
    payload = json.loads(str(point.fields.get("payload", "{}")))
    options.append(("payload", json.dumps({**payload, "added": "x"}, sort_keys=True), CHANGED))
    for name in (*PROMOTED_FIELDS[point.measurement], "probe"):
        if name in point.fields or name in point.tags:
            # The same record field in two places cannot be read as one record.
            twice = json.dumps({**payload, name: "twice"}, sort_keys=True)
            options.append(("payload", twice, UNREADABLE))
    return options


@st.composite
def deletions(draw: st.DrawFn, delivered: Delivered) -> PointTampering:
    """One point deleted, or taken out of what the verification reads (not the last of its
    stream: without a signature after it, that looks like a crash, see the journal README)."""
    i = draw(st.sampled_from(not_last(delivered.records)))
    record, point = delivered.records[i], delivered.points[i]
    how = draw(st.sampled_from(["DELETE", "device", "site", "time"]))
    if how == "DELETE":
        writes: tuple[PointData, ...] = ()
    elif how == "time":
        writes = (replace(point, time=WINDOW[0] - S),)
    else:
        writes = (with_tags(point, {**point.tags, how: "elsewhere"}),)
    return PointTampering(
        f"{record.location} taken away ({how})",
        (point,),
        writes,
        frozenset({(record.stream, record.seq)}),
        GONE,
    )


@st.composite
def insertions(draw: st.DrawFn, delivered: Delivered) -> PointTampering:
    """A forged point with the seq of an existing record, its hash forged or computed from
    the chain as an attacker who can read the points would."""
    i = draw(st.integers(0, len(delivered.records) - 1))
    record, point = delivered.records[i], delivered.points[i]
    payload = json.loads(str(point.fields.get("payload", "{}")))
    payload["forged"] = draw(st.integers(0, 1000))
    ts = point.fields["ts"]
    assert isinstance(ts, int)
    # A millisecond later, so the forged point is one of its own rather than an overwrite.
    forged = replace(
        point,
        fields={**point.fields, "ts": ts + SLOT_NS, "payload": json.dumps(payload)},
        time=(point.time or 0) + SLOT_NS,
    )
    chained = draw(st.booleans())
    if chained:
        readable = point_record(forged)
        assert isinstance(readable, Record)
        digest = chain_hash(delivered.prev_hash(record), record_canonical(readable))
    else:
        digest = bytes(range(32))
    forged = with_fields(forged, {**forged.fields, "hash": digest.hex()})
    return PointTampering(
        f"forged {record.location} ({'chained' if chained else 'forged hash'})",
        (),
        (forged,),
        frozenset({(record.stream, record.seq)}),
        frozenset({FindingKind.INSERTED}),
    )


def two_of_one_stream(draw: st.DrawFn, delivered: Delivered) -> tuple[int, int]:
    stream = draw(st.sampled_from(sorted({r.stream for r in delivered.records})))
    indexes = [i for i, r in enumerate(delivered.records) if r.stream == stream]
    i, j = draw(st.lists(st.sampled_from(indexes), min_size=2, max_size=2, unique=True))
    return i, j


@st.composite
def swaps(draw: st.DrawFn, delivered: Delivered) -> PointTampering:
    """Two points of one stream exchange their seq, or their time stamps (``ts``)."""
    i, j = two_of_one_stream(draw, delivered)
    a, b = delivered.records[i], delivered.records[j]
    field = "ts" if a.ts != b.ts and draw(st.booleans()) else "seq"
    swapped = (
        with_fields(delivered.points[i], {field: delivered.points[j].fields[field]}),
        with_fields(delivered.points[j], {field: delivered.points[i].fields[field]}),
    )
    return PointTampering(
        f"{field} of {a.location} and {b.location} swapped",
        (),
        swapped,
        frozenset({(a.stream, a.seq), (b.stream, b.seq)}),
        frozenset({FindingKind.REORDERED}) if field == "seq" else CHANGED,
    )


@st.composite
def time_swaps(draw: st.DrawFn, delivered: Delivered) -> PointTampering:
    """Two points of one stream exchange their times, each keeping its own fields."""
    i, j = two_of_one_stream(draw, delivered)
    a, b = delivered.points[i], delivered.points[j]
    return PointTampering(
        f"times of {delivered.records[i].location} and {delivered.records[j].location} swapped",
        (a, b),
        (replace(a, time=b.time), replace(b, time=a.time)),
        frozenset(),
        frozenset(),
    )


# -- properties -------------------------------------------------------------------------------
