import hashlib
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.journal import RecordError
from monitor.journal.canonical import (
    canonical_bytes,
    chain_hash,
    encode_float,
    encode_value,
    genesis_hash,
)
from monitor.journal.record import FieldValue

README_EXAMPLE = (
    b"s29:cycle:P1:2026-11-21T08:00:00Zi5:12345i19:1795684800123456789s7:readingi1:4"
    b"s5:probes6:P1-refs7:qualitys2:oks3:rawf5:62.48s5:valuef5:62.53"
)


def test_the_readme_example_is_what_the_code_writes() -> None:
    fields: dict[str, FieldValue] = {
        "value": 62.53,
        "raw": 62.48,
        "quality": "ok",
        "probe": "P1-ref",
    }
    stream = "cycle:P1:2026-11-21T08:00:00Z"
    assert canonical_bytes(stream, 12345, 1795684800123456789, "reading", fields) == README_EXAMPLE


def test_types_are_explicit() -> None:
    encoded = {encode_value(v) for v in (1, 1.0, "1", True)}
    assert encoded == {b"i1:1", b"f3:1.0", b"s1:1", b"b4:true"}
    assert encode_value(False) == b"b5:false"
    assert encode_value("é") == "s2:é".encode()


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (62.5, "62.5"),
        (4.0, "4.0"),
        (1e-05, "1e-05"),
        (1e16, "1e+16"),
        (-0.1, "-0.1"),
        (1e15, "1000000000000000.0"),
        (1.5e20, "1.5e+20"),
    ],
)
def test_floats_are_written_as_their_shortest_round_trip_text(number: float, text: str) -> None:
    assert encode_float(number) == f"f{len(text)}:{text}".encode()


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_numbers_that_are_not_finite_have_no_canonical_form(number: float) -> None:
    with pytest.raises(RecordError, match="not a finite number"):
        encode_float(number)


def test_field_order_does_not_matter_and_every_part_counts() -> None:
    a = canonical_bytes("s", 1, 2, "k", {"a": 1, "b": "x"})
    assert a == canonical_bytes("s", 1, 2, "k", {"b": "x", "a": 1})
    variants = [
        canonical_bytes("t", 1, 2, "k", {"a": 1, "b": "x"}),
        canonical_bytes("s", 2, 2, "k", {"a": 1, "b": "x"}),
        canonical_bytes("s", 1, 3, "k", {"a": 1, "b": "x"}),
        canonical_bytes("s", 1, 2, "j", {"a": 1, "b": "x"}),
        canonical_bytes("s", 1, 2, "k", {"a": 1}),
        canonical_bytes("s", 1, 2, "k", {"a": 1, "b": "y"}),
        canonical_bytes("s", 1, 2, "k", {"a": 1, "bb": "x"}),
    ]
    assert len({a, *variants}) == 8


def test_the_chain_hash_is_sha256_of_prev_and_canonical() -> None:
    assert chain_hash(b"p", b"c") == hashlib.sha256(b"pc").digest()
    assert genesis_hash("device") == hashlib.sha256(b"lactamon genesis 1\ndevice").digest()
    assert genesis_hash("device") != genesis_hash("lot:L2026-001")


finite = st.floats(allow_nan=False, allow_infinity=False)
values = st.one_of(finite, st.integers(-(2**63), 2**63 - 1), st.booleans(), st.text(max_size=20))


@given(number=finite)
def test_float_text_survives_json_and_line_protocol(number: float) -> None:
    # InfluxDB line protocol writes a float as its decimal text; JSON too.
    via_text = float(repr(number))
    via_json = json.loads(json.dumps(number))
    assert encode_float(via_text) == encode_float(via_json) == encode_float(number)


@given(fields=st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), values))
def test_canonical_bytes_survive_a_json_round_trip(fields: dict[str, FieldValue]) -> None:
    again = json.loads(json.dumps(fields))
    assert canonical_bytes("s", 1, 2, "k", again) == canonical_bytes("s", 1, 2, "k", fields)
