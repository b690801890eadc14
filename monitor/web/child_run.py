"""A short-lived Python child of the web pages (a PDF, a cycle's view): run under a time limit,
killed when the limit passes or when the request that asked for it goes away."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Sequence


async def run_python(
    args: Sequence[str], limit_s: float, stdin: bytes | None = None, capture: bool = True
) -> tuple[int, bytes, bytes]:
    """``python -m <args>``: its exit code, standard output (when ``capture``) and standard
    error; ``TimeoutError`` once it is killed for outlasting ``limit_s``."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        *args,
        stdin=asyncio.subprocess.DEVNULL if stdin is None else asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE if capture else asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(limit_s):
            out, err = await child.communicate(stdin)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        await child.wait()
        raise
    finally:
        if child.returncode is None:  # stuck, or the request went away: the child goes too
            with contextlib.suppress(ProcessLookupError):
                child.kill()
    assert child.returncode is not None
    return child.returncode, out or b"", err or b""
