"""The alarms: the list (active and recent), one alarm's page with its history, and the
signed acts: acknowledge one or several, shelve with a reason and an end, unshelve."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from monitor.alarms import Alarm
from monitor.api.requests import ShelveRequest, UnshelveRequest
from monitor.journal import JournalReader
from monitor.journal.streams import ALARM_STREAM
from monitor.users import Permission
from monitor.web.acknowledging import acknowledge_many
from monitor.web.context import gettext_of, session_of, web_context
from monitor.web.forms import BadForm, number, password, read_form, text, texts
from monitor.web.guard import require
from monitor.web.journal_reads import read_journal
from monitor.web.render import flash, render
from monitor.web.signing import signed_request


def alarm_view(alarm: Alarm) -> dict[str, Any]:
    signed = alarm.acked_by
    return {
        "key": alarm.key,
        "source": alarm.source,
        "priority": int(alarm.priority),
        "state": alarm.state.value,
        "message": alarm.message,
        "active": alarm.condition_active,
        "raised_ns": alarm.raised_ns,
        "needs_ack": alarm.needs_ack,
        "supervisor_only": alarm.supervisor_only,
        "acked_by": signed.printed_name if signed else "",
        "acked_ns": alarm.acked_ns,
        "comment": signed.comment if signed else "",
        "shelved_until_ns": alarm.shelved_until_ns,
    }


async def list_alarms(request: web.Request) -> web.Response:
    require(request, Permission.READ)
    desk = web_context(request).service.desk
    everything = [alarm_view(a) for a in desk.listing(include_normal=True)]
    current = [a for a in everything if a["state"] != "normal"]
    recent = [a for a in everything if a["state"] == "normal"]
    recent.sort(key=lambda a: -(a["raised_ns"] or 0))
    return render(request, "alarms.html", {"current": current, "recent": recent[:50]})


def _history(key: str) -> Any:
    def read(reader: JournalReader) -> list[dict[str, Any]]:
        lines = []
        for record in reader.stream_records(ALARM_STREAM):
            f = record.fields
            if record.kind.startswith("alarm_") and f.get("alarm") == key:
                lines.append(
                    {
                        "ts": record.ts,
                        "seq": record.seq,
                        "action": f.get("action"),
                        "state": f.get("state_to"),
                        "by": f.get("printed_name", ""),
                        "user": f.get("user", ""),
                        "meaning": f.get("meaning", ""),
                        "comment": f.get("comment", ""),
                    }
                )
        return lines

    return read


async def show_alarm(request: web.Request) -> web.Response:
    require(request, Permission.READ)
    service = web_context(request).service
    key = request.match_info["key"]
    alarm = alarm_view(service.desk.get(key))  # NotFound: the error page says which
    history = await read_journal(service, _history(key))
    return render(
        request,
        "alarm.html",
        {
            "alarm": alarm,
            "history": history,
            "max_shelve_min": service.pipeline.settings.alarms.max_shelve_min,
        },
    )


async def acknowledge(request: web.Request) -> web.StreamResponse:
    require(request, Permission.ACKNOWLEDGE)
    _ = gettext_of(request).gettext
    form = await read_form(request)
    keys = texts(form, "key")
    if not keys:
        raise BadForm(_("Choose at least one alarm to acknowledge."))
    comment, secret = text(form, "comment"), password(form)
    session = session_of(request)
    outcomes = await acknowledge_many(
        web_context(request).service, session.username, secret, keys, comment
    )
    done = [o.key for o in outcomes if o.done]
    if done:
        flash(request, "ok", _("Acknowledged: %(keys)s") % {"keys": ", ".join(done)})
    for o in outcomes:
        if not o.done:
            flash(request, "refused", f"{o.key}: {o.why}")
    raise web.HTTPSeeOther(_back(form))


async def shelve(request: web.Request) -> web.StreamResponse:
    require(request, Permission.SHELVE)
    form = await read_form(request)
    key = text(form, "key")
    shelving = signed_request(
        ShelveRequest,
        user=session_of(request).username,
        password=password(form),
        comment=text(form, "reason"),
        minutes=number(form, "minutes", 1, 24 * 60),
    )
    await web_context(request).service.shelve(key, shelving)
    _ = gettext_of(request).gettext
    flash(request, "ok", _("Shelved: %(key)s") % {"key": key})
    raise web.HTTPSeeOther(_back(form))


async def unshelve(request: web.Request) -> web.StreamResponse:
    require(request, Permission.SHELVE)
    form = await read_form(request)
    key = text(form, "key")
    unshelving = signed_request(
        UnshelveRequest,
        user=session_of(request).username,
        password=password(form),
        comment=text(form, "comment", required=False),
    )
    await web_context(request).service.unshelve(key, unshelving)
    _ = gettext_of(request).gettext
    flash(request, "ok", _("Unshelved: %(key)s") % {"key": key})
    raise web.HTTPSeeOther(_back(form))


def _back(form: Any) -> str:
    back = form.get("back", "/alarms")
    return back if isinstance(back, str) and back.startswith("/alarms") else "/alarms"
