import ssl
from pathlib import Path

import aiomqtt
import pytest
from aiomqtt.exceptions import MqttConnectError
from paho.mqtt.reasoncodes import ReasonCode

from config.links import MqttBroker, MqttTls
from drivers.mqtt_connect import MqttConnector, MqttSetupError, describe_mqtt_error, tls_context
from tests.fixtures.tls_certs import make_ca

ADDRESS = "mqtts://127.0.0.1:8883"


def connack(code: int) -> MqttConnectError:
    return MqttConnectError(ReasonCode(2, identifier=code))  # 2: CONNACK


def test_a_refused_password_points_at_the_credentials() -> None:
    text = describe_mqtt_error(connack(135), ADDRESS)
    assert text == (
        f"broker {ADDRESS} refused the connection: [code:135] Not authorized "
        "(check mqtt.username and the password)"
    )
    assert "check mqtt.client_id" in describe_mqtt_error(connack(133), ADDRESS)


def test_an_untrusted_certificate_points_at_the_ca_file() -> None:
    error = aiomqtt.MqttError(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"
    )
    text = describe_mqtt_error(error, ADDRESS)
    assert text.startswith(f"broker {ADDRESS}: its TLS certificate is not trusted: [SSL:")
    assert text.endswith("(check mqtt.tls.ca_file, and that the certificate names this host)")


def test_a_lost_connection_and_other_errors_say_what_happened() -> None:
    lost = aiomqtt.MqttError("Disconnected during message iteration")
    lost.__cause__ = aiomqtt.MqttCodeError(7, "Unexpected disconnection")
    assert describe_mqtt_error(lost, ADDRESS) == (
        f"broker {ADDRESS}: connection lost (Disconnected during message iteration: "
        "[code:7] The connection was lost.)"
    )
    refused = aiomqtt.MqttError("[Errno 111] Connection refused")
    assert (
        describe_mqtt_error(refused, ADDRESS) == f"broker {ADDRESS}: [Errno 111] Connection refused"
    )
    timeout = describe_mqtt_error(aiomqtt.MqttError("Operation timed out"), ADDRESS)
    assert "reached without mqtt.tls" in timeout


def test_tls_context_trusts_only_the_given_ca(tmp_path: Path) -> None:
    ca = make_ca(tmp_path)
    context = tls_context(MqttTls(ca_file=ca.cert_file))
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert len(context.get_ca_certs()) == 1
    insecure = tls_context(MqttTls(ca_file=ca.cert_file, insecure_skip_verify=True))
    assert insecure.verify_mode is ssl.CERT_NONE


def test_an_unreadable_ca_file_is_a_setup_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.crt"
    with pytest.raises(MqttSetupError, match=r"mqtt.tls: cannot load certificates: .*No such file"):
        tls_context(MqttTls(ca_file=missing))


def test_a_world_readable_password_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "mqtt.password"
    secret.write_text("hunter2\n")
    secret.chmod(0o644)
    broker = MqttBroker(username="lab", password_file=secret)
    with pytest.raises(MqttSetupError, match="readable by others"):
        MqttConnector(broker, "probes")
    secret.chmod(0o600)
    assert MqttConnector(broker, "probes").client_id == "lactamon-probes"


async def test_clients_carry_the_settings() -> None:
    connector = MqttConnector(MqttBroker(port=1884, client_id="site-a"), "sim")
    client = connector.client()
    assert client.identifier == "site-a-sim"
    assert connector.address == "mqtt://127.0.0.1:1884"
