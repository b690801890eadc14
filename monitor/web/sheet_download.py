"""A month of an enclosure's daily sheets as the A4 page of ``lactamon sheet --month --pdf``,
made by a child process (``printing``, ``sheet_pdf_child``) that reads the journal itself."""

from __future__ import annotations

import json
from contextlib import suppress

from aiohttp import web

from monitor.journal import JournalError
from monitor.sheets.days import local_day, local_text, parse_month
from monitor.users import Permission
from monitor.web.context import web_context
from monitor.web.downloads import scratch, send_file
from monitor.web.guard import error_page, require
from monitor.web.printing import PrintFailed, run_child


async def month_pdf(request: web.Request) -> web.StreamResponse:
    require(request, Permission.READ)
    ctx = web_context(request)
    service = ctx.service
    settings = service.pipeline.settings
    enclosure = service.sheets.enclosure(request.match_info["enclosure"])  # NotFound
    month = f"{parse_month(request.match_info['month']):%Y-%m}"
    zone = settings.site.timezone
    now = service.clock.now_ns()  # the daemon's clock: a simulated lab prints its own date
    journal = service.pipeline.journal
    with suppress(JournalError):  # a full disk: what is on disk is printed
        journal.flush()
    async with scratch() as folder:
        pdf = folder / "sheets.pdf"
        job = {
            "journal": str(journal.path),
            "enclosure": enclosure.model_dump(mode="json"),
            "month": month,
            "site": settings.site.name,
            "zone": zone,
            "printed": f"{local_text(now, zone)} {zone}",
            "today": local_day(now, zone).isoformat(),
            "pdf": str(pdf),
        }
        args = ["monitor.web.sheet_pdf_child"]
        try:
            await run_child(ctx.printing, args, pdf, stdin=json.dumps(job).encode())
        except PrintFailed as exc:
            return error_page(request, 500, f"the sheets of {enclosure.id} were not made: {exc}")
        return await send_file(request, pdf, f"sheets-{enclosure.id}-{month}.pdf")
