"""Numbers in the settings are numbers: quoted ones are refused, environment text is read."""

from typing import Any

import pytest
from pydantic import ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from config import ConfigError
from config.base import EnvironmentSource, Strict, environment_variable
from config.links import MqttBroker
from config.loading import validate_mapping
from config.probes import Probe


def issues_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        validate_mapping(data, "test.toml")
    return [str(i) for i in caught.value.issues]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"modbus": [{"kind": "tcp", "id": "b", "host": "h", "port": "15020"}]},
            "modbus[0].port: write the number without quotes ('15020' is text)",
        ),
        (
            {"mqtt": {"keepalive_s": "30"}},
            "mqtt.keepalive_s: write the number without quotes ('30' is text)",
        ),
        (
            {"modbus": [{"kind": "tcp", "id": "b", "host": "h", "timeout_s": "0.5"}]},
            "modbus[0].timeout_s: write the number without quotes ('0.5' is text)",
        ),
        (
            {"mqtt": {"port": True}},
            "mqtt.port: Input should be a valid integer",
        ),
        (
            {"mqtt": {"tls": {"insecure_skip_verify": "yes"}}},
            "mqtt.tls.insecure_skip_verify: write true or false without quotes ('yes' is text)",
        ),
    ],
)
def test_quoted_numbers_and_flags_are_refused(data: dict[str, Any], expected: str) -> None:
    assert expected in issues_of(data), issues_of(data)


def test_quoted_numbers_in_a_probe_are_refused() -> None:
    source = {"kind": "modbus", "bus": "b", "unit_id": "1", "address": 0, "scale": "0.1"}
    with pytest.raises(ValidationError) as caught:
        Probe.model_validate({"id": "p", "source": source, "sample_period_s": "10"})
    fields = {error["loc"][-1] for error in caught.value.errors()}
    assert fields == {"unit_id", "scale", "sample_period_s"}


def test_whole_numbers_are_fine_where_a_decimal_is_expected() -> None:
    broker = MqttBroker.model_validate({"backoff": {"initial_s": 1, "max_s": 30}})
    assert broker.backoff.max_s == 30.0


class _Site(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LACTAMON_", env_nested_delimiter="__")

    mqtt: MqttBroker | None = None

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], *sources: PydanticBaseSettingsSource, **_: Any
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (EnvironmentSource(settings_cls),)


def test_numbers_and_flags_from_the_environment_are_read_from_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LACTAMON_MQTT__PORT", "1884")
    monkeypatch.setenv("LACTAMON_MQTT__BACKOFF__MAX_S", "2.5")
    monkeypatch.setenv("LACTAMON_MQTT__TLS__INSECURE_SKIP_VERIFY", "false")
    monkeypatch.setenv("LACTAMON_MQTT__HOST", "1883")  # text where text is wanted stays text
    site = _Site()
    assert site.mqtt is not None
    assert (site.mqtt.port, site.mqtt.backoff.max_s) == (1884, 2.5)
    assert site.mqtt.tls is not None
    assert site.mqtt.tls.insecure_skip_verify is False
    assert site.mqtt.host == "1883"
    assert type(site.mqtt.host) is str


def test_a_bad_number_from_the_environment_is_still_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LACTAMON_MQTT__PORT", "eighteen")
    with pytest.raises(ValidationError) as caught:
        _Site()
    (error,) = caught.value.errors()
    assert error["loc"] == ("mqtt", "port")
    assert environment_variable(error["loc"]) == "LACTAMON_MQTT__PORT"


def test_environment_variable_names_the_variable_that_set_a_location() -> None:
    environ = {"LACTAMON_MQTT__PORT": "x", "lactamon_probes": "[]", "OTHER": "1"}
    assert environment_variable(("mqtt", "port"), environ) == "LACTAMON_MQTT__PORT"
    # A list comes whole from one variable (JSON); its items are not variables of their own.
    assert environment_variable(("probes", 2, "source", "bus"), environ) == "lactamon_probes"
    assert environment_variable(("mqtt", "host"), environ) is None
    assert environment_variable(("site", "id"), environ) is None


def test_the_base_model_still_forbids_unknown_keys() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Strict.model_validate({"surprise": 1})


def test_validate_mapping_reports_a_quoted_port_with_its_path() -> None:
    with pytest.raises(Exception, match=r"modbus\[0\]\.port: write the number without quotes"):
        validate_mapping({"modbus": [{"kind": "tcp", "id": "b", "host": "h", "port": "1"}]}, "t")
