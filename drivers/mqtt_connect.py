"""Connecting to the MQTT broker: client options from ``MqttBroker``, TLS, and readable errors.

Shared by the probe subscriber and by anything else that talks to the same broker (the
simulator's publisher, notifiers). Each user passes its own client id suffix: two clients
with one id would keep disconnecting each other.
"""

from __future__ import annotations

import ssl

import aiomqtt
from aiomqtt.exceptions import MqttConnectError
from paho.mqtt.reasoncodes import ReasonCode

from config.links import MqttBroker, MqttTls

# Re-exported: the MQTT loops call it after every call into aiomqtt and import it from here.
from drivers.cancellation import stop_if_cancelled as stop_if_cancelled
from drivers.mqtt_beat_client import BeatClient
from drivers.mqtt_handoff import Handler, handing_queue


class MqttSetupError(ValueError):
    """The broker settings cannot be used (unreadable CA or key file, unreadable password)."""


def tls_context(tls: MqttTls) -> ssl.SSLContext:
    """A client TLS context: the system's CAs, or only ``ca_file`` (a lab's own CA)."""
    try:
        context = ssl.create_default_context(
            cafile=str(tls.ca_file) if tls.ca_file is not None else None
        )
        if tls.cert_file is not None:
            context.load_cert_chain(
                str(tls.cert_file), str(tls.key_file) if tls.key_file is not None else None
            )
    except (OSError, ssl.SSLError) as exc:
        raise MqttSetupError(f"mqtt.tls: cannot load certificates: {exc}") from exc
    if tls.insecure_skip_verify:
        # For a bench only: the connection is encrypted but the broker is not authenticated.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class MqttConnector:
    """Makes ``aiomqtt.Client`` objects for one broker; settings are checked once, up front.

    A new client is needed for every connection attempt (aiomqtt clients are reusable but
    not re-entrant, and a fresh one starts from a clean state after a failure).
    """

    def __init__(
        self, broker: MqttBroker, client_id_suffix: str, *, timeout_s: float = 10.0
    ) -> None:
        self.broker = broker
        self.client_id = f"{broker.client_id_base}-{client_id_suffix}"
        self._timeout_s = timeout_s
        try:
            self._password = broker.password_value()
        except ValueError as exc:
            raise MqttSetupError(str(exc)) from exc
        self._tls = tls_context(broker.tls) if broker.tls is not None else None

    @property
    def address(self) -> str:
        scheme = "mqtts" if self._tls is not None else "mqtt"
        return f"{scheme}://{self.broker.host}:{self.broker.port}"

    def client(self, on_message: Handler | None = None) -> aiomqtt.Client:
        """A new client; call inside the running event loop, connect with ``async with``.

        A clean session: messages queued by the broker while this client was away would
        arrive late and be stamped at their arrival, so they are better not kept at all.
        ``on_message``: each message is handed to it as it is read (``mqtt_handoff``) and
        ``client.messages`` yields nothing, but still ends when the connection does.
        """
        return BeatClient(
            self.broker.host,
            self.broker.port,
            username=self.broker.username,
            password=self._password,
            identifier=self.client_id,
            clean_session=True,
            keepalive=self.broker.keepalive_s,
            timeout=self._timeout_s,
            tls_context=self._tls,
            queue_type=None if on_message is None else handing_queue(on_message),
        )

    def describe(self, exc: BaseException) -> str:
        """What went wrong, in words that point at the setting to check."""
        return describe_mqtt_error(exc, self.address)


# CONNACK refusals (MQTT 3.1.1 codes and the MQTT 5 reason codes paho maps them to).
_CONNACK_HINTS = {
    2: "check mqtt.client_id",
    133: "check mqtt.client_id",
    4: "check mqtt.username and the password",
    5: "check mqtt.username and the password",
    134: "check mqtt.username and the password",
    135: "check mqtt.username and the password",
}


def describe_mqtt_error(exc: BaseException, address: str) -> str:
    """A one-line account of an ``aiomqtt.MqttError`` for the log and for unavailable probes."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, MqttConnectError):
        code = exc.rc.value if isinstance(exc.rc, ReasonCode) else exc.rc
        hint = _CONNACK_HINTS.get(code) if isinstance(code, int) else None
        return f"broker {address} refused the connection: {text}" + (f" ({hint})" if hint else "")
    if exc.__cause__ is not None:
        text = f"{text}: {exc.__cause__}"
    if text.startswith("Disconnected during message iteration"):
        return f"broker {address}: connection lost ({text})"
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return (
            f"broker {address}: its TLS certificate is not trusted: {text} "
            "(check mqtt.tls.ca_file, and that the certificate names this host)"
        )
    if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
        return f"broker {address} does not speak TLS on this port: {text} (check mqtt.port)"
    if text.startswith("Operation timed out"):
        return (
            f"broker {address} did not answer in time: {text} (when connecting: a TLS port "
            "reached without mqtt.tls, or an overloaded broker)"
        )
    return f"broker {address}: {text}"
