"""Verification from the browser: ``verify_journal`` run in a worker thread on the live
journal, its report shown as ``lactamon verify`` prints it. With a public key pasted (the
one the site published) the signer is established; without, the records are shown intact
or not, and the page says the signer is not established."""

from __future__ import annotations

import asyncio
from contextlib import suppress

from aiohttp import web

from monitor.journal import JournalError, verify_journal
from monitor.journal.keys import parse_public_key
from monitor.users import Permission
from monitor.web.context import web_context
from monitor.web.forms import BadForm
from monitor.web.guard import require
from monitor.web.render import render


async def verification(request: web.Request) -> web.Response:
    require(request, Permission.READ)
    context: dict[str, object] = {"report": None, "key": request.query.get("key", "")}
    if request.query.get("run"):
        key_text = str(context["key"]).strip()
        try:
            trust = parse_public_key(key_text) if key_text else None
        except ValueError as exc:
            raise BadForm(f"public key: {exc}") from None
        journal = web_context(request).service.pipeline.journal
        # what is on disk is verified; the disk alarm says the rest waits
        with suppress(JournalError):
            journal.flush()
        report = await asyncio.to_thread(verify_journal, journal.path, trust)
        context.update(report=report, text=report.format())
    return render(request, "verify.html", context)
