"""The daily keep-alive: one test message at the configured local time, each day."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from config.notify_channels import KeepAliveSettings
from monitor.alarms import Notification
from monitor.notify.keepalive import KeepAlive

PARIS = ZoneInfo("Europe/Paris")


class Enough(Exception):
    """Two days of messages seen: the test stops the loop here."""


def ns(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=PARIS).timestamp()) * 1_000_000_000


async def test_the_keepalive_sends_at_the_local_time_every_day() -> None:
    now = [ns(2026, 12, 3, 8, 30)]
    sent: list[Notification] = []

    async def sleep(seconds: float) -> None:
        now[0] += int(seconds * 1e9)
        if len(sent) >= 2:
            raise Enough

    keep = KeepAlive(KeepAliveSettings(at="09:00"), PARIS, lambda: now[0], sleep,
                     sent.append, "lab", "pi-1")  # fmt: skip
    with pytest.raises(Enough):
        await keep.run()
    assert [n.ts for n in sent] == [ns(2026, 12, 3, 9, 0), ns(2026, 12, 4, 9, 0)]
    assert {n.reason for n in sent} == {"test"}
    assert sent[0].alarms == ()
    assert "lab/pi-1" in sent[0].message
