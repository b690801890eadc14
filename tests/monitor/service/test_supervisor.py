import asyncio
import os
import signal

import pytest

from monitor.service.supervisor import Component, Supervisor


async def forever(log: list[str], name: str) -> None:
    try:
        await asyncio.Event().wait()
    finally:
        log.append(f"cleanup {name}")


async def test_stop_cancels_every_task_and_runs_cleanup() -> None:
    log: list[str] = []
    sup = Supervisor(
        [Component("a", lambda: forever(log, "a")), Component("b", lambda: forever(log, "b"))]
    )
    runner = asyncio.create_task(sup.run())
    await asyncio.sleep(0.01)
    names = {t.get_name() for t in asyncio.all_tasks()}
    assert {"a", "b"} <= names
    sup.stop("test")
    await runner
    assert sorted(log) == ["cleanup a", "cleanup b"]


async def test_failing_component_stops_the_daemon_with_its_error() -> None:
    log: list[str] = []

    async def broken() -> None:
        await asyncio.sleep(0.01)
        raise OSError("disk gone")

    sup = Supervisor([Component("ok", lambda: forever(log, "ok")), Component("bad", broken)])
    with pytest.raises(ExceptionGroup) as caught:
        await sup.run()
    assert caught.group_contains(OSError, match="disk gone")
    assert log == ["cleanup ok"]


async def test_component_returning_is_a_failure() -> None:
    async def quits() -> None:
        return None

    with pytest.raises(ExceptionGroup) as caught:
        await Supervisor([Component("quitter", quits)]).run()
    assert caught.group_contains(RuntimeError, match="quitter stopped on its own")


async def test_sigterm_stops_gracefully() -> None:
    log: list[str] = []
    sup = Supervisor([Component("a", lambda: forever(log, "a"))])
    sup.install_signal_handlers()
    try:
        asyncio.get_running_loop().call_later(0.02, os.kill, os.getpid(), signal.SIGTERM)
        await sup.run()
    finally:
        sup.remove_signal_handlers()
    assert sup.stop_reason == "signal SIGTERM"
    assert log == ["cleanup a"]


def test_names_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        Supervisor(
            [Component("a", lambda: asyncio.sleep(0)), Component("a", lambda: asyncio.sleep(0))]
        )
