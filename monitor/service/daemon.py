"""``lactamon run``: the daemon a lab leaves running, wired from its settings.

Order at start: key, journal (the record of truth) and users; alarm states and cycles in
progress restored from the journal; an unclean previous stop recorded and alarmed; then the
API, the drivers, the pipeline, the ticker, the committer and the notifiers, all under one
supervisor. At stop: the journal is flushed and closed whatever happened.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from config import Settings
from drivers.factory import build_drivers
from drivers.mqtt_publish import MqttPublisher
from drivers.sink import AvailabilityChange
from monitor.alarms import AlarmManager, AlarmPolicy, AlarmTransition, Notification, Priority
from monitor.api.server import ApiServer
from monitor.clock import NS_PER_S, Clock
from monitor.influx.factory import create_writer
from monitor.influx.tags import StreamLots, tagger_from_settings
from monitor.journal import DEVICE_STREAM, Journal, JournalOptions, JournalReader, load_key_file
from monitor.sdnotify import SystemdNotifier
from monitor.service.clock_sync import ClockSync
from monitor.service.facade import ServiceFacade
from monitor.service.head_publisher import ChainHeadPublisher
from monitor.service.outbox import ALARM_KEY, InfluxOutbox
from monitor.service.pipeline import Pipeline
from monitor.service.queue_sink import QueueSink
from monitor.service.recovery import restore
from monitor.service.supervisor import Component, Supervisor
from monitor.users import UserStore

log = logging.getLogger(__name__)
TICK_S = 1.0
# Real seconds before the first tick: drivers connect and deliver first readings, so a
# simulation at 600x does not call every probe silent before its first poll.
STARTUP_GRACE_S = 2.0
# At stop, the last rows (the closing records too) get this long to reach InfluxDB; what is
# left goes at the next start. Well inside systemd's stop timeout.
DRAIN_S = 5.0


def alarm_policy(settings: Settings) -> AlarmPolicy:
    a = settings.alarms
    return AlarmPolicy(
        flood_count=a.flood_count,
        flood_window_s=a.flood_window_min * 60,
        renotify_s=a.renotify_min * 60,
        escalate_after_s=a.escalate_after_min * 60,
        max_shelve_s=a.max_shelve_min * 60,
    )


class Daemon:
    """Runs until ``stop()`` or a signal; ``ready`` is set once it serves its API."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        *,
        sync: ClockSync | None = None,
        systemd: SystemdNotifier | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.sync = sync or ClockSync(settings.clock.require_sync)
        self.systemd = systemd or SystemdNotifier()
        self.ready = asyncio.Event()
        self.api_url = ""
        self.pipeline: Pipeline | None = None
        self.publisher: MqttPublisher | None = None
        self.outbox: InfluxOutbox | None = None
        self.notifications: list[Notification] = []
        self._supervisor: Supervisor | None = None

    def stop(self, reason: str = "stop requested") -> None:
        if self._supervisor is not None:
            self._supervisor.stop(reason)

    async def run(self) -> None:
        s = self.settings
        key = load_key_file(s.signing.key_file)
        options = JournalOptions(
            commit_interval_s=s.journal.commit_interval_s,
            checkpoint_every_records=s.journal.checkpoint_every_records,
            checkpoint_every_s=s.journal.checkpoint_every_s,
        )
        Path(s.users.path).parent.mkdir(parents=True, exist_ok=True)
        users = UserStore(s.users.path)
        journal = Journal(s.journal.path, key, self.clock, options)
        api: ApiServer | None = None
        outbox: InfluxOutbox | None = None
        try:
            if s.mqtt is not None:
                self.publisher = MqttPublisher(s.mqtt)
            now = self.clock.now_ns()
            grace = now + int(STARTUP_GRACE_S * self.clock.speed * NS_PER_S)
            alarms = AlarmManager(alarm_policy(s))
            pipeline = Pipeline(s, journal, alarms, self._notify, now, silence_from_ns=grace)
            self.pipeline = pipeline
            pipeline.on_transition = self._publish_state
            self._recover(pipeline, journal, now)
            sink = QueueSink()
            components = [Component(d.name, d.run) for d in build_drivers(s, self.clock, sink)]
            components += [
                Component("pipeline", lambda: self._consume(pipeline, sink)),
                Component("ticker", lambda: self._tick(pipeline)),
                Component("committer", lambda: self._commit(journal)),
            ]
            if s.influxdb.enabled:
                lots = StreamLots()
                writer = create_writer(s.influxdb, tagger_from_settings(s, s.site.device, lots))
                outbox = self.outbox = InfluxOutbox(
                    journal, writer, s.influxdb, self.clock, lots, self._outbox_condition
                )
                # An outbox alarm restored from the journal must be cleared by this run.
                restored = pipeline.alarms.alarms.get(ALARM_KEY)
                outbox.alarmed = restored is not None and restored.condition_active
                components.append(Component("outbox-influxdb", outbox.run))
            if self.publisher is not None:
                components.append(Component("mqtt-publisher", self.publisher.run))
                heads = ChainHeadPublisher(journal, self.publisher, s.journal.commit_interval_s)
                components.append(Component("chain-heads", heads.run))
            if self.systemd.watchdog_s:
                components.append(Component("watchdog", lambda: self._watchdog(pipeline)))
            facade = ServiceFacade(pipeline, users, self.clock, self.sync, outbox)
            api = ApiServer(s.web, facade)
            await api.start()
            self.api_url = api.url
            self._supervisor = Supervisor(components)
            self._supervisor.install_signal_handlers()
            self.systemd.ready(f"{len(s.probes)} probes, API on {api.url}")
            self.ready.set()
            log.info("lactamon running: %d probes, journal %s", len(s.probes), s.journal.path)
            try:
                await self._supervisor.run()
            finally:
                self._supervisor.remove_signal_handlers()
        finally:
            self.systemd.stopping()
            if api is not None:
                await api.stop()
            try:
                journal.finish()
                if outbox is not None:
                    await outbox.drain(DRAIN_S)
            finally:
                journal.close()
                users.close()

    def _recover(self, pipeline: Pipeline, journal: Journal, now: int) -> None:
        journal.flush()
        with JournalReader(journal.path) as reader:
            resumed = restore(pipeline, reader)
        for stream in resumed:
            journal.append_event(stream, "cycle_resumed", {"reason": "daemon restarted"}, ts=now)
        if journal.previous_session_clean is False:
            reason = "the previous run did not stop cleanly (crash or power cut)"
            journal.append_event(DEVICE_STREAM, "unclean_restart", {"reason": reason}, ts=now)
            key = "unclean_restart:device"
            for active in (True, False):  # a momentary alarm: it waits for acknowledgement
                pipeline.record_alarms(
                    *pipeline.alarms.condition(now, key, active, "device", Priority.HIGH, reason)
                )

    def _outbox_condition(self, now: int, active: bool, message: str) -> None:
        assert self.pipeline is not None
        alarms = self.pipeline.alarms
        self.pipeline.record_alarms(
            *alarms.condition(now, ALARM_KEY, active, "influxdb", Priority.MEDIUM, message)
        )

    def _notify(self, note: Notification) -> None:
        self.notifications.append(note)
        del self.notifications[:-1000]
        if self.publisher is not None:
            message = {"reason": note.reason, "alarms": list(note.alarms), "ts": note.ts,
                       "priority": int(note.priority), "message": note.message,
                       "escalation_level": note.escalation_level}  # fmt: skip
            self.publisher.publish("alarms/notifications", message)

    def _publish_state(self, transition: AlarmTransition) -> None:
        """Every change of an alarm, not only those that notify (back to normal, shelved):
        the retained state is what a late subscriber takes for the truth."""
        if self.publisher is None or self.pipeline is None:
            return
        alarm = self.pipeline.alarms.alarms.get(transition.key)
        if alarm is not None:
            state = {"key": alarm.key, "state": alarm.state.value, "message": alarm.message,
                     "priority": int(alarm.priority), "ts": transition.ts}  # fmt: skip
            self.publisher.publish(f"alarms/state/{alarm.key}", state, retain=True)

    async def _consume(self, pipeline: Pipeline, sink: QueueSink) -> None:
        while True:
            item = await sink.queue.get()
            if isinstance(item, AvailabilityChange):
                pipeline.on_availability(item)
            else:
                pipeline.on_reading(item)

    async def _tick(self, pipeline: Pipeline) -> None:
        await asyncio.sleep(STARTUP_GRACE_S)
        while True:
            await self.clock.sleep(TICK_S)
            pipeline.tick(self.clock.now_ns())

    async def _commit(self, journal: Journal) -> None:
        # Real time: the commit interval bounds what a power cut can take, whatever the
        # simulation speed.
        while True:
            await asyncio.sleep(self.settings.journal.commit_interval_s)
            journal.flush()

    async def _watchdog(self, pipeline: Pipeline) -> None:
        assert self.systemd.watchdog_s is not None
        while True:
            await asyncio.sleep(self.systemd.watchdog_s / 3)
            self.systemd.watchdog()
