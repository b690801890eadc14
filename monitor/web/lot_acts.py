"""The signed acts of a lot's page: each form signed with the password typed again, asked of
the lot desk like ``lactamon lot …``, which checks the role and the lot's rules itself.

The page lets a role in only if it may handle lots at all (an inspector may not); the desk
then says whether this person may do this act (a release or a decision is a supervisor's)
and whether it fits the lot (``lot_refusals``). A refusal shows the lot's page again with
its reason; a done act, the page with what was signed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from monitor.api.lot_requests import (
    LotControlRequest,
    LotCorrectRequest,
    LotDecideRequest,
    LotDestroyRequest,
    LotDistributeRequest,
    LotMoveRequest,
    LotReleaseRequest,
    LotStoreRequest,
    LotUnstoreRequest,
)
from monitor.service.lot_desk import LotDesk
from monitor.users import Permission
from monitor.web.context import gettext_of, session_of, web_context
from monitor.web.forms import Form, checked, number, password, read_form, text, whole
from monitor.web.guard import require
from monitor.web.lot_pages import lot_page, lot_path
from monitor.web.refusals import signed_act
from monitor.web.signing import signed_request

Gettext = Callable[[str], str]
Json = dict[str, Any]
# An act: the desk, the lot, the form, the signer's name and password; the desk's answer
# and what the page says was done.
Doing = Callable[[LotDesk, str, Form, dict[str, str], Gettext], Awaitable[tuple[Json, str]]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CFU_MAX = 1e12  # a count beyond this is a typing slip, not a result


def _comment(form: Form) -> str:
    return text(form, "comment", required=False)


async def _bacteriology(
    desk: LotDesk, lot: str, form: Form, signer: dict[str, str], _: Gettext
) -> tuple[Json, str]:
    request = signed_request(
        LotControlRequest,
        **signer,
        stage=text(form, "stage"),
        total_flora_cfu_ml=number(form, "total_flora", 0, CFU_MAX),
        s_aureus_cfu_ml=number(form, "s_aureus", 0, CFU_MAX),
        lab_reference=text(form, "lab_reference", required=False, limit=200),
        comment=_comment(form),
    )
    return await desk.control(lot, request), _("Bacteriology recorded")


async def _release(
    desk: LotDesk, lot: str, form: Form, signer: dict[str, str], _: Gettext
) -> tuple[Json, str]:
    request = signed_request(LotReleaseRequest, **signer, comment=_comment(form))
    return await desk.release(lot, request), _("Lot released")


async def _destroy(
    desk: LotDesk, lot: str, form: Form, signer: dict[str, str], _: Gettext
) -> tuple[Json, str]:
    request = signed_request(LotDestroyRequest, **signer, reason=text(form, "reason"))
    return await desk.destroy(lot, request), _("Lot destroyed")


async def _store(
    desk: LotDesk, lot: str, form: Form, signer: dict[str, str], _: Gettext
) -> tuple[Json, str]:
    enclosure = text(form, "enclosure", limit=64)
    request = signed_request(LotStoreRequest, **signer, enclosure=enclosure, comment=_comment(form))
    answer = await desk.store(lot, request)
    return answer, _("Stored in %(enclosure)s") % {"enclosure": enclosure}


async def _unstore(
    desk: LotDesk, lot: str, form: Form, signer: dict[str, str], _: Gettext
) -> tuple[Json, str]:
    request = signed_request(
        LotUnstoreRequest,
        **signer,
        enclosure=text(form, "from", required=False, limit=64),
        comment=_comment(form),
    )
    return await desk.unstore(lot, request), _("Taken out of its enclosure")


async def _move(
    desk: LotDesk, lot: str, form: Form, signer: dict[str, str], _: Gettext
) -> tuple[Json, str]:
    to = text(form, "to", limit=64)
    request = signed_request(
        LotMoveRequest,
        **signer,
        lots=[lot],
        to=to,
        # Where the page showed it: moved meanwhile, the desk refuses rather than guess.
        from_enclosure=text(form, "from", required=False, limit=64),
        comment=_comment(form),
    )
    return await desk.move(request), _("Moved to %(enclosure)s") % {"enclosure": to}


async def _distribute(
    desk: LotDesk, lot: str, form: Form, signer: dict[str, str], _: Gettext
) -> tuple[Json, str]:
    request = signed_request(
        LotDistributeRequest,
        **signer,
        bottles=whole(form, "bottles", 0, 10_000, default=0),
        volume_ml=number(form, "volume_ml", 0, 1e6, default=0.0),
        ward=text(form, "ward"),
        recipient_ref=text(form, "recipient_ref"),
        comment=_comment(form),
    )
    return await desk.distribute(lot, request), _("Distribution recorded")


async def _correct(
    desk: LotDesk, lot: str, form: Form, signer: dict[str, str], _: Gettext
) -> tuple[Json, str]:
    void = checked(form, "void")
    request = signed_request(
        LotCorrectRequest,
        **signer,
        target_seq=whole(form, "target_seq", 1, 10**9),
        reason=text(form, "reason"),
        field="" if void else text(form, "field", limit=64),
        value=None if void else text(form, "value", required=False),
        void=void,
    )
    return await desk.correct(lot, request), _("Correction recorded")


async def _decide(
    desk: LotDesk, lot: str, form: Form, signer: dict[str, str], _: Gettext
) -> tuple[Json, str]:
    request = signed_request(
        LotDecideRequest,
        **signer,
        alarm=text(form, "alarm", limit=200),
        decision=text(form, "decision"),
        reason=text(form, "reason"),
    )
    return await desk.decide(lot, request), _("Decision recorded")


def _handler(doing: Doing) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        # An inspector or a kiosk is refused here; which acts a person of a handling role
        # may sign, the desk says (with the password checked).
        require(request, Permission.HANDLE_LOT)
        lot = request.match_info["lot"]
        form = await read_form(request)
        desk = web_context(request).service.lot_desk
        _ = gettext_of(request).gettext

        async def act() -> str:
            signer = {"user": session_of(request).username, "password": password(form)}
            answer, done = await doing(desk, lot, form, signer, _)
            signature = answer["signature"]
            return _("%(done)s — signed by %(name)s (%(meaning)s)") % {
                "done": done,
                "name": signature["printed_name"],
                "meaning": signature["meaning"],
            }

        async def refused(reason: str, status: int) -> web.StreamResponse:
            return await lot_page(request, lot, reason, status)

        return await signed_act(request, act, refused, lot_path(lot))

    return handle


ACTS: dict[str, Handler] = {
    name: _handler(doing)
    for name, doing in {
        "bacteriology": _bacteriology,
        "release": _release,
        "destroy": _destroy,
        "store": _store,
        "unstore": _unstore,
        "move": _move,
        "distribute": _distribute,
        "correct": _correct,
        "decide": _decide,
    }.items()
}
