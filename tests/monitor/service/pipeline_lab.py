"""A pipeline on a real journal, with no sockets: fed by hand, stopped, crashed and resumed.

``PipelineLab`` builds what the daemon builds around a pipeline (journal, alarm desk,
evaluators) on the example lab's settings, so a test can feed readings and ticks at chosen
times, restart the service (cleanly, or as a crash that leaves the journal unclosed) and
compare what it says with a run that never restarted.
"""

from __future__ import annotations

from pathlib import Path

from config import Settings
from monitor.alarms import Alarm, AlarmManager, Notification
from monitor.clock import NS_PER_S
from monitor.journal import Journal, JournalReader, Record, generate_key_file, load_key_file
from monitor.reading import Quality, Reading
from monitor.service.alarm_desk import AlarmDesk
from monitor.service.alarm_policy import alarm_policy
from monitor.service.evaluators import Evaluators
from monitor.service.pipeline import Pipeline
from monitor.service.resume import Resumed, resume
from tests.monitor.service.lab_settings import lab_settings

# 2026-06-01T08:00:00Z, a Monday: far from any calibration due date of the example lab.
T0 = 1_780_300_800 * NS_PER_S
MIN = 60 * NS_PER_S


class ManualClock:
    """Time as the test sets it."""

    def __init__(self, now_ns: int) -> None:
        self.now = now_ns

    @property
    def speed(self) -> float:
        return 1.0

    def now_ns(self) -> int:
        return self.now

    def monotonic(self) -> float:
        return self.now / NS_PER_S

    async def sleep(self, seconds: float) -> None:
        self.now += int(seconds * NS_PER_S)


class PipelineLab:
    """One unit's pipeline, restartable on the same journal."""

    def __init__(self, folder: Path, settings: Settings | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.settings = settings or lab_settings(folder, 1883)
        self.path = folder / "journal.sqlite"
        key_file = folder / "device.key"
        if not key_file.exists():
            generate_key_file(key_file)
        self.key = load_key_file(key_file)
        self.clock = ManualClock(T0)
        self.notes: list[Notification] = []
        self.resumed: Resumed | None = None
        self.pipeline = self._start()

    # -- life -------------------------------------------------------------------------------

    def _start(self) -> Pipeline:
        self.journal = Journal(self.path, self.key, self.clock)
        now = self.clock.now
        desk = AlarmDesk(AlarmManager(alarm_policy(self.settings)), self.journal, self.notes.append)
        pipeline = Pipeline(self.settings, self.journal, desk, Evaluators(self.settings, now))
        self.journal.flush()
        with JournalReader(self.path) as reader:
            self.resumed = resume(pipeline, reader, now)
        return pipeline

    def restart(self, *, crash: bool, downtime_s: float = 0.0) -> None:
        """Stop (journaling the state, as the daemon does) or crash, then start again."""
        if crash:  # what was committed stays; no closing record, no last signature
            self.journal.flush()
            self.journal.file.release()
        else:
            self.pipeline.save_state(self.clock.now)
            self.journal.close()
        self.clock.now += int(downtime_s * NS_PER_S)
        self.pipeline = self._start()

    def close(self) -> None:
        self.journal.close()

    # -- inputs -----------------------------------------------------------------------------

    def read(self, probe: str, value: float, quality: Quality = Quality.OK) -> None:
        self.pipeline.on_reading(Reading(probe, self.clock.now, value, quality))

    def run(self, seconds: float, every_s: float, readings: dict[str, float]) -> None:
        """``seconds`` of time: each probe of ``readings`` sends its value every ``every_s``,
        and the ticker ticks every second in between."""
        end = self.clock.now + int(seconds * NS_PER_S)
        next_reading = self.clock.now
        while self.clock.now < end:
            if self.clock.now >= next_reading:
                for probe, value in readings.items():
                    self.read(probe, value)
                next_reading += int(every_s * NS_PER_S)
            self.clock.now += NS_PER_S
            self.pipeline.tick(self.clock.now)

    def idle(self, seconds: float) -> None:
        """Time passes with no reading at all."""
        self.run(seconds, seconds + 1, {})

    # -- views ------------------------------------------------------------------------------

    def alarm(self, key: str) -> Alarm:
        return self.pipeline.desk.get(key)

    def alarm_active(self, key: str) -> bool:
        return self.pipeline.desk.is_active(key)

    def states(self) -> dict[str, tuple[str, bool, str]]:
        return {
            a.key: (a.state.value, a.condition_active, a.message)
            for a in self.pipeline.desk.listing(include_normal=True)
        }

    def records(self, stream: str) -> list[Record]:
        self.journal.flush()
        with JournalReader(self.path) as reader:
            return reader.stream_records(stream)

    def of_kind(self, kind: str, prefix: str) -> list[Record]:
        self.journal.flush()
        with JournalReader(self.path) as reader:
            return reader.records_of_kind(kind, prefix)
