"""The e-mail channel against a real SMTP server (aiosmtpd) on loopback: plain, STARTTLS with
a login, TLS from the start, and each way a delivery can fail."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import SecretStr

from config.notify_channels import SmtpSettings
from monitor.notify import DeliveryFailed, Recipient
from monitor.notify.email import EmailChannel, email_message
from tests.fixtures.ports import free_port
from tests.fixtures.smtp_server import HOST, PASSWORD, USERNAME, SmtpServer
from tests.fixtures.tls_certs import ServerCertificate, make_ca, make_server_certificate
from tests.monitor.notify.samples import delivery

SUBJECT = "[lactamon] P1 band:F1 fridge F1 out of 0..4 °C for 10 min (worst 6.2 °C)"
SENDER = "lactamon@lab.example"
Security = Literal["starttls", "tls", "none"]


def settings(port: int, security: Security = "none", **more: Any) -> SmtpSettings:
    return SmtpSettings(host=HOST, port=port, security=security, sender=SENDER, timeout_s=5, **more)


@pytest.fixture
def cert(tmp_path: Path) -> ServerCertificate:
    return make_server_certificate(make_ca(tmp_path), tmp_path)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer("none").start()
    yield server
    server.stop()


@pytest.fixture
def smtp_starttls(cert: ServerCertificate) -> Iterator[SmtpServer]:
    server = SmtpServer("starttls", cert).start()
    yield server
    server.stop()


@pytest.fixture
def smtp_tls(cert: ServerCertificate) -> Iterator[SmtpServer]:
    server = SmtpServer("tls", cert).start()
    yield server
    server.stop()


async def test_plain_delivery_reaches_the_server_with_every_header(smtp: SmtpServer) -> None:
    d = delivery("email")
    answer = await EmailChannel(settings(smtp.port)).deliver(d)
    assert answer == "250 OK queued as 42"
    [got] = smtp.received
    assert got.mail_from == SENDER
    assert got.rcpt_tos == ["alice@lab.example"]
    m = got.message
    assert m["From"] == SENDER
    assert m["To"] == "Alice Martin <alice@lab.example>"
    assert m["Subject"] == SUBJECT
    assert m["Message-ID"] == f"<{d.key}@lab.example>"
    assert m["X-Lactamon-Idempotency-Key"] == d.key
    assert m["X-Lactamon-Alarms"] == "band:F1"
    assert m["Auto-Submitted"] == "auto-generated"
    assert abs((parsedate_to_datetime(m["Date"]) - datetime.now(UTC)).total_seconds()) < 60
    body = m.get_content()
    assert "Acknowledge: https://lactamon.lab:8470/alarms/band:F1" in body
    assert "lactamon ack band:F1" in body
    assert "6.2 °C" in body
    assert m.get_content_type() == "text/plain"
    assert m.get_content_charset() == "utf-8"


async def test_starttls_with_login_is_delivered_and_the_login_seen(
    smtp_starttls: SmtpServer, cert: ServerCertificate
) -> None:
    s = settings(
        smtp_starttls.port,
        "starttls",
        ca_file=cert.ca.cert_file,
        username=USERNAME,
        password=SecretStr(PASSWORD),
    )
    answer = await EmailChannel(s).deliver(delivery("email"))
    assert answer.startswith("250 ")
    [got] = smtp_starttls.received
    assert got.login == USERNAME
    assert got.message["Subject"] == SUBJECT


async def test_starttls_password_from_a_file(
    smtp_starttls: SmtpServer, cert: ServerCertificate, tmp_path: Path
) -> None:
    secret = tmp_path / "smtp.password"
    secret.write_text(PASSWORD + "\n")
    secret.chmod(0o600)
    s = settings(
        smtp_starttls.port,
        "starttls",
        ca_file=cert.ca.cert_file,
        username=USERNAME,
        password_file=secret,
    )
    await EmailChannel(s).deliver(delivery("email"))
    assert [r.login for r in smtp_starttls.received] == [USERNAME]


async def test_wrong_password_fails_with_the_servers_535(
    smtp_starttls: SmtpServer, cert: ServerCertificate
) -> None:
    wrong = "not the password"
    s = settings(
        smtp_starttls.port,
        "starttls",
        ca_file=cert.ca.cert_file,
        username=USERNAME,
        password=SecretStr(wrong),
    )
    with pytest.raises(DeliveryFailed, match="535") as failed:
        await EmailChannel(s).deliver(delivery("email"))
    assert "Authentication credentials invalid" in str(failed.value)
    assert USERNAME in str(failed.value)
    assert wrong not in str(failed.value)
    assert smtp_starttls.received == []


async def test_starttls_required_but_not_offered_fails(smtp: SmtpServer) -> None:
    with pytest.raises(DeliveryFailed, match="STARTTLS"):
        await EmailChannel(settings(smtp.port, "starttls")).deliver(delivery("email"))
    assert smtp.received == []


async def test_starttls_with_an_unknown_ca_fails(smtp_starttls: SmtpServer) -> None:
    s = settings(smtp_starttls.port, "starttls", username=USERNAME, password=SecretStr(PASSWORD))
    with pytest.raises(DeliveryFailed, match="CERTIFICATE_VERIFY_FAILED"):
        await EmailChannel(s).deliver(delivery("email"))
    assert smtp_starttls.received == []


async def test_implicit_tls_is_delivered(smtp_tls: SmtpServer, cert: ServerCertificate) -> None:
    s = settings(smtp_tls.port, "tls", ca_file=cert.ca.cert_file)
    answer = await EmailChannel(s).deliver(delivery("email"))
    assert answer == "250 OK queued as 42"
    [got] = smtp_tls.received
    assert got.message["Subject"] == SUBJECT


async def test_implicit_tls_with_an_unknown_ca_fails(smtp_tls: SmtpServer) -> None:
    with pytest.raises(DeliveryFailed, match=r"cannot connect to .*CERTIFICATE_VERIFY_FAILED"):
        await EmailChannel(settings(smtp_tls.port, "tls")).deliver(delivery("email"))
    assert smtp_tls.received == []


async def test_refused_recipient_fails_with_the_servers_550(smtp: SmtpServer) -> None:
    smtp.handler.refuse_rcpt = "550 no such user"
    with pytest.raises(DeliveryFailed, match="550 no such user") as failed:
        await EmailChannel(settings(smtp.port)).deliver(delivery("email"))
    assert "alice@lab.example" in str(failed.value)
    assert smtp.received == []


async def test_server_down_fails_naming_the_address() -> None:
    port = free_port()
    with pytest.raises(DeliveryFailed, match=f"cannot connect to {HOST}:{port}"):
        await EmailChannel(settings(port)).deliver(delivery("email"))


async def test_server_that_never_answers_times_out() -> None:
    # Listening but never accepting: the connection opens, the greeting never comes.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as mute:
        mute.bind((HOST, 0))
        mute.listen(1)
        port = mute.getsockname()[1]
        s = SmtpSettings(host=HOST, port=port, security="none", sender=SENDER, timeout_s=0.3)
        with pytest.raises(DeliveryFailed, match=f"timed out after 0.3 s talking to {HOST}"):
            await EmailChannel(s).deliver(delivery("email"))


async def test_the_same_delivery_twice_has_the_same_message_id(smtp: SmtpServer) -> None:
    channel = EmailChannel(settings(smtp.port))
    d = delivery("email")
    await channel.deliver(d)
    await channel.deliver(d)
    ids = [r.message["Message-ID"] for r in smtp.received]
    assert ids == [f"<{d.key}@lab.example>"] * 2
    other = delivery("email", reason="renotify")
    await channel.deliver(other)
    assert smtp.received[-1].message["Message-ID"] != ids[0]


async def test_a_person_without_e_mail_fails_naming_her(smtp: SmtpServer) -> None:
    nobody = Recipient("bob", "Bob Durand", None, "+33 6 00 00 00 00")
    with pytest.raises(DeliveryFailed, match=r"^bob has no e-mail address$"):
        await EmailChannel(settings(smtp.port)).deliver(delivery("email", to=nobody))
    assert smtp.received == []


async def test_no_recipient_at_all_fails() -> None:
    with pytest.raises(DeliveryFailed, match="no e-mail address"):
        await EmailChannel(settings(free_port())).deliver(delivery("email", to=None))


def test_a_non_ascii_name_is_encoded_and_the_date_given() -> None:
    zoe = Recipient("zoe", "Zoé Lefèvre", "zoe@lab.example")
    now = datetime(2026, 9, 21, 8, 0, tzinfo=UTC)
    m = email_message(delivery("email", to=zoe), SENDER, now)
    raw = m.as_bytes()
    raw.decode("ascii")  # 7-bit on the wire: headers encoded, body quoted-printable
    assert m["To"] == "Zoé Lefèvre <zoe@lab.example>"
    assert parsedate_to_datetime(m["Date"]) == now


def test_an_unusable_address_fails_naming_the_person() -> None:
    odd = Recipient("carol", "Carol", "carol at lab")
    with pytest.raises(DeliveryFailed, match="carol's e-mail address"):
        email_message(delivery("email", to=odd), SENDER)
