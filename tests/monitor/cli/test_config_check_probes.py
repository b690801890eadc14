"""``lactamon config check`` on probes: register overlaps, range warnings, environment errors."""

import argparse
from datetime import date
from pathlib import Path

import pytest

from config import load_settings
from monitor.cli.config_cmd import run_check, summary

EXAMPLES = Path(__file__).parents[3] / "config" / "examples"

OVERLAP = """
[[modbus]]
kind = "tcp"
id = "b"
host = "127.0.0.1"
port = 15020

[[probes]]
id = "bath"
source = { kind = "modbus", bus = "b", unit_id = 1, address = 0, encoding = "float32" }

[[probes]]
id = "ref"
source = { kind = "modbus", bus = "b", unit_id = 1, address = 1 }
"""


def check(path: Path) -> int:
    return run_check(argparse.Namespace(file=str(path)))


def test_overlapping_registers_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "overlap.toml"
    path.write_text(OVERLAP)
    assert check(path) == 2
    err = capsys.readouterr().err
    assert f"{path}: invalid settings, 1 problem(s):" in err
    assert (
        "probes[1].source.address: the value of probe ref overlaps probe bath's value at "
        "holding register 1 of unit 1 on b"
    ) in err


def test_a_quoted_port_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "quoted.toml"
    path.write_text(OVERLAP.replace("port = 15020", 'port = "15020"'))
    assert check(path) == 2
    assert "modbus[0].port: write the number without quotes ('15020' is text)" in (
        capsys.readouterr().err
    )


def test_an_error_from_the_environment_names_the_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[mqtt]\nhost = "127.0.0.1"\n')
    monkeypatch.setenv("LACTAMON_MQTT__PORT", "eighteen")
    assert check(path) == 2
    err = capsys.readouterr().err
    assert "the environment: invalid settings, 1 problem(s):" in err
    assert "  LACTAMON_MQTT__PORT (environment variable): " in err
    assert str(path) not in err


def test_the_example_lab_has_no_new_warning_but_the_shelly_reminder(
    tmp_path: Path,
) -> None:
    text = summary(load_settings(EXAMPLES / "lab.toml"), today=date(2026, 1, 1))
    assert "overlaps" not in text
    assert "cannot hold" not in text


def test_range_and_unit_warnings_are_in_the_summary(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(
        OVERLAP.replace("address = 1 }", 'address = 4, encoding = "uint16" }')
        + """
[mqtt]

[[probes]]
id = "ht"
unit = "C"
source = { kind = "mqtt", topic = "shellies/ht/sensor/temperature", format = "shelly_gen1" }

[[enclosures]]
id = "Z1"
kind = "freezer"
probes = ["ref", "ht"]
"""
    )
    text = summary(load_settings(path), today=date(2026, 1, 1))
    assert (
        "warning: probe ref: uint16 × 0.1 holds 0..6553.5 °C, which cannot hold -18, -10 °C "
        "of freezer Z1: check the encoding and scale"
    ) in text
    assert (
        "warning: probe ht: shelly_gen1 sends a bare number in the unit set on the device; "
        "check that the device's own unit setting is °C"
    ) in text
