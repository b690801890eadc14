"""Test-wide fixtures: fail any test that leaves asyncio tasks running behind it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

pytest_plugins = [
    "tests.fixtures.mosquitto",
    "tests.fixtures.influxdb",
    "tests.fixtures.victoria_metrics",
    "tests.fixtures.webhook_receiver",
    "tests.fixtures.browser",
    "tests.fixtures.serial",
]


@pytest.fixture(autouse=True)
async def no_leaked_tasks() -> AsyncIterator[None]:
    """A test must cancel and await every task it starts; a leaked task fails the test.

    A task that is done but was never awaited is not a leak; one still pending is. The check
    runs after the test's own fixtures are torn down (this fixture is set up first, so it is
    torn down last), giving cancelled tasks a few loop turns to finish.
    """
    before = asyncio.all_tasks()
    yield
    current = asyncio.current_task()
    for _ in range(20):
        leaked = {t for t in asyncio.all_tasks() - before if t is not current and not t.done()}
        if not leaked:
            return
        await asyncio.sleep(0.01)
    names = sorted(t.get_name() + " " + repr(t.get_coro()) for t in leaked)
    for task in leaked:
        task.cancel()
    pytest.fail("test leaked asyncio tasks:\n  " + "\n  ".join(names))
