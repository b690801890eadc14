import pytest

from config.links import SerialLine
from drivers.line_format import (
    DUPLICATE_KEY,
    MALFORMED_PAIR,
    NO_MATCH,
    NOT_A_NUMBER,
    NOT_PRINTABLE,
    UNKNOWN_KEY,
    LineParser,
    parse_number,
)


def key_value_line(**overrides: object) -> SerialLine:
    return SerialLine.model_validate({"id": "bench", "device": "/dev/null", **overrides})


def regex_line(pattern: str) -> SerialLine:
    return key_value_line(format="regex", pattern=pattern)


def reasons(parsed: object) -> list[str]:
    return [p.reason for p in parsed.problems]  # type: ignore[attr-defined]


def test_key_value_line_gives_every_field() -> None:
    parsed = LineParser(key_value_line(), ["T1", "T2"]).parse(b"T1=62.48;T2=61.90")
    assert parsed.values == {"T1": 62.48, "T2": 61.90}
    assert parsed.problems == []
    assert parsed.device_errors == {}


def test_spaces_trailing_separator_and_custom_separators() -> None:
    line = key_value_line(pair_separator=",", key_separator=":")
    parsed = LineParser(line, ["T1", "T2"]).parse(b"  T1 : -3.5 , T2:+4e1 ,")
    assert parsed.values == {"T1": -3.5, "T2": 40.0}
    assert parsed.problems == []


def test_a_field_left_out_is_simply_absent() -> None:
    parsed = LineParser(key_value_line(), ["T1", "T2"]).parse(b"T2=61.90")
    assert parsed.values == {"T2": 61.90}
    assert parsed.problems == []


def test_binary_noise_rejects_the_whole_line() -> None:
    parsed = LineParser(key_value_line(), ["T1", "T2"]).parse(b"T1=62.48;\x00\xffT2=61.90")
    assert parsed.values == {}
    assert reasons(parsed) == [NOT_PRINTABLE]
    assert "\\x00\\xff" in parsed.problems[0].detail


@pytest.mark.parametrize(
    ("raw", "values", "expected"),
    [
        (b"T1=62.48;T2=abc", {"T1": 62.48}, [NOT_A_NUMBER]),
        (b"T1=62.48;T9=1.0", {"T1": 62.48}, [UNKNOWN_KEY]),
        (b"T1=62.48;garbage", {"T1": 62.48}, [MALFORMED_PAIR]),
        (b"T1=62.48;=5", {"T1": 62.48}, [MALFORMED_PAIR]),
        (b"T1=1.0;T2=2.0;T1=1.5", {"T2": 2.0}, [DUPLICATE_KEY]),
        (b"T1=nan;T2=inf", {}, [NOT_A_NUMBER, NOT_A_NUMBER]),
        (b"T1=6,2;T2=1_000", {}, [NOT_A_NUMBER, NOT_A_NUMBER]),
        (b"T1=1e999;T2=", {}, [NOT_A_NUMBER, NOT_A_NUMBER]),
    ],
)
def test_bad_fields_are_refused_and_good_ones_kept(
    raw: bytes, values: dict[str, float], expected: list[str]
) -> None:
    parsed = LineParser(key_value_line(), ["T1", "T2"]).parse(raw)
    assert parsed.values == values
    assert sorted(reasons(parsed)) == sorted(expected)


def test_a_device_error_word_is_a_device_error_not_garbage() -> None:
    parsed = LineParser(key_value_line(), ["T1", "T2"]).parse(b"T1=ERR;T2=fault")
    assert parsed.device_errors == {"T1": "ERR", "T2": "fault"}
    assert parsed.values == {}
    assert parsed.problems == []


def test_regex_line_reads_named_groups_over_the_whole_line() -> None:
    line = regex_line(r"A:\s*(?P<bath>-?\d+\.\d+)\s+B:\s*(?P<ref>-?\d+\.\d+|ERR)\s*C")
    parser = LineParser(line, ["bath", "ref"])
    assert parser.parse(b"A: 63.10 B: 62.95 C").values == {"bath": 63.10, "ref": 62.95}
    assert parser.parse(b"A: 63.10 B: ERR C").device_errors == {"ref": "ERR"}
    truncated = parser.parse(b"A: 63.10 B: 62.9")
    assert reasons(truncated) == [NO_MATCH]
    assert truncated.values == {}


def test_regex_groups_not_used_by_a_probe_are_ignored() -> None:
    line = regex_line(r"(?P<T1>\d+\.\d+) (?P<unit>[CF])")
    assert LineParser(line, ["T1"]).parse(b"3.25 C").values == {"T1": 3.25}


def test_a_probe_field_missing_from_the_pattern_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"serial line bench: field\(s\) T2 are not named groups"):
        LineParser(regex_line(r"(?P<T1>\d+)"), ["T1", "T2"])


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", 1.0), ("-0.5", -0.5), ("+2.", 2.0), (".25", 0.25), ("1e3", 1000.0)],
)
def test_numbers(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "-", ".", "NaN", "inf", "1_0", "٣", "1e", "0x10", " 1"])
def test_not_numbers(text: str) -> None:
    assert parse_number(text) is None
