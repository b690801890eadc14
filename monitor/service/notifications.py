"""The daemon's notification side, built from ``[notify]``: channels, router, dispatcher,
relay, heartbeat and keep-alive, each a supervised component.

The dispatcher exists before the alarm desk (the desk hands it every notification); the desk
is attached once it exists, for what the messages say of each alarm, for the relay's state
and for the alarm a failing channel raises (``notify:<channel>``, HIGH, told on the others).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from config import Settings
from drivers.mqtt_publish import MqttPublisher
from monitor.alarms import Notification, Priority
from monitor.clock import Clock
from monitor.errors import NotFound, Refused
from monitor.journal import Journal, Record
from monitor.notify import Channel, Place
from monitor.notify.dispatcher import Dispatcher
from monitor.notify.heartbeat import Heartbeat
from monitor.notify.keepalive import KeepAlive, test_note
from monitor.notify.mqtt import MqttChannel
from monitor.notify.routing import Router
from monitor.service.alarm_desk import AlarmDesk
from monitor.service.supervisor import Component

if TYPE_CHECKING:
    from monitor.notify.command import CommandChannel
    from monitor.notify.email import EmailChannel
    from monitor.notify.relay import RelayChannel
    from monitor.notify.webhook import WebhookChannel

log = logging.getLogger(__name__)
HEALTH_PREFIX = "notify:"
RESTART_S = 30.0


class Notifications:
    """Everything that tells people, for one daemon run."""

    def __init__(
        self, settings: Settings, journal: Journal, clock: Clock, publisher: MqttPublisher | None
    ) -> None:
        n, site = settings.notify, settings.site
        self.settings, self.clock = settings, clock
        self.publisher = publisher
        self.desk: AlarmDesk | None = None
        # Each channel's code is loaded only when the site uses it: resident memory on a Pi.
        self.email: EmailChannel | None = None
        self.webhook: WebhookChannel | None = None
        self.command: CommandChannel | None = None
        self.relay: RelayChannel | None = None
        if n.email is not None:
            from monitor.notify.email import EmailChannel

            self.email = EmailChannel(n.email)
        if n.webhook is not None:
            from monitor.notify.webhook import WebhookChannel

            self.webhook = WebhookChannel(n.webhook)
        if n.command is not None:
            from monitor.notify.command import CommandChannel

            self.command = CommandChannel(n.command)
        if n.relay is not None:
            from monitor.notify.relay import RelayChannel

            self.relay = RelayChannel(n.relay, self._relay_wanted)
        channels: list[Channel] = [c for c in (self.email, self.webhook, self.command,
                                               self.relay) if c is not None]  # fmt: skip
        if publisher is not None:
            channels.append(MqttChannel(publisher))
        zone = ZoneInfo(site.timezone)
        self.router = Router(n, zone, {c.name: c.per_person for c in channels})
        place = Place(site.id, site.name, site.device, site.timezone, n.base_url)
        self.dispatcher = Dispatcher(
            channels, journal, clock.now_ns, place, self.router,
            on_health=self._channel_health, failures_before_alarm=n.failures_before_alarm,
            retry_initial_s=n.retry_first_s, retry_max_s=n.retry_most_s,
            max_attempts=n.attempts,
        )  # fmt: skip
        self.heartbeat = None
        if n.heartbeat is not None:
            publish = self._publish_retained if publisher is not None else None
            self.heartbeat = Heartbeat(n.heartbeat, clock.now_ns, publish,
                                       site=site.id, device=site.device)  # fmt: skip
        self.keepalive = None
        if n.keepalive is not None:
            self.keepalive = KeepAlive(n.keepalive, zone, clock.now_ns, clock.sleep,
                                       self.dispatcher.notify, site.id, site.device)  # fmt: skip

    def attach(self, desk: AlarmDesk) -> None:
        self.desk = desk
        self.dispatcher.describe = desk.facts

    def replay(self, record: Record) -> None:
        """A record of the ``alarms`` stream at resume: who was told of what."""
        if record.kind == "notification_delivered":
            alarms = str(record.fields.get("alarms", "")).split(",")
            self.router.remember([a for a in alarms if a], str(record.fields.get("recipient", "")))

    def catch_up(self, now: int) -> int:
        """After a restart: an alarm waiting for acknowledgement that nobody was told of (the
        Pi stopped before its message left) is told now. Returns how many."""
        if self.desk is None or not any(self.router.channels.values()):
            return 0  # only channels to people keep a record of who was told
        told = 0
        for alarm in self.desk.listing():
            if alarm.needs_ack and not self.router.told.get(alarm.key):
                note = Notification(now, "renotify", (alarm.key,), alarm.priority, alarm.message,
                                    alarm.escalation_level)  # fmt: skip
                self.dispatcher.notify(note)
                told += 1
        if told:
            log.info("%d alarm(s) nobody was told of before the restart: told now", told)
        return told

    def components(self) -> list[Component]:
        d = self.dispatcher
        parts = [Component(f"notify-{name}", functools.partial(d.run_channel, name))
                 for name in d.channels]  # fmt: skip
        parts.append(Component("notify-held", d.run_held))
        if self.relay is not None:
            parts.append(
                Component("notify-relay-refresh", _closing(self.relay.run, self.relay.close))
            )
        if self.heartbeat is not None:
            parts.append(Component("heartbeat", _closing(self.heartbeat.run, self.heartbeat.close)))
        if self.keepalive is not None:
            parts.append(Component("keepalive", _closing(self.keepalive.run, _nothing)))
        if self.webhook is not None:
            parts.append(
                Component("notify-webhook-session", _closing(_forever, self.webhook.close))
            )
        return parts

    def test(self, channel: str, to: str, by: str) -> dict[str, object]:
        """``lactamon notify test``: a test message now, every delivery journaled."""
        d = self.dispatcher
        if channel and channel not in d.channels:
            known = ", ".join(sorted(d.channels)) or "none configured"
            raise NotFound(f"unknown channel {channel!r} (configured: {known})")
        if to and to not in self.settings.notify.people:
            known = ", ".join(sorted(self.settings.notify.people)) or "none in the settings"
            raise NotFound(f"unknown person {to!r} (known: {known})")
        site = self.settings.site
        note = test_note(self.clock.now_ns(), site.id, site.device, f"asked by {by}")
        made = d.notify(note, only=channel, to=to)
        if not made:
            raise Refused("nobody to tell: no channel configured, or nobody on call now")
        return {"deliveries": [{"channel": x.channel, "recipient": x.recipient_id,
                                "idempotency_key": x.key} for x in made]}  # fmt: skip

    def status(self) -> dict[str, object]:
        out: dict[str, object] = {"channels": self.dispatcher.status()}
        if self.relay is not None:
            out["relay_on"] = self.relay.state
        if self.heartbeat is not None:
            hb = self.heartbeat
            out["heartbeat"] = {"last_success_ns": hb.last_success_ns,
                                "last_failure_ns": hb.last_failure_ns,
                                "last_error": hb.last_error}  # fmt: skip
        return out

    def _relay_wanted(self) -> bool:
        from monitor.notify.relay import priority_of, relay_wanted

        if self.desk is None or self.settings.notify.relay is None:
            return False
        threshold = priority_of(self.settings.notify.relay.priority)
        return relay_wanted(lambda: self.desk.listing() if self.desk else [], threshold)()

    def _channel_health(self, channel: str, failing: bool, message: str) -> None:
        if self.desk is not None:
            now = self.clock.now_ns()
            key = HEALTH_PREFIX + channel
            self.desk.condition(now, key, failing, "notify", Priority.HIGH, message)

    def _publish_retained(self, topic: str, payload: dict[str, object], retain: bool) -> None:
        assert self.publisher is not None
        self.publisher.publish(topic, payload, retain=retain)


async def _nothing() -> None:
    return None


async def _forever() -> None:
    # The webhook's HTTP session lives as long as the daemon and is closed as it stops.
    await asyncio.Event().wait()


def _closing(run: Callable[[], Awaitable[None]], close: Callable[[], Awaitable[None]]
             ) -> Callable[[], Awaitable[None]]:  # fmt: skip
    """``run`` again after an unexpected fault (telling people never stops monitoring), and
    ``close`` at the end."""

    async def runner() -> None:
        try:
            while True:
                try:
                    await run()
                except Exception:
                    log.exception("notification component failed; restarting it in %g s",
                                  RESTART_S)  # fmt: skip
                await asyncio.sleep(RESTART_S)
        finally:
            await close()

    return runner
