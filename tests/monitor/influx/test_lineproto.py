import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from influxdb_client.client.write.point import Point

from monitor.influx.lineparse import parse_line
from monitor.influx.lineproto import (
    MAX_TAG_BYTES,
    escape_measurement,
    escape_tag,
    format_float,
    format_int,
    quote_string,
    tag_safe,
)
from tests.monitor.influx.records import tag_like_text, tricky_text


@pytest.mark.parametrize(
    "text",
    ["T1", "a b", "a,b", "a=b", 'a"b', "é 漢 🙂", "#x", " lead", "trail ", "\u00a0nbsp", "x" * 256],
)
def test_tag_safe_text(text: str) -> None:
    assert tag_safe(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a\\b",
        "trail\\",
        "a\nb",
        "a\rb",
        "a\tb",
        "a\x00b",
        "a\x7fb",
        "a\x85b",
        "a\u2028b",
        "a\ud800b",
        "x" * (MAX_TAG_BYTES + 1),
        "é" * 129,
    ],
)
def test_tag_unsafe_text(text: str) -> None:
    assert not tag_safe(text)


def test_escapes_follow_influxdb_1x() -> None:
    assert escape_tag("a b,c=d") == "a\\ b\\,c\\=d"
    assert escape_measurement("m x,y=z") == "m\\ x\\,y=z"
    assert quote_string('say "hi" \\ done') == '"say \\"hi\\" \\\\ done"'
    with pytest.raises(ValueError, match="measurement name"):
        escape_measurement("bad\\name")


def test_number_formats() -> None:
    assert format_float(0.1) == "0.1"
    assert format_float(1e21) == "1e+21"
    assert format_float(5e-324) == "5e-324"
    assert format_int(-(2**63)) == "-9223372036854775808i"
    with pytest.raises(ValueError, match="no line protocol form"):
        format_float(float("nan"))
    with pytest.raises(ValueError, match="64-bit"):
        format_int(2**63)


@settings(max_examples=200)
@given(
    st.dictionaries(st.sampled_from(["a", "b b", "c,c", "d=d"]), tag_like_text, max_size=4),
    tricky_text,
    st.floats(allow_nan=False, allow_infinity=False),
)
def test_same_text_as_influxdb_client_point(tags: dict[str, str], text: str, number: float) -> None:
    # influxdb-client's Point is the reference for tag-safe text; on floats it differs only
    # by dropping a trailing ".0", which changes nothing to InfluxDB.
    point = Point("m").field("s", text).field("x", number).time(7)  # type: ignore[no-untyped-call]
    for key, value in tags.items():
        point.tag(key, value)
    ours = "m" + "".join(f",{escape_tag(k)}={escape_tag(tags[k])}" for k in sorted(tags))
    ours += f" s={quote_string(text)},x={format_float(number)} 7"
    assert parse_line(ours) == parse_line(point.to_line_protocol())
