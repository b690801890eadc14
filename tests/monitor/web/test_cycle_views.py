"""A cycle's page and curve as a child process reads them, kept while the stream's head holds;
the list of cycles summarised from their events alone."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.errors import NotFound
from monitor.journal import Journal, JournalReader, Record, cycle_stream, enclosure_day_stream
from monitor.journal.readings import READING
from monitor.journal.streams import ALARM_STREAM
from monitor.reading import Quality, Reading
from monitor.reports.cycle_curve import build_curve
from monitor.reports.cycle_summary import summarise_cycle
from monitor.users import Role
from monitor.web.curve_json import curve_json
from monitor.web.cycle_pages import _summaries
from monitor.web.cycle_views import CycleViews, ViewFailed, cycle_head, read_in_child
from tests.monitor.journal.samples import T0, StepClock, device_key
from tests.monitor.service.quiet_daemon import PW, quiet_daemon
from tests.monitor.web.web_client import WebClient

S = 1_000_000_000
PASSED = cycle_stream("P1", T0)
ABORTED = cycle_stream("P1", T0 + 3600 * S)
RUNNING = cycle_stream("P2", T0 + 7200 * S)
FRIDGE = enclosure_day_stream("F1", "2026-11-26")
PROBES = ("P1-bath", "P1-ref", "P1-b1")


def started(journal: Journal, cycle: str, ts: int) -> None:
    journal.append_event(cycle, "cycle_started", {
        "subject": cycle, "program": "holder63", "setpoint_c": 63.0, "hold_s": 60.0,
        "lots": "L2026-001", "judged_probes": "P1-ref", "judged_on_bath": False,
        "gap_limit_s": 3.0, "cooling_target_c": 6.0}, ts=ts)  # fmt: skip


def readings(journal: Journal, cycle: str, start: int, seconds: range) -> None:
    for t in seconds:
        for offset, probe in enumerate(PROBES):
            faulty = probe == "P1-b1" and t == 40
            value = math.nan if faulty else 20 + t / 3 + offset / 10
            quality = Quality.FAULT if faulty else Quality.OK
            journal.append_reading(cycle, Reading(probe, start + t * S, value, quality))


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    """Three cycles: one passed after an interrupted hold (with a probe fault, a silence and
    an alarm about it), one aborted, one still running; and a fridge's day."""
    with Journal(tmp_path / "journal.sqlite", device_key(), StepClock()) as journal:
        started(journal, PASSED, T0)
        readings(journal, PASSED, T0, range(1, 60))
        journal.append_event(PASSED, "hold_started", {"coldest_c": 40.0}, ts=T0 + 60 * S)
        readings(journal, PASSED, T0, range(60, 80))
        journal.append_event(PASSED, "hold_interrupted", {
            "reason": "gap", "cause": "gap", "value_c": 45.0}, ts=T0 + 80 * S)  # fmt: skip
        readings(journal, PASSED, T0, range(90, 200))  # ten seconds unheard
        journal.append_event(PASSED, "hold_started", {"coldest_c": 50.0}, ts=T0 + 90 * S)
        journal.append_event(PASSED, "hold_completed", {"held_s": 60.0}, ts=T0 + 150 * S)
        journal.append_event(PASSED, "cycle_passed", {
            "outcome": "pass", "reasons": "", "to_mark_s": 100.0, "hold_restarts": 1},
            ts=T0 + 200 * S)  # fmt: skip
        journal.seal(PASSED, "cycle pass")
        journal.append_event(ALARM_STREAM, "alarm_raised", {
            "alarm": f"hold:{PASSED}", "action": "raised", "message": "hold interrupted"},
            ts=T0 + 80 * S)  # fmt: skip
        started(journal, ABORTED, T0 + 3600 * S)
        readings(journal, ABORTED, T0 + 3600 * S, range(1, 30))
        journal.append_event(ABORTED, "cycle_aborted", {"reasons": "door open"})
        journal.seal(ABORTED, "cycle aborted")
        started(journal, RUNNING, T0 + 7200 * S)
        readings(journal, RUNNING, T0 + 7200 * S, range(1, 30))
        for t in range(0, 600, 60):
            journal.append_reading(FRIDGE, Reading("F1-air", T0 + t * S, 3.5, Quality.OK))
        journal.flush()
        yield journal


