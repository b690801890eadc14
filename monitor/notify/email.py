"""The e-mail channel: one plain-text message per person, over SMTP (aiosmtplib).

A delivery counts as done when the server has answered 250 to the message's data. The
Message-ID is made of the delivery's idempotency key, so the copy a retry sends after a
timeout (the server took the first one, but its answer was lost) carries the same
Message-ID, and mail clients and most servers show it once.

Security is the settings' choice: STARTTLS (required, never silently skipped), TLS from
the start, or none (a relay on the same host or the site's own network). The certificate is
checked against ``ca_file`` when given, against the system's store otherwise. Every refusal
becomes ``DeliveryFailed`` with the server's answer; the password is never put in a text.
"""

from __future__ import annotations

import socket
import ssl
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib

from config.notify_channels import SmtpSettings
from monitor.notify.channel import Delivery, DeliveryFailed

# aiosmtplib's answer to a message it took carries the text only: the code is always 250.
ACCEPTED = 250


def mail_domain(sender: str) -> str:
    """The host part of an address (``alarms@lab.example`` → ``lab.example``)."""
    return sender.rpartition("@")[2]


def mailbox(delivery: Delivery) -> Address:
    """Name and address of the delivery's person; ``DeliveryFailed`` without a usable one."""
    to = delivery.to
    if to is None or not to.email:
        who = to.id if to is not None else "the recipient"
        raise DeliveryFailed(f"{who} has no e-mail address")
    try:
        return Address(display_name=to.name, addr_spec=to.email)
    except (ValueError, IndexError) as exc:
        # The settings check addresses loosely; a bad one must fail this person's delivery
        # only, with a text saying whose address it is.
        raise DeliveryFailed(f"{to.id}'s e-mail address {to.email!r} is unusable: {exc}") from exc


def email_message(delivery: Delivery, sender: str, now: datetime | None = None) -> EmailMessage:
    """The message for one person: headers, and the plain text every channel shares.

    Raises ``DeliveryFailed`` when the person has no e-mail address, or an unusable one.
    """
    recipient = mailbox(delivery)
    message = delivery.message
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = recipient
    mail["Subject"] = message.subject()
    mail["Date"] = format_datetime(now or datetime.now(UTC))
    mail["Message-ID"] = f"<{delivery.key}@{mail_domain(sender)}>"
    # RFC 3834: out-of-office robots must not answer an alarm.
    mail["Auto-Submitted"] = "auto-generated"
    mail["X-Lactamon-Alarms"] = ", ".join(message.note.alarms)
    mail["X-Lactamon-Idempotency-Key"] = delivery.key
    # Quoted-printable keeps the text 7-bit (for a server without 8BITMIME) yet readable.
    mail.set_content(message.text(), charset="utf-8", cte="quoted-printable")
    return mail


class EmailChannel:
    """E-mail to each person the policy names, through the site's SMTP server."""

    name = "email"
    per_person = True

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        # The name said in EHLO, once: aiosmtplib would otherwise look the host's full name up
        # for every message, a DNS query a Pi with broken reverse DNS waits seconds for.
        self.local_hostname = socket.gethostname() or "localhost"

    @property
    def server(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def tls_context(self) -> ssl.SSLContext | None:
        """The context that checks the server's certificate; none without TLS."""
        s = self.settings
        if s.security == "none":
            return None
        try:
            return ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
        except (OSError, ssl.SSLError) as exc:
            raise DeliveryFailed(f"cannot use CA file {s.ca_file}: {exc}") from exc

    def credentials(self) -> tuple[str | None, str | None]:
        s = self.settings
        if s.username is None:
            return None, None
        try:
            password = s.password_value()
        except ValueError as exc:
            # read_secret's text names the file, never the secret.
            raise DeliveryFailed(str(exc)) from exc
        if password is None:
            raise DeliveryFailed(f"no password given for SMTP user {s.username}")
        return s.username, password

    async def deliver(self, delivery: Delivery) -> str:
        s = self.settings
        mail = email_message(delivery, s.sender)
        address = mailbox(delivery).addr_spec
        username, password = self.credentials()
        tls_context = self.tls_context()
        try:
            _refused, answer = await aiosmtplib.send(
                mail,
                sender=s.sender,
                recipients=[address],
                hostname=s.host,
                port=s.port,
                username=username,
                password=password,
                timeout=s.timeout_s,
                use_tls=s.security == "tls",
                # True, not None: aiosmtplib would otherwise go on in clear text when the
                # server does not offer STARTTLS, sending the password and the message.
                start_tls=s.security == "starttls",
                tls_context=tls_context,
                local_hostname=self.local_hostname,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            answers = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            raise DeliveryFailed(f"{self.server} refused {address}: {answers}") from exc
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise DeliveryFailed(
                f"{self.server} refused the login of {username}: {exc.code} {exc.message}"
            ) from exc
        except aiosmtplib.SMTPSenderRefused as exc:
            raise DeliveryFailed(
                f"{self.server} refused the sender {s.sender}: {exc.code} {exc.message}"
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryFailed(f"{self.server} answered {exc.code} {exc.message}") from exc
        except aiosmtplib.SMTPTimeoutError as exc:
            # Before SMTPConnectError: a connect timeout is both.
            raise DeliveryFailed(
                f"timed out after {s.timeout_s:g} s talking to {self.server}: {exc.message}",
                "timed_out",
            ) from exc
        except aiosmtplib.SMTPConnectError as exc:
            # aiosmtplib's text repeats host and port; the cause is the useful part.
            why = exc.__cause__ or exc.message
            raise DeliveryFailed(f"cannot connect to {self.server}: {why}", "unreachable") from exc
        except aiosmtplib.SMTPServerDisconnected as exc:
            raise DeliveryFailed(f"{self.server} closed the connection: {exc.message}") from exc
        except aiosmtplib.SMTPException as exc:
            # STARTTLS or AUTH not offered, an address the server cannot take (SMTPUTF8).
            raise DeliveryFailed(f"{self.server}: {exc.message}") from exc
        except ssl.SSLError as exc:
            # A certificate refused during STARTTLS comes straight from the ssl module.
            raise DeliveryFailed(f"TLS with {self.server} failed: {exc}") from exc
        except TimeoutError as exc:
            raise DeliveryFailed(
                f"timed out after {s.timeout_s:g} s talking to {self.server}", "timed_out"
            ) from exc
        except OSError as exc:
            raise DeliveryFailed(f"cannot talk to {self.server}: {exc}", "unreachable") from exc
        except ValueError as exc:
            # aiosmtplib checks addresses before it sends anything.
            raise DeliveryFailed(f"cannot send to {address}: {exc}") from exc
        return f"{ACCEPTED} {answer}"


__all__ = ["EmailChannel", "email_message", "mail_domain", "mailbox"]
