"""``web.pages = false``: the daemon serves the API alone, and never imports the pages' code.

Each daemon runs in a process of its own, so what it imported is all its ``sys.modules``
holds: the test process has loaded the pages for the other tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[3]
PAGES_CODE = ("jinja2", "aiohttp_jinja2", "babel", "monitor.web")
DAEMON = """
import asyncio, json, sys
from pathlib import Path
import aiohttp
from monitor.clock import ScaledClock
from monitor.journal import keygen
from monitor.service.daemon import Daemon
from tests.monitor.service.quiet_daemon import ORIGIN_NS, quiet_lab

async def main(folder: str, pages: bool) -> None:
    settings = quiet_lab(Path(folder), web={"host": "127.0.0.1", "port": 0, "pages": pages})
    keygen(settings.signing.key_file)
    daemon = Daemon(settings, ScaledClock(1.0, ORIGIN_NS))
    task = asyncio.create_task(daemon.run())
    statuses = {}
    try:
        await asyncio.wait_for(daemon.ready.wait(), 20)
        async with aiohttp.ClientSession() as http:
            for path in ("/api/health", "/login", "/"):
                async with http.get(daemon.api_url + path, allow_redirects=False) as answer:
                    statuses[path] = answer.status
    finally:
        daemon.stop("test over")
        await asyncio.wait_for(task, 20)
    print(json.dumps({"statuses": statuses, "modules": sorted(sys.modules)}))

asyncio.run(main(sys.argv[1], sys.argv[2] == "on"))
"""


def run_daemon(folder: Path, pages: bool) -> tuple[dict[str, int], list[str]]:
    """The answers of the daemon to a few paths, and the modules of the pages it imported."""
    folder.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", DAEMON, str(folder), "on" if pages else "off"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=90,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    loaded = [m for m in found["modules"] if m.split(".")[0] in PAGES_CODE or
              m.startswith("monitor.web")]  # fmt: skip
    return found["statuses"], loaded


@pytest.mark.parametrize("pages", [True, False])
def test_the_pages_and_their_code_only_when_on(tmp_path: Path, pages: bool) -> None:
    statuses, loaded = run_daemon(tmp_path / "daemon", pages)
    assert statuses["/api/health"] == 200
    if pages:
        assert statuses == {"/api/health": 200, "/login": 200, "/": 303}
        assert {m.split(".")[0] for m in loaded} >= {"jinja2", "aiohttp_jinja2"}
        # Babel extracts and checks the catalogues; the daemon reads them without it.
        assert not [m for m in loaded if m.split(".")[0] == "babel"], loaded
        assert "monitor.web.mount" in loaded
    else:
        assert statuses == {"/api/health": 200, "/login": 404, "/": 404}
        assert loaded == []
