"""After a restart: alarm states and cycles in progress come back from the journal.

Nothing is kept elsewhere: alarm states are the replay of the ``alarms`` stream, and a cycle
in progress is rebuilt by feeding its recorded readings to a new machine (the machines are
deterministic, so it reaches the state it had). The outage is then a gap like any other:
the first fresh reading after it finds the hold broken, and the hold policy decides
(restart the hold or fail the cycle). DOMAIN.md: "what was not measured was not proven".
"""

from __future__ import annotations

import logging

from monitor.alarms import AlarmState, AlarmTransition, Priority, Signature
from monitor.evaluation import LotBacteriology, start_cycle
from monitor.journal import JournalReader, Record, fold_lot, lot_stream, reading_from_record
from monitor.service import wiring
from monitor.service.pipeline import ALARM_STREAM, ActiveCycle, Pipeline

log = logging.getLogger(__name__)


def transition_from_record(record: Record) -> AlarmTransition:
    f = record.fields
    signature = None
    if "user" in f:
        signature = Signature(str(f["user"]), str(f.get("printed_name", "")),
                              str(f.get("meaning", "")), str(f.get("comment", "")))  # fmt: skip
    return AlarmTransition(
        ts=record.ts,
        key=str(f["alarm"]),
        action=str(f["action"]),
        state_from=AlarmState(str(f["state_from"])),
        state_to=AlarmState(str(f["state_to"])),
        source=str(f["source"]),
        priority=Priority(int(f["priority"])),
        message=str(f["message"]),
        signature=signature,
        detail=str(f.get("detail", "")),
    )


def restore(pipeline: Pipeline, reader: JournalReader) -> list[str]:
    """Rebuild alarms and open cycles; returns the ids of the cycles resumed."""
    transitions = [transition_from_record(r) for r in reader.stream_records(ALARM_STREAM)
                   if r.kind.startswith("alarm_")]  # fmt: skip
    shelved = {
        t.key: int(t.detail.removeprefix("until_ns="))
        for t in transitions
        if t.action == "shelved" and t.detail.startswith("until_ns=")
    }
    pipeline.alarms.replay(transitions, shelved)
    resumed = []
    for stream in reader.stream_names():
        if not stream.startswith("cycle:"):
            continue
        records = reader.stream_records(stream)
        if not records or records[-1].kind == "seal":
            continue
        cycle = _rebuild(pipeline, reader, stream, records)
        if cycle is not None:
            pipeline.cycles[cycle.pasteuriser] = cycle
            # The pasteuriser's watcher is new too: unless told, it takes the resumed cycle's
            # heating for an unregistered cycle and alarms until the milk has cooled.
            watcher = pipeline.watchers[cycle.pasteuriser]
            pipeline.handle(watcher.cycle_started(cycle.machine.state.now_ts, stream))
            resumed.append(stream)
    return resumed


def _rebuild(
    pipeline: Pipeline, reader: JournalReader, stream: str, records: list[Record]
) -> ActiveCycle | None:
    started = next((r for r in records if r.kind == "cycle_started"), None)
    if started is None:
        log.error("cycle stream %s has no cycle_started record: left as it is", stream)
        return None
    pasteuriser_id = stream.split(":")[1]
    pasteuriser = wiring.pasteuriser(pipeline.settings, pasteuriser_id)
    lot_ids = [lot for lot in str(started.fields["lots"]).split(",") if lot]
    lots = []
    for lot in lot_ids:
        before = fold_lot(lot, reader.stream_records(lot_stream(lot))).latest_bacteriology("before")
        flora = before.total_flora_cfu_ml if before else 0.0
        aureus = before.s_aureus_cfu_ml if before else 0.0
        lots.append(LotBacteriology(lot, flora, aureus))
    program = wiring.program(pipeline.settings, str(started.fields["program"]))
    machine, _ = start_cycle(
        stream,
        started.ts,
        program,
        lots,
        wiring.cycle_probes(pasteuriser),
        wiring.cycle_policy(pipeline.settings, pasteuriser),
        wiring.flora_limits(pipeline.settings),
    )
    replayed = 0
    for record in records:
        if record.kind == "reading":
            machine.feed(reading_from_record(record))  # events are on record already
            replayed += 1
    log.warning("cycle %s resumed after a restart (%d readings replayed)", stream, replayed)
    return ActiveCycle(stream, pasteuriser_id, tuple(lot_ids), program.name, machine)
