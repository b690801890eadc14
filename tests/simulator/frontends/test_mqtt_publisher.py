import pytest

from config.settings import settings_from_mapping
from monitor.clock import SystemClock
from simulator.frontends.mqtt_publisher import MqttFrontend
from simulator.models.probe import ProbeOutput

PROBE = {"id": "F1", "source": {"kind": "mqtt", "topic": "z/f1", "format": "zigbee2mqtt"}}


class FakeLab:
    def __init__(self, outputs: dict[str, ProbeOutput]) -> None:
        self.outputs = outputs

    def probe_output(self, probe_id: str) -> ProbeOutput:
        return self.outputs[probe_id]

    def link_up(self, link_id: str) -> bool:
        raise LookupError(link_id)


def test_publishes_the_mqtt_probes_of_the_settings() -> None:
    serial = {"id": "S", "source": {"kind": "serial", "line": "l", "field": "T"}}
    settings = settings_from_mapping(
        {
            "mqtt": {"port": 1884},
            "serial": [{"id": "l", "device": "/dev/null"}],
            "probes": [PROBE, serial],
        }
    )
    frontend = MqttFrontend(settings, FakeLab({"F1": ProbeOutput(3.0)}), SystemClock())
    assert [p.id for p in frontend.probes] == ["F1"]
    assert frontend.connector.client_id == f"lactamon-{settings.site.id}-{settings.site.device}-sim"


def test_needs_a_broker_and_probes_the_lab_knows() -> None:
    with pytest.raises(ValueError, match=r"no \[mqtt\] section"):
        MqttFrontend(settings_from_mapping({}), FakeLab({}), SystemClock())
    settings = settings_from_mapping({"mqtt": {}, "probes": [PROBE]})
    with pytest.raises(ValueError, match="MQTT probe F1 is not in the simulated lab"):
        MqttFrontend(settings, FakeLab({}), SystemClock())
