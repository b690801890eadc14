"""A lot's files from its page: the dossier PDF, its curves as CSV, its signed bundle.

They are those of ``lactamon dossier``, ``lactamon export --csv`` and ``lactamon export``:
the bundle is exported from the live journal and signed with the device key; the dossier is
made from that bundle alone by ``lactamon dossier --bundle`` in a child process
(``printing``), trusting the device's own key by its id, so the PDF a page hands out and the
one an inspector makes from the same bundle are the same document. Reading is enough to
download (an inspector may); a kiosk reads no record.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from pathlib import Path

from aiohttp import web

from monitor.errors import Refused
from monitor.journal import BundleError, JournalError, export_lot_bundle
from monitor.reports.curve_csv import export_lot_curves
from monitor.service.facade import ServiceFacade
from monitor.users import Permission
from monitor.web.context import web_context
from monitor.web.downloads import scratch, send_file
from monitor.web.guard import error_page, require
from monitor.web.lot_reads import check_lot
from monitor.web.printing import PrintFailed, run_child

# ``lactamon dossier``'s exit codes with a PDF written: verified, FAILED, signer unknown.
DOSSIER_WRITTEN = (0, 1, 3)


async def _lot(request: web.Request) -> tuple[ServiceFacade, str]:
    require(request, Permission.READ)
    service, lot = web_context(request).service, request.match_info["lot"]
    await check_lot(service, lot)
    return service, lot


async def _export(service: ServiceFacade, lot: str, out: Path) -> None:
    """The lot's bundle, signed with the device key, from what is committed now."""
    journal = service.pipeline.journal
    with suppress(JournalError):  # a full disk: what is on disk is exported
        journal.flush()
    zone = service.pipeline.settings.site.timezone
    try:
        await asyncio.to_thread(
            export_lot_bundle, journal.path, lot, out, key=journal.key, time_zone=zone
        )
    except (BundleError, JournalError, OSError) as exc:
        raise Refused(f"the bundle of lot {lot} cannot be exported now: {exc}") from None


async def bundle(request: web.Request) -> web.StreamResponse:
    service, lot = await _lot(request)
    async with scratch() as folder:
        out = folder / "lot.jsonl"
        await _export(service, lot, out)
        return await send_file(request, out, f"{lot}.jsonl")


async def curve_csv(request: web.Request) -> web.StreamResponse:
    service, lot = await _lot(request)
    journal = service.pipeline.journal
    with suppress(JournalError):
        journal.flush()
    zone = service.pipeline.settings.site.timezone
    async with scratch() as folder:
        out = folder / "curves.csv"
        try:
            await asyncio.to_thread(export_lot_curves, journal.path, lot, out, zone)
        except (JournalError, OSError) as exc:
            raise Refused(f"the curves of lot {lot} cannot be exported now: {exc}") from None
        return await send_file(request, out, f"{lot}-curves.csv")


async def dossier_pdf(request: web.Request) -> web.StreamResponse:
    service, lot = await _lot(request)
    zone = service.pipeline.settings.site.timezone
    async with scratch() as folder:
        source, pdf = folder / "lot.jsonl", folder / "dossier.pdf"
        await _export(service, lot, source)
        args = ["monitor.cli.main", "dossier", "--bundle", str(source), "--pdf", str(pdf),
                "--timezone", zone, "--key-id", service.pipeline.journal.key.key_id]  # fmt: skip
        try:
            await run_child(web_context(request).printing, args, pdf, ok_codes=DOSSIER_WRITTEN)
        except PrintFailed as exc:
            return error_page(request, 500, f"the dossier of lot {lot} was not made: {exc}")
        return await send_file(request, pdf, f"{lot}-dossier.pdf")
