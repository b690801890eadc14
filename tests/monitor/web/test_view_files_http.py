"""A sealed cycle's page and curve over real HTTP from a real daemon: from its signed file after
a restart, without a child; the journal's own curve whatever was done to the file; served
when the file cannot be written."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from monitor.journal import cycle_stream
from monitor.users import Role
from monitor.web.cycle_views import read_in_child
from tests.monitor.service.quiet_daemon import ORIGIN_NS, PW, quiet_daemon
from tests.monitor.web.sealed_cycles import (
    no_child,
    no_warming,
    seal_a_cycle,
    started_again,
    true_view,
    view_files,
)
from tests.monitor.web.web_client import WebClient

S = 1_000_000_000
START = ORIGIN_NS - 3600 * S  # an hour before the daemon's clock starts
CYCLE = cycle_stream("P1", START)
PEOPLE = {"anne": Role.TECHNICIAN}


async def page_and_curve(url: str, cycle: str) -> tuple[str, bytes]:
    """The cycle's page and its curve, as a signed-in technician's browser asks for them."""
    client = WebClient(url)
    try:
        await client.sign_in("anne", PW)
        answer = await client.get(f"/cycles/{cycle}")
        assert answer.status == 200, client.page
        page = client.page
        async with client.http.get(f"{url}/cycles/{cycle}/curve.json") as curve:
            assert curve.status == 200
            return page, await curve.read()
    finally:
        await client.close()


async def test_after_a_restart_the_page_is_read_from_its_file_without_a_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_warming(monkeypatch)
    async with quiet_daemon(tmp_path, PEOPLE) as first:
        assert first.pipeline is not None
        seal_a_cycle(first.pipeline.journal, CYCLE, START)
        head, curve = true_view(first.pipeline.journal.path, CYCLE)
        page, served = await page_and_curve(first.api_url, CYCLE)  # a child reads it
        assert served == curve
        assert view_files(first).load(CYCLE, head) is not None
    asked = no_child(monkeypatch)
    async with started_again(tmp_path, first) as daemon:
        again, served = await page_and_curve(daemon.api_url, CYCLE)
    assert asked == []
    assert served == curve
    assert "PASS" in again
    assert again.count("<tr") == page.count("<tr")  # every event, as before


def edit_line(path: Path, number: int, edit: Callable[[Any], None]) -> None:
    """Line ``number`` of the file (2: the head and events, 3: the curve) as JSON, edited."""
    lines = path.read_bytes().split(b"\n")
    data = json.loads(lines[number])
    edit(data)
    lines[number] = json.dumps(data).encode()
    path.write_bytes(b"\n".join(lines))


def edit_curve(path: Path) -> None:
    def hotter(curve: Any) -> None:
        values = curve["series"][0]["values"]
        values[1] += 40.0  # the first reading, 40 °C hotter

    edit_line(path, 3, hotter)


def edit_signature(path: Path) -> None:
    lines = path.read_bytes().split(b"\n")
    lines[1] = (b"B" if lines[1][:1] == b"A" else b"A") + lines[1][1:]
    path.write_bytes(b"\n".join(lines))


def edit_head(path: Path) -> None:
    def other(top: Any) -> None:
        top["seq"] -= 1

    edit_line(path, 2, other)


@pytest.mark.parametrize("edit", [edit_curve, edit_signature, edit_head])
async def test_an_edited_file_is_ignored_and_the_journal_s_curve_served(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    edit: Callable[[Path], None],
) -> None:
    no_warming(monkeypatch)
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        assert daemon.pipeline is not None
        journal = daemon.pipeline.journal
        seal_a_cycle(journal, CYCLE, START)
        head, curve = true_view(journal.path, CYCLE)
        files = view_files(daemon)
        assert files.save(CYCLE, await read_in_child(journal.path, CYCLE))
        path = files.path_of(CYCLE)
        signed = path.read_bytes()
        edit(path)
        assert path.read_bytes() != signed
        page, served = await page_and_curve(daemon.api_url, CYCLE)
        assert served == curve
        assert "PASS" in page
        rewritten = files.load(CYCLE, head)  # read again by a child, and written again
        assert rewritten is not None
        assert rewritten.curve == curve
    ignored = [r for r in caplog.records if r.levelno == logging.WARNING and "ignored" in r.msg]
    assert len(ignored) == 1


async def test_a_view_that_cannot_be_written_is_served_all_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    no_warming(monkeypatch)
    async with quiet_daemon(tmp_path, PEOPLE) as daemon:
        assert daemon.pipeline is not None
        seal_a_cycle(daemon.pipeline.journal, CYCLE, START)
        head, curve = true_view(daemon.pipeline.journal.path, CYCLE)
        files = view_files(daemon)
        files.folder.write_text("a file where the folder of views goes")
        page, served = await page_and_curve(daemon.api_url, CYCLE)
        assert served == curve
        assert "PASS" in page
        assert files.load(CYCLE, head) is None
    assert any("cannot write" in r.getMessage() for r in caplog.records)
