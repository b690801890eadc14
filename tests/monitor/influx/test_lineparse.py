import pytest

from monitor.influx.lineparse import LineProtocolError, PointData, parse_line, parse_lines


def test_a_full_point() -> None:
    point = parse_line('m\\ x,t\\=1=a\\,b\\ c,u=v s="x\\"y\\\\z",i=-5i,u2=7u,f=1.5e+3,b=T 123')
    assert point == PointData(
        "m x",
        {"t=1": "a,b c", "u": "v"},
        {"s": 'x"y\\z', "i": -5, "u2": 7, "f": 1500.0, "b": True},
        123,
    )


def test_backslashes_influxdb_keeps() -> None:
    # InfluxDB 1.x keeps a backslash that escapes nothing, in names and in strings.
    point = parse_line('m,t=a\\x f="a\\nb"')
    assert point.tags == {"t": "a\\x"}
    assert point.fields == {"f": "a\\nb"}
    assert point.time is None


def test_strings_may_hold_newlines_and_lines_are_counted() -> None:
    text = '# comment\n\nm f="one\ntwo" 1\r\nm f=false 2\n'
    assert [(p.fields["f"], p.time) for p in parse_lines(text)] == [("one\ntwo", 1), (False, 2)]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("m", "expected ' '"),
        ("m f=", "is not a number"),
        ("m f=1_0", "is not a number"),
        ("m f=nan", "is not a number"),
        ("m f=1e999", "not a finite number"),
        ("m f=9223372036854775808i", "is not a number"),
        ('m f="open', "not closed"),
        ("m,t f=1", "expected '='"),
        ("m f=1 12x", "not an integer"),
        ("m f=1,f=2", "appears twice"),
        ("m f=1 1 extra", "unexpected text"),
        (",t=a f=1", "empty measurement"),
    ],
)
def test_bad_lines_are_named(line: str, problem: str) -> None:
    with pytest.raises(LineProtocolError, match=problem) as caught:
        parse_line(line)
    assert "line 1" in str(caught.value)


def test_parse_line_wants_one_point() -> None:
    with pytest.raises(LineProtocolError, match="found 2"):
        parse_line("m f=1 1\nm f=2 2")