def read(journal: Journal, cycle: str) -> tuple[tuple[int, bytes], list[Record]]:
    with JournalReader(journal.path) as reader:
        return cycle_head(reader, cycle), list(reader.stream_records(cycle))


async def test_a_view_is_what_the_records_say(journal: Journal) -> None:
    for cycle in (PASSED, ABORTED, RUNNING):
        head, records = read(journal, cycle)
        view = await CycleViews().view(journal.path, cycle, head)
        assert view.head == head
        events = [(r.seq, r.ts, r.kind, dict(r.fields)) for r in records if r.kind != READING]
        assert [(r.seq, r.ts, r.kind, dict(r.fields)) for r in view.events] == events
        assert view.curve == json.dumps(curve_json(build_curve(records))).encode()


async def test_a_view_is_kept_while_the_head_holds_and_read_again_after(
    journal: Journal,
) -> None:
    views = CycleViews()
    head, _ = read(journal, RUNNING)
    view = await views.view(journal.path, RUNNING, head)
    assert await views.view(journal.path, RUNNING, head) is view
    readings(journal, RUNNING, T0 + 7200 * S, range(30, 40))
    journal.append_event(RUNNING, "hold_started", {"coldest_c": 30.0}, ts=T0 + 7240 * S)
    journal.flush()
    grown, _ = read(journal, RUNNING)
    again = await views.view(journal.path, RUNNING, grown)
    assert again.head == grown != head
    assert again.events[-1].kind == "hold_started"
    assert len(json.loads(again.curve)["x"]) > len(json.loads(view.curve)["x"])


async def test_the_most_recent_views_are_kept(journal: Journal) -> None:
    views = CycleViews(entries=2)
    heads = {c: read(journal, c)[0] for c in (PASSED, ABORTED, RUNNING)}
    first = await views.view(journal.path, PASSED, heads[PASSED])
    await views.view(journal.path, ABORTED, heads[ABORTED])
    assert await views.view(journal.path, PASSED, heads[PASSED]) is first
    await views.view(journal.path, RUNNING, heads[RUNNING])  # the aborted one goes
    assert await views.view(journal.path, PASSED, heads[PASSED]) is first
    assert await views.view(journal.path, RUNNING, heads[RUNNING]) is not first


def test_only_a_cycle_in_the_journal_has_a_head(journal: Journal) -> None:
    with JournalReader(journal.path) as reader:
        with pytest.raises(NotFound):
            cycle_head(reader, FRIDGE)
        with pytest.raises(NotFound):
            cycle_head(reader, cycle_stream("P1", T0 + S))
        with pytest.raises(NotFound):
            cycle_head(reader, "cycle:P1:not a name")


async def test_a_child_that_cannot_read_says_why(tmp_path: Path, journal: Journal) -> None:
    not_a_journal = tmp_path / "notes.sqlite"
    not_a_journal.write_text("not SQLite")
    with pytest.raises(ViewFailed, match=r"notes\.sqlite"):
        await read_in_child(not_a_journal, PASSED)
    with pytest.raises(ViewFailed, match="no stream"):
        await read_in_child(journal.path, cycle_stream("P9", T0))


def test_the_list_summarises_each_cycle_as_from_all_its_records(journal: Journal) -> None:
    with JournalReader(journal.path) as reader:
        listed = _summaries(reader)
        alarms = reader.stream_records(ALARM_STREAM)
        full = {
            c: summarise_cycle(c, reader.stream_records(c), alarms).as_json()
            for c in (PASSED, ABORTED, RUNNING)
        }
    assert listed == [full[RUNNING], full[ABORTED], full[PASSED]]  # the latest first
    assert [s["phase"] for s in listed] == ["heating", "aborted", "passed"]
    assert full[PASSED]["interruptions"]
    assert full[PASSED]["alarms"]


async def test_the_pages_of_a_stream_that_is_no_cycle_are_not_found(tmp_path: Path) -> None:
    async with quiet_daemon(tmp_path, {"anne": Role.TECHNICIAN}) as daemon:
        client = WebClient(daemon.api_url)
        try:
            await client.sign_in("anne", PW)
            for path in ("/cycles/device", "/cycles/device/curve.json"):
                answer = await client.get(path)
                assert answer.status == 404, path
                assert "no cycle &#39;device&#39;" in client.page
        finally:
            await client.close()
