"""After a restart: every machine comes back from the journal, in one step.

Nothing is kept elsewhere. The alarm desk replays the ``alarms`` stream. The other machines
(probe health, bands with their daily figures, heating watchers) take back the last
``machine_state`` record, then the records that follow it are replayed through the same
``Evaluators`` methods the live pipeline uses, in the order they were written: readings are
fed, and each conclusion of the rules in an equipment or cycle stream is a tick at its time
(each conclusion a tick drew is on record at that tick's time, so the replay draws it again
at the same moment). The other records there (a probe's availability, a signature, a
resumed cycle) are no tick: the live machines were not ticked at them, and what the replay
drew there would be on record nowhere, a closed day or an excursion's alarm lost for good
when the process died before its next tick. A cycle in progress is rebuilt from its own
stream by feeding its readings to a machine opened as at its start.

What the replay concludes is on record already and is not written again. What happens next
is live: a condition restored as active clears once fresh readings show that it ended, and
silence never clears it. The daemon's own outage is not a probe's silence: silence counts
from the restart (the outage is recorded as such), and for a cycle the outage is a gap like
any other, judged by the hold policy (docs/RULES.md, Pasteurisation: "what was not measured
was not proven").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from monitor.clock import NS_PER_S
from monitor.evaluation.event_base import event_kinds
from monitor.journal import JournalReader, Record, reading_from_record
from monitor.journal.streams import DEVICE_STREAM, StreamKind, parse_stream
from monitor.service.clock_watch import STEP_S, ClockStep
from monitor.service.cycles import ActiveCycle, reopen_cycle
from monitor.service.machine_state import MACHINE_STATE, machine_state_of
from monitor.service.pipeline import Pipeline

log = logging.getLogger(__name__)
_TICKING = {
    StreamKind.ENCLOSURE_DAY,
    StreamKind.PASTEURISER_DAY,
    StreamKind.PROBE_DAY,
    StreamKind.CYCLE,
}
_BATCH = 5000


@dataclass
class Resumed:
    """What the restart took back."""

    alarm_transitions: int = 0
    state_ts: int | None = None
    records_replayed: int = 0
    cycles: list[str] = field(default_factory=list)


def resume(
    pipeline: Pipeline,
    reader: JournalReader,
    silence_from_ns: int,
    now_ns: int | None = None,
    monotonic_s: float = 0.0,
    deliveries: Callable[[Record], None] | None = None,
) -> Resumed:
    """Rebuild the desk and every machine of ``pipeline`` from the journal; a wall clock
    (``now_ns``) behind what the journal saw is a step of the clock, recorded and followed.
    ``deliveries`` sees the notification records, so the router knows who was told."""
    done = Resumed()
    done.alarm_transitions = pipeline.desk.resume(reader, deliveries)
    machines = pipeline.machines
    after = 0
    saved = reader.last_of_kind(DEVICE_STREAM, MACHINE_STATE)
    if saved is not None:
        after, record = saved
        try:
            machines.restore(machine_state_of(record))
            done.state_ts = record.ts
        except ValueError as exc:  # verify reports an altered record; replay everything
            log.error("machine state at seq %d not usable (%s): replaying all", record.seq, exc)
            after, done.state_ts = 0, None
    if done.state_ts is None:
        first, _ = reader.scan_after(0, 1)
        if first:  # machines as they were when the journal began
            machines.reset(first[0][1].ts)
    done.records_replayed = _replay(pipeline, reader, after)
    for name in reader.stream_names():
        if parse_stream(name).kind is not StreamKind.CYCLE or _sealed(reader, name):
            continue
        records = reader.stream_records(name)
        if records and records[-1].kind != "seal":
            cycle = _rebuild(pipeline, reader, name, records)
            if cycle is not None:
                machines.cycles[cycle.pasteuriser] = cycle
                done.cycles.append(name)
    latest = machines.latest_ts()
    if now_ns is not None and now_ns < latest - STEP_S * NS_PER_S:  # a saved time restored
        back_s = (now_ns - latest) / NS_PER_S
        pipeline.clock_stepped(ClockStep(latest, now_ns, monotonic_s, back_s))
    for health in machines.health.values():
        state = health.state
        # Only the last-heard time moves: a time not yet reached is never taken for one seen.
        state.last_ts = max(state.last_ts, silence_from_ns)
    return done


def _sealed(reader: JournalReader, cycle: str) -> bool:
    """Whether the cycle's stream ends with its seal: closed for good, so its records (some
    16,000 readings a cycle, read whole for every cycle at each start before) are not read."""
    head, seal = reader.stream_head(cycle), reader.last_of_kind(cycle, "seal")
    return head is not None and seal is not None and seal[1].seq == head[0]


def _replay(pipeline: Pipeline, reader: JournalReader, after: int) -> int:
    machines = pipeline.machines
    concluded = event_kinds()
    replayed = 0
    while True:
        batch, after_next = reader.scan_after(after, _BATCH)
        for _, record in batch:
            parsed = parse_stream(record.stream)
            if record.kind == "reading":
                machines.feed(reading_from_record(record))
            elif parsed.kind in _TICKING:
                if record.kind in concluded:
                    machines.tick(record.ts)
                _gate_watcher(pipeline, parsed.kind, parsed.subject, record)
            replayed += 1
        if after_next <= after:
            break
        after = after_next
    return replayed


def _gate_watcher(pipeline: Pipeline, kind: StreamKind, subject: str, record: Record) -> None:
    """A watcher ignores heating while a cycle runs: replay its start and end too."""
    if kind is not StreamKind.CYCLE:
        return
    watcher = pipeline.machines.watchers.get(subject)
    if watcher is None:
        return
    if record.kind == "cycle_started":
        watcher.cycle_started(record.ts, record.stream)
    elif record.kind == "seal":
        watcher.cycle_ended(record.ts)


def _rebuild(
    pipeline: Pipeline, reader: JournalReader, stream: str, records: list[Record]
) -> ActiveCycle | None:
    started = next((r for r in records if r.kind == "cycle_started"), None)
    if started is None:
        log.error("cycle stream %s has no cycle_started record: left as it is", stream)
        return None
    cycle, _ = reopen_cycle(pipeline.settings, reader, started)
    replayed = 0
    for record in records:
        if record.kind == "reading":
            cycle.machine.feed(reading_from_record(record))  # its events are on record
            replayed += 1
    log.warning("cycle %s resumed after a restart (%d readings replayed)", stream, replayed)
    return cycle
