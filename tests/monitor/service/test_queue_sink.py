"""The drivers' sink in the daemon: in order, bounded, and what it sheds is counted."""

from __future__ import annotations

import asyncio

import pytest

from drivers.sink import AvailabilityChange, Watermark
from monitor.reading import Quality, Reading
from monitor.service.queue_sink import BATCH, Item, QueueSink

S = 1_000_000_000


def reading(probe: str, t_s: float) -> Reading:
    return Reading(probe, int(t_s * S), 3.0, Quality.OK)


async def test_everything_goes_to_the_pipeline_in_the_order_it_came() -> None:
    sink = QueueSink()
    batches: list[list[Item]] = []
    sink.reading(reading("F1", 0))  # before the pipeline runs: it waits
    task = asyncio.create_task(sink.run(batches.append))
    await asyncio.sleep(0)  # the pipeline starts
    await asyncio.sleep(0)  # and takes what waited
    change = AvailabilityChange("F1", 2 * S, False, "gone")
    mark = Watermark("mqtt", 1, 2 * S, 3 * S)
    sink.reading(reading("F1", 1))
    sink.availability(change)
    sink.watermark(mark)
    assert batches == [[reading("F1", 0)]]  # handed on at the loop's next step, not in the call
    await asyncio.sleep(0)
    assert batches == [[reading("F1", 0)], [reading("F1", 1), change, mark]]
    assert len(sink) == 0
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_long_queue_goes_in_batches() -> None:
    sink = QueueSink()
    for i in range(BATCH + 3):
        sink.reading(reading("F1", i))
    sizes: list[int] = []
    task = asyncio.create_task(sink.run(lambda batch: sizes.append(len(batch))))
    for _ in range(3):
        await asyncio.sleep(0)
    assert sizes == [BATCH, 3]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_what_the_pipeline_raises_ends_the_sinks_run() -> None:
    sink = QueueSink()

    def broken(batch: list[Item]) -> None:
        raise RuntimeError("the journal is gone")

    task = asyncio.create_task(sink.run(broken))
    await asyncio.sleep(0)
    sink.reading(reading("F1", 1))
    with pytest.raises(RuntimeError, match="the journal is gone"):
        await asyncio.wait_for(task, 1)


def test_the_oldest_waiting_item_tells_how_far_the_pipeline_is_behind() -> None:
    sink = QueueSink()
    assert sink.oldest_ts() is None
    sink.reading(reading("F1", 10))
    sink.watermark(Watermark("mqtt", 1, 11 * S, 12 * S))
    assert sink.oldest_ts() == 10 * S
    sink.take_nowait(most=1)
    assert sink.oldest_ts() == 12 * S  # a watermark waits from when it was read


def test_readings_beyond_the_bound_are_shed_and_counted_nothing_else_is() -> None:
    sink = QueueSink(max_readings=3)
    for i in range(3):
        sink.reading(reading("F1", i))
    sink.reading(reading("F1", 10))
    sink.reading(reading("F2", 11))
    sink.reading(reading("F1", 12))
    sink.availability(AvailabilityChange("F1", 13 * S, False, "gone"))
    sink.watermark(Watermark("mqtt", 1, 13 * S, 14 * S))
    assert len(sink) == 5
    shed = sink.take_shed()
    assert shed is not None
    assert (shed.count, shed.first_ts, shed.last_ts) == (3, 10 * S, 12 * S)
    assert shed.probes == {"F1": 2, "F2": 1}
    assert sink.take_shed() is None  # told once
    assert sink.shed_total == 3
