import os
from pathlib import Path

import pytest

from config import ConfigError, load_settings
from config.loading import toml_path, validate_mapping

EXAMPLES = Path(__file__).parents[2] / "config" / "examples"


def issues_of(data: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        validate_mapping(data, "test.toml")
    return [str(i) for i in caught.value.issues]


@pytest.mark.parametrize("name", ["simulator.toml", "lab.toml"])
def test_examples_are_valid(name: str) -> None:
    settings = load_settings(EXAMPLES / name)
    assert settings.probes
    assert settings.pasteurisers[0].reference_probes


def test_empty_document_gives_domain_defaults() -> None:
    settings = validate_mapping({}, "empty")
    assert settings.programs["holder58"].setpoint_c == 58.0
    assert settings.programs["holder58"].hold_min == 60
    assert settings.programs["holder63"].max_total_flora_cfu_ml == 1e5
    assert settings.pasteurisation.cooling_target_c == 6.0
    assert settings.pasteurisation.hold_policy == "restart"


def test_fridge_and_freezer_defaults_follow_domain() -> None:
    data = {
        "probes": [
            {"id": "a", "source": {"kind": "serial", "line": "s", "field": "T1"}},
            {"id": "b", "source": {"kind": "serial", "line": "s", "field": "T2"}},
        ],
        "serial": [{"id": "s", "device": "/dev/null"}],
        "enclosures": [
            {"id": "F", "kind": "fridge", "probes": ["a"]},
            {"id": "Z", "kind": "freezer", "probes": ["b"]},
        ],
    }
    fridge, freezer = validate_mapping(data, "t").enclosures
    assert (fridge.band.low, fridge.band.high, fridge.delay_min) == (0.0, 4.0, 10.0)
    assert (fridge.gross_low, fridge.gross_high, fridge.deadband_c) == (0.0, 8.0, 0.5)
    assert (freezer.band.low, freezer.band.high, freezer.delay_min) == (None, -18.0, 20.0)
    assert freezer.gross_high == -10.0


def test_band_error_names_its_path() -> None:
    data = {
        "enclosures": [
            {"id": "F", "kind": "fridge", "probes": ["a"], "band": {"low": 5, "high": 4}},
        ]
    }
    assert "enclosures[0]: band.low 5 > band.high 4" in issues_of(data)


def test_unknown_keys_are_errors_everywhere() -> None:
    data = {
        "sitee": {},
        "probes": [
            {"id": "p", "source": {"kind": "modbus", "bus": "b", "unit_id": 1, "adress": 3}}
        ],
    }
    found = issues_of(data)
    assert any(i.startswith("sitee: unknown key") for i in found)
    assert any(i.startswith("probes[0].source.adress: unknown key") for i in found)
    assert any(i.startswith("probes[0].source.address: required key") for i in found)


def test_dangling_references_are_all_reported() -> None:
    data = {
        "probes": [
            {"id": "p", "source": {"kind": "modbus", "bus": "nobus", "unit_id": 1, "address": 0}},
            {"id": "p", "source": {"kind": "mqtt", "topic": "t"}},
        ],
        "enclosures": [{"id": "F", "kind": "fridge", "probes": ["ghost"]}],
    }
    found = issues_of(data)
    assert "probes[1].id: duplicate id 'p'" in found
    assert any(i.startswith("probes[0].source.bus: unknown Modbus bus 'nobus'") for i in found)
    assert "probes[1].source: an MQTT probe needs an [mqtt] section" in found
    assert any(i.startswith("enclosures[0].probes[0]: unknown probe 'ghost'") for i in found)


def test_probe_shared_by_two_pieces_of_equipment_is_refused() -> None:
    data = {
        "serial": [{"id": "s", "device": "/dev/null"}],
        "probes": [{"id": "a", "source": {"kind": "serial", "line": "s", "field": "T1"}}],
        "enclosures": [
            {"id": "F1", "kind": "fridge", "probes": ["a"]},
            {"id": "F2", "kind": "fridge", "probes": ["a"]},
        ],
    }
    assert "enclosures[1].probes[0]: probe a already belongs to F1" in issues_of(data)


def test_same_register_twice_is_refused() -> None:
    src = {"kind": "modbus", "bus": "b", "unit_id": 1, "address": 7}
    data = {
        "modbus": [{"kind": "tcp", "id": "b", "host": "127.0.0.1"}],
        "probes": [{"id": "x", "source": src}, {"id": "y", "source": src}],
    }
    assert any("register 7 of unit 1 on b is already probe x" in i for i in issues_of(data))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"site": {"timezone": "Mars/Olympus"}}, "site.timezone: unknown time zone"),
        ({"clock": {"speed": 0}}, "clock.speed: Input should be greater than 0"),
        ({"influxdb": {"url": "influx:8086"}}, "influxdb: url 'influx:8086' must start"),
        ({"modbus": [{"kind": "udp", "id": "x"}]}, "modbus[0]: Input tag 'udp'"),
        ({"mqtt": {"password": "x"}}, "mqtt: a password needs a username"),
        (
            {"serial": [{"id": "s", "device": "/dev/x", "format": "regex", "pattern": "("}]},
            "serial[0].pattern: not a valid regular expression",
        ),
    ],
)
def test_bad_values_name_the_problem(data: dict[str, object], expected: str) -> None:
    assert any(i.startswith(expected) for i in issues_of(data)), issues_of(data)


def test_toml_syntax_error_has_a_line_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[site]\nname = 3 3\n")
    with pytest.raises(ConfigError, match=r"not valid TOML: .*line 2"):
        load_settings(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path / "absent.toml")


def test_environment_overrides_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[site]\nid = "from-toml"\nname = "N"\n[web]\nport = 9000\n')
    monkeypatch.setenv("LACTAMON_SITE__ID", "from-env")
    settings = load_settings(path)
    assert settings.site.id == "from-env"
    assert settings.site.name == "N"  # deep merge keeps the rest of the table
    assert settings.web.port == 9000


def test_secret_is_never_in_repr_and_files_must_be_private(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("hunter2\n")
    os.chmod(secret, 0o600)
    data = {"mqtt": {"username": "u", "password_file": str(secret)}}
    settings = validate_mapping(data, "t")
    assert settings.mqtt is not None
    assert settings.mqtt.password_value() == "hunter2"
    inline = validate_mapping({"mqtt": {"username": "u", "password": "hunter2"}}, "t")
    assert "hunter2" not in repr(inline)
    os.chmod(secret, 0o644)
    with pytest.raises(ValueError, match="readable by others"):
        settings.mqtt.password_value()


def test_toml_path_drops_union_tags() -> None:
    assert toml_path(("probes", 3, "source", "modbus", "scale")) == "probes[3].source.scale"
    assert toml_path(("enclosures", 2, "band")) == "enclosures[2].band"


def test_an_error_from_an_environment_variable_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[mqtt]\nhost = '127.0.0.1'\n")
    monkeypatch.setenv("LACTAMON_MQTT__PORT", "not-a-port")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    text = str(caught.value)
    assert "LACTAMON_MQTT__PORT (environment variable):" in text
    assert text.startswith("the environment")
