"""The daily sheets: an enclosure's month (each day with its figures and whether it is
signed), a day's sheet with its signature form, and the month's review (docs/RULES.md, Cold
chain, C8–C11). The signatures go through the sheet desk, like ``lactamon sheet sign``."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from aiohttp import web

from monitor.api.sheet_requests import SheetReviewRequest, SheetSignRequest
from monitor.service.facade import ServiceFacade
from monitor.sheets.days import local_day, month_days, next_month, parse_day, parse_month
from monitor.users import Permission
from monitor.web.context import gettext_of, session_of, web_context
from monitor.web.forms import password, read_form, text
from monitor.web.guard import require
from monitor.web.refusals import signed_act
from monitor.web.render import render
from monitor.web.signing import signed_request


def month_path(enclosure: str, month: str) -> str:
    return f"/sheets?enclosure={quote(enclosure, safe='')}&month={month}"


def day_path(enclosure: str, day: str) -> str:
    return f"/sheets/{quote(enclosure, safe='')}/{day}"


def _today(service: ServiceFacade) -> date:
    return local_day(service.clock.now_ns(), service.pipeline.settings.site.timezone)


def _rows(found: dict[str, Any], month: date, today: date) -> list[dict[str, Any]]:
    """Every calendar day of the month, each with its sheet and what stands about it."""
    by_day = {s["day"]: s for s in found["sheets"]}
    rows = []
    for day in month_days(month):
        sheet = by_day.get(day.isoformat())
        if sheet is not None and sheet["closed"]:
            state = "signed" if sheet["signature"] else "unsigned"
        elif day == today:
            state = "open"
        elif day > today:
            state = "future"
        else:
            state = "no_record" if sheet is None else "not_closed"
        rows.append({"day": day.isoformat(), "weekday": day.weekday(), "sheet": sheet,
                     "state": state})  # fmt: skip
    return rows


async def list_sheets(request: web.Request) -> web.Response:
    require(request, Permission.READ)
    return await month_page(request, request.query.get("enclosure"), request.query.get("month"))


async def month_page(
    request: web.Request,
    enclosure: str | None,
    month_text: str | None,
    refusal: str = "",
    status: int = 200,
) -> web.Response:
    service = web_context(request).service
    enclosures = [e.id for e in service.pipeline.settings.enclosures]
    today = _today(service)
    chosen = enclosure or (enclosures[0] if enclosures else "")
    month = parse_month(month_text) if month_text else today.replace(day=1)
    label = f"{month:%Y-%m}"
    found = await service.sheets.month(chosen, label)  # NotFound: an unknown enclosure
    context = {
        "enclosure": chosen,
        "enclosures": enclosures,
        "month": label,
        "found": found,
        "rows": _rows(found, month, today),
        "over": today >= next_month(month),  # a month is reviewed once it is over
        "refusal": refusal,
    }
    return render(request, "sheets.html", context, status=status)


async def show_sheet(request: web.Request) -> web.Response:
    require(request, Permission.READ)
    return await day_page(request, request.match_info["enclosure"], request.match_info["day"])


async def day_page(
    request: web.Request, enclosure: str, day_text: str, refusal: str = "", status: int = 200
) -> web.Response:
    sheets = web_context(request).service.sheets
    sheet = await sheets.sheet(enclosure, day_text)  # BadDay, NotFound: the guard's pages
    context = {
        "sheet": sheet,
        "month": day_text[:7],
        "month_link": month_path(enclosure, day_text[:7]),
        "refusal": refusal,
    }
    return render(request, "sheet.html", context, status=status)


async def sign_sheet(request: web.Request) -> web.StreamResponse:
    require(request, Permission.SIGN_SHEET)
    enclosure, day_text = request.match_info["enclosure"], request.match_info["day"]
    day = parse_day(day_text).isoformat()
    form = await read_form(request)
    service = web_context(request).service
    _ = gettext_of(request).gettext

    async def act() -> str:
        signing = signed_request(
            SheetSignRequest,
            user=session_of(request).username,
            password=password(form),
            comment=text(form, "comment", required=False),
            correct=text(form, "correct", required=False),
        )
        done = await service.sheets.sign(enclosure, day, signing)
        return _("Daily sheet signed — %(name)s (%(meaning)s)") % {
            "name": done["signature"]["printed_name"],
            "meaning": done["signature"]["meaning"],
        }

    async def refused(reason: str, status: int) -> web.StreamResponse:
        return await day_page(request, enclosure, day, reason, status)

    return await signed_act(request, act, refused, day_path(enclosure, day))


async def review_month(request: web.Request) -> web.StreamResponse:
    # A technician may sign; whether she may review, the desk says (a supervisor's act).
    require(request, Permission.SIGN_SHEET)
    enclosure = request.match_info["enclosure"]
    label = f"{parse_month(request.match_info['month']):%Y-%m}"
    form = await read_form(request)
    service = web_context(request).service
    _ = gettext_of(request).gettext

    async def act() -> str:
        reviewing = signed_request(
            SheetReviewRequest,
            user=session_of(request).username,
            password=password(form),
            comment=text(form, "comment", required=False),
            correct=text(form, "correct", required=False),
        )
        done = await service.sheets.review(enclosure, label, reviewing)
        return _("Month reviewed — %(name)s (%(meaning)s)") % {
            "name": done["review"]["printed_name"],
            "meaning": done["review"]["meaning"],
        }

    async def refused(reason: str, status: int) -> web.StreamResponse:
        return await month_page(request, enclosure, label, reason, status)

    return await signed_act(request, act, refused, month_path(enclosure, label))
