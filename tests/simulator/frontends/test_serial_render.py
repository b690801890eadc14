import pytest

from config.links import SerialLine
from config.probes import Probe
from drivers.line_format import LineParser
from simulator.frontends.serial_render import LineRenderer, field_text, regex_template
from simulator.models.probe import ProbeFaultKind, ProbeOutput


def probe(unit: str = "C") -> Probe:
    return Probe.model_validate(
        {"id": "p", "source": {"kind": "serial", "line": "bench", "field": "T1"}, "unit": unit}
    )


def line(**overrides: object) -> SerialLine:
    return SerialLine.model_validate({"id": "bench", "device": "/dev/null", **overrides})


def test_field_text_for_values_and_faults() -> None:
    assert field_text(ProbeOutput(62.484), probe()) == "62.48"
    assert field_text(ProbeOutput(4.0), probe("F")) == "39.20"
    assert field_text(ProbeOutput(None, ProbeFaultKind.NO_ANSWER), probe()) is None
    assert field_text(ProbeOutput(None, ProbeFaultKind.DEVICE_EXCEPTION), probe()) == "ERR"
    open_circuit = ProbeOutput(3276.7, ProbeFaultKind.OPEN_CIRCUIT)
    assert field_text(open_circuit, probe("F")) == "3276.70"  # a sentinel is never converted
    assert field_text(ProbeOutput(None, ProbeFaultKind.OPEN_CIRCUIT), probe()) == "3276.70"


def test_key_value_lines_use_the_configured_separators() -> None:
    renderer = LineRenderer(line(pair_separator=",", key_separator=":"))
    assert renderer.render({"T1": "62.48", "T2": "ERR"}) == b"T1:62.48,T2:ERR\r\n"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(?P<T1>-?\d+\.\d+)", b"1.25"),
        (r"^A:\s*(?P<T1>[-\d.]+)\s+B: ?(?P<T2>\d+(?:\.\d+)?) \+C$", b"A:1.25 B:2.50 +C"),
        (r"T1\t(?P<T1>\S+);\s?T2\t(?P<T2>\S+)\.", b"T1\t1.25;T2\t2.50."),
    ],
)
def test_simple_patterns_are_written_and_read_back(pattern: str, expected: bytes) -> None:
    serial_line = line(format="regex", pattern=pattern)
    written = LineRenderer(serial_line).render({"T1": "1.25", "T2": "2.50"})
    assert written == expected + b"\r\n"
    values = {"T1": 1.25, "T2": 2.5} if "T2" in pattern else {"T1": 1.25}
    parsed = LineParser(serial_line, list(values)).parse(written.rstrip())
    assert parsed.values == values


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (r"(?P<T1>\d+)|x", "'|' outside a named group"),
        (r"\d(?P<T1>\d+)", r"the escape \d outside a group"),
        (r"a{2}(?P<T1>\d+)", "a counted repetition"),
        (r"(?P<T1>\d+)+", "a repeated group"),
        (r"[ab](?P<T1>\d+)", "'[' outside a named group"),
        (r"(?P<T1>[A-Z]+)", "does not match"),
    ],
)
def test_patterns_the_simulator_cannot_write_are_refused_naming_the_line(
    pattern: str, problem: str
) -> None:
    with pytest.raises(ValueError, match="serial line bench: the simulator cannot write") as caught:
        LineRenderer(line(format="regex", pattern=pattern))
    assert problem in str(caught.value)


def test_regex_template_keeps_literals_and_groups() -> None:
    parts = regex_template(r"T=(?P<T1>(\d+)\.(\d+))\s*C")
    assert [p if isinstance(p, str) else f"<{p.name}>" for p in parts] == ["T", "=", "<T1>", "C"]
