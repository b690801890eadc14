"""``lactamon run``: the daemon a lab leaves running, wired from its settings.

Order at start: key, journal (the record of truth) and users; every machine and alarm
resumed from the journal (``resume``); an unclean previous stop recorded and alarmed; then
the API, the drivers, the pipeline, the ticker, the committer, the outbox and the
notification channels, all under one supervisor. At stop: the machines' state and a clean
close are journaled, whatever happened.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from config import Settings
from drivers.factory import build_drivers
from drivers.mqtt_publish import MqttPublisher
from drivers.mqtt_subscriber import MqttSubscriber
from drivers.sink import AvailabilityChange, Watermark
from monitor.alarms import AlarmManager, Priority
from monitor.api.server import ApiServer
from monitor.clock import NS_PER_S, Clock, ScaledClock, sleep_to_beat
from monitor.influx.factory import create_writer
from monitor.influx.tags import StreamLots, tagger_from_settings
from monitor.journal import DEVICE_STREAM, Journal, JournalOptions, JournalReader, load_key_file
from monitor.journal.reserve import open_with_reserve
from monitor.journal.rotation_file import journal_rotations
from monitor.notify.mqtt import RetainedAlarmStates
from monitor.sdnotify import SystemdNotifier
from monitor.service.alarm_desk import AlarmDesk
from monitor.service.alarm_policy import alarm_policy
from monitor.service.clock_origin import record_clock_origin
from monitor.service.clock_sync import ClockSync
from monitor.service.clock_watch import ClockWatch
from monitor.service.disk_space import DISK_KEY, JournalCommitter
from monitor.service.evaluators import Evaluators
from monitor.service.facade import ServiceFacade
from monitor.service.head_publisher import ChainHeadPublisher
from monitor.service.journal_watch import JournalWatch
from monitor.service.lot_watch import lot_components
from monitor.service.notifications import Notifications
from monitor.service.outbox import ALARM_KEY, InfluxOutbox
from monitor.service.pipeline import Pipeline
from monitor.service.queue_sink import Item, QueueSink
from monitor.service.resume import resume
from monitor.service.self_check import SelfCheck
from monitor.service.settings_record import record_settings
from monitor.service.sheet_watch import SheetWatch
from monitor.service.stop_signals import catch_stop_signals, release_stop_signals
from monitor.service.supervisor import Component, Supervisor
from monitor.users import UserStore
from monitor.users.journaling import UserChangeJournal

log = logging.getLogger(__name__)
TICK_S = 1.0
# Real seconds before the first tick: drivers connect and deliver first readings, so a
# simulation at 600x does not call every probe silent before its first poll.
STARTUP_GRACE_S = 2.0
# At stop, the last rows (the closing records too) get this long to reach InfluxDB; what is
# left goes at the next start. Well inside systemd's stop timeout.
DRAIN_S = 5.0
UNCLEAN_KEY = "unclean_restart:device"
RESERVE_IN_USE = (
    "the disk was full at start: the journal opened in the room kept in reserve beside it "
    "(2 MiB), and records wait in memory once that is used; free space on the disk"
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
        self.api_socket: Path | None = None  # the command line's, once listening
        self.pipeline: Pipeline | None = None
        self.publisher: MqttPublisher | None = None
        self.outbox: InfluxOutbox | None = None
        self.notifications: Notifications | None = None
        self.heads: ChainHeadPublisher | None = None
        self._supervisor: Supervisor | None = None
        self._stop_asked = ""

    def stop(self, reason: str = "stop requested") -> None:
        if self._supervisor is not None:
            self._supervisor.stop(reason)
        else:
            # Asked while starting: the supervisor stops as soon as it exists.
            self._stop_asked = self._stop_asked or reason

    async def run(self) -> None:
        # From the very start: a SIGTERM while the journal is opened and replayed must still
        # end with the journal closed cleanly, not with a kill the next start calls a crash.
        early_signals = catch_stop_signals(self.stop)
        try:
            await self._run()
        finally:
            release_stop_signals(early_signals)

    async def _run(self) -> None:
        s = self.settings
        key = load_key_file(s.signing.key_file)
        options = JournalOptions(
            commit_interval_s=s.journal.commit_interval_s,
            cold_commit_interval_s=s.journal.cold_commit_interval_s,
            checkpoint_every_records=s.journal.checkpoint_every_records,
            checkpoint_every_s=s.journal.checkpoint_every_s,
            buffer_bytes=s.journal.buffer_bytes,
        )
        Path(s.users.path).parent.mkdir(parents=True, exist_ok=True)
        users = UserStore(s.users.path)
        journal, in_reserve = open_with_reserve(
            lambda: Journal(s.journal.path, key, self.clock, options), s.journal.path
        )
        api: ApiServer | None = None
        outbox: InfluxOutbox | None = None
        pipeline: Pipeline | None = None
        try:
            journal_rotations(journal, s.signing.key_file)
            record_clock_origin(journal, self.clock)
            record_settings(journal, s, self.clock.now_ns())
            if s.mqtt is not None:
                self.publisher = MqttPublisher(s.mqtt)
            notes = self.notifications = Notifications(s, journal, self.clock, self.publisher)
            now = self.clock.now_ns()
            grace = now + int(STARTUP_GRACE_S * self.clock.speed * NS_PER_S)
            desk = AlarmDesk(AlarmManager(alarm_policy(s)), journal, notes.dispatcher.notify)
            notes.attach(desk)
            if in_reserve:
                desk.pulse(now, DISK_KEY, "journal", Priority.HIGH, RESERVE_IN_USE)
            if self.publisher is not None:
                states = RetainedAlarmStates(self.publisher, s.site.id, s.site.device)
                desk.listeners.append(states)
            machines = Evaluators(s, now, silence_from_ns=grace)
            pipeline = self.pipeline = Pipeline(s, journal, desk, machines)
            self._resume(pipeline, journal, now, grace, notes)
            notes.catch_up(now)
            users_journal = UserChangeJournal(users, journal)
            users_journal.catch_up()
            sink = QueueSink(s.overload.queue_readings)
            drivers = build_drivers(s, self.clock, sink)
            pipeline.input.queue = sink
            pipeline.input.speed = self.clock.speed
            for driver in drivers:
                if isinstance(driver.driver, MqttSubscriber):
                    pipeline.input.attach("mqtt", driver.driver.watermarks)
            components = [Component(d.name, d.run) for d in drivers]
            rejects = [r for d in drivers if (r := getattr(d, "rejects", None)) is not None]
            components += [
                Component("pipeline", lambda: self._consume(pipeline, sink)),
                Component("ticker", lambda: self._tick(pipeline)),
                Component("committer", lambda: self._commit(journal)),
                Component("users-journal", users_journal.run),
                Component("journal-watch", JournalWatch(journal, desk, self.clock).run),
                Component("self-check", SelfCheck(journal, desk, self.clock).run),
            ]
            components += notes.components()
            if s.influxdb.enabled:
                lots = StreamLots()
                writer = create_writer(s.influxdb, tagger_from_settings(s, s.site.device, lots))
                outbox = self.outbox = InfluxOutbox(
                    journal, writer, s.influxdb, self.clock, lots, self._outbox_condition
                )
                outbox.alarmed = desk.is_active(ALARM_KEY)  # restored: this run must clear it
                components.append(Component("outbox-influxdb", outbox.run))
            if self.publisher is not None:
                components.append(Component("mqtt-publisher", self.publisher.run))
                heads = self.heads = ChainHeadPublisher(
                    journal, self.publisher, s.journal.commit_interval_s, s.site.id, s.site.device
                )
                components.append(Component("chain-heads", heads.run))
            if self.systemd.watchdog_s:
                components.append(Component("watchdog", self._watchdog))
            facade = ServiceFacade(pipeline, users, self.clock, self.sync, outbox, notes)
            facade.reject_logs = rejects
            components.append(Component("sheet-watch", SheetWatch(facade.sheets, self.clock).run))
            components += lot_components(facade.lot_desk, pipeline.desk, self.clock)
            api = ApiServer(s.web, facade)
            await api.start()
            self.api_url = api.url
            self.api_socket = api.unix_socket
            self._supervisor = Supervisor(components)
            self._supervisor.install_signal_handlers()
            if self._stop_asked:
                self._supervisor.stop(self._stop_asked)
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
                if pipeline is not None:
                    pipeline.save_state(self.clock.now_ns())
                journal.finish()
                await self._deliver_last(outbox)
            finally:
                journal.close()
                users.close()

    async def _deliver_last(self, outbox: InfluxOutbox | None) -> None:
        """The closing records and the last signed heads get ``DRAIN_S`` to leave the Pi."""
        drains: list[Coroutine[Any, Any, object]] = []
        if outbox is not None:
            drains.append(outbox.drain(DRAIN_S))
        if self.heads is not None and self.publisher is not None:
            self.heads.publish_last()
            drains.append(self.publisher.drain(DRAIN_S))
        await asyncio.gather(*drains)

    def _resume(
        self, pipeline: Pipeline, journal: Journal, now: int, grace: int, notes: Notifications
    ) -> None:
        journal.flush()
        with JournalReader(journal.path) as reader:
            resumed = resume(pipeline, reader, grace, now, self.clock.monotonic(), notes.replay)
        if resumed.records_replayed or resumed.cycles:
            log.info("resumed from the journal: %d records replayed, cycles %s",
                     resumed.records_replayed, resumed.cycles or "none")  # fmt: skip
        for stream in resumed.cycles:
            journal.append_event(stream, "cycle_resumed", {"reason": "daemon restarted"}, ts=now)
        if journal.previous_session_clean is False:
            reason = "the previous run did not stop cleanly (crash or power cut)"
            journal.append_event(DEVICE_STREAM, "unclean_restart", {"reason": reason}, ts=now)
            pipeline.desk.pulse(now, UNCLEAN_KEY, "device", Priority.HIGH, reason)
        # On disk before the daemon says it is ready: a crash right after the start must not
        # take the record (and the alarm) of the crash before it.
        journal.flush()

    def _outbox_condition(self, now: int, active: bool, message: str) -> None:
        assert self.pipeline is not None
        self.pipeline.desk.condition(now, ALARM_KEY, active, "influxdb", Priority.MEDIUM, message)

    async def _consume(self, pipeline: Pipeline, sink: QueueSink) -> None:
        on_reading = pipeline.on_reading

        def process(items: list[Item]) -> None:
            for item in items:
                if isinstance(item, Watermark):
                    pipeline.on_watermark(item)
                elif isinstance(item, AvailabilityChange):
                    pipeline.on_availability(item)
                else:
                    on_reading(item)
            shed = sink.take_shed()
            if shed is not None:
                pipeline.on_shed(shed, self.clock.now_ns())

        await sink.run(process)

    async def _tick(self, pipeline: Pipeline) -> None:
        await asyncio.sleep(STARTUP_GRACE_S)
        watch = ClockWatch()
        accelerated = isinstance(self.clock, ScaledClock)
        while True:
            await sleep_to_beat(TICK_S, self.clock)
            now = self.clock.now_ns()
            # An accelerated clock derives its wall time from the monotonic one: it cannot step.
            step = None if accelerated else watch.check(now, self.clock.monotonic())
            if step is not None:
                pipeline.clock_stepped(step)
            pipeline.tick(now)

    async def _commit(self, journal: Journal) -> None:
        # A commit that fails waits in the journal's buffer: monitoring goes on (disk_space).
        assert self.pipeline is not None
        await JournalCommitter(journal, self.pipeline.desk, self.clock, self.settings.journal).run()

    async def _watchdog(self) -> None:
        assert self.systemd.watchdog_s is not None
        while True:
            await sleep_to_beat(self.systemd.watchdog_s / 3)
            self.systemd.watchdog()
