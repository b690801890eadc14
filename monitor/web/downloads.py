"""Files the pages hand out (a PDF, a CSV, a bundle): made in a temporary folder, sent in
chunks read off the loop, and the folder removed once sent, whatever happened."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

CHUNK = 256 * 1024
TYPES = {
    ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
    ".jsonl": "application/x-ndjson",
}


@asynccontextmanager
async def scratch() -> AsyncIterator[Path]:
    """A private temporary folder, removed (off the loop) when the block ends."""
    folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="lactamon-web-"))
    try:
        yield folder
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)


async def send_file(request: web.Request, path: Path, name: str) -> web.StreamResponse:
    """``path`` as a download called ``name``; its type from the name's suffix."""
    size = (await asyncio.to_thread(path.stat)).st_size
    response = web.StreamResponse(
        headers={
            "Content-Type": TYPES.get(Path(name).suffix, "application/octet-stream"),
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}",
            "Cache-Control": "no-store",  # a dossier names donors' codes and recipients
            "X-Content-Type-Options": "nosniff",
        }
    )
    response.content_length = size
    await response.prepare(request)
    f = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(f.read, CHUNK):
            await response.write(chunk)
    finally:
        f.close()
    await response.write_eof()
    return response
