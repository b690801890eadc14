"""The audit trail: the journal's records, newest page first, filtered by stream or kind,
each with its stream, sequence number, time, kind and fields."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from monitor.journal import JournalReader
from monitor.users import Permission
from monitor.web.context import web_context
from monitor.web.forms import BadForm
from monitor.web.guard import require
from monitor.web.journal_reads import read_journal
from monitor.web.render import render

PAGE = 100


def _int(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name, "")
    if not raw:
        return None
    if not raw.isdigit():
        raise BadForm(f"{name}: a whole number expected, not {raw!r}")
    return int(raw)


def _page(stream: str, kind: str, after: int | None) -> Any:
    def read(reader: JournalReader) -> dict[str, Any]:
        rows: list[tuple[int, Any]]
        if stream:
            records = [r for r in reader.stream_records(stream) if not kind or r.kind == kind]
            start = len(records) - PAGE if after is None else after
            start = max(0, start)
            rows = list(enumerate(records[start : start + PAGE], start=start + 1))
            top = len(records)
        else:
            top = reader.last_row_id()
            start = max(0, top - PAGE) if after is None else after
            kinds = {kind} if kind else None
            rows = reader.records_after(start, PAGE, kinds)
        lines = [
            {
                "row": row,
                "stream": r.stream,
                "seq": r.seq,
                "ts": r.ts,
                "kind": r.kind,
                "fields": r.fields,
            }
            for row, r in rows
        ]
        return {"lines": lines, "start": start, "top": top, "streams": reader.stream_names()}

    return read


async def audit_trail(request: web.Request) -> web.Response:
    require(request, Permission.READ)
    stream = request.query.get("stream", "").strip()
    kind = request.query.get("kind", "").strip()
    found = await read_journal(
        web_context(request).service, _page(stream, kind, _int(request, "after"))
    )
    return render(request, "audit.html", {**found, "stream": stream, "kind": kind, "page": PAGE})
