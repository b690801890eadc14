"""The users (supervisor): list, add, disable, change role. Each change is signed by the
supervisor's password, typed again, and goes through the user store like ``lactamon users``:
its audit row is the change's signed record, which the daemon copies into the journal's
``users`` stream (``monitor.users.journaling``)."""

from __future__ import annotations

from aiohttp import web

from monitor.signature import Signature
from monitor.users import Permission, Role
from monitor.users.audit import CHANGE_MEANING
from monitor.web.context import gettext_of, session_of, web_context
from monitor.web.forms import BadForm, Form, password, read_form, text
from monitor.web.guard import require
from monitor.web.render import flash, render


async def list_users(request: web.Request) -> web.Response:
    require(request, Permission.MANAGE_USERS)
    users = web_context(request).service.users.all_users()
    return render(request, "users.html", {"users": users, "roles": [r.value for r in Role]})


async def _supervisor(request: web.Request, form: Form) -> Signature:
    """The signature of the signed-in supervisor, once her password is checked again."""
    service = web_context(request).service
    session = session_of(request)
    user = await service.users.authorise_off_loop(
        service.clock.now_ns(), session.username, password(form), Permission.MANAGE_USERS
    )
    return Signature(
        user.username, user.printed_name, CHANGE_MEANING, text(form, "comment", required=False)
    )


def _role(form: Form) -> Role:
    raw = text(form, "role")
    try:
        return Role(raw)
    except ValueError:
        raise BadForm(f"unknown role {raw!r}: {', '.join(r.value for r in Role)}") from None


async def add_user(request: web.Request) -> web.StreamResponse:
    require(request, Permission.MANAGE_USERS)
    form = await read_form(request)
    username, name, role = text(form, "username", limit=64), text(form, "name"), _role(form)
    new_password = password(form, "new_password")
    by = await _supervisor(request, form)
    service = web_context(request).service
    # Hashes the new password on the loop (some 0.2 s): the user store's connection belongs
    # to this thread, and adding a person is rare.
    service.users.add(service.clock.now_ns(), username, name, role, new_password, by=by)
    flash(request, "ok", gettext_of(request).gettext("User added: %(u)s") % {"u": username})
    raise web.HTTPSeeOther("/users")


async def change_role(request: web.Request) -> web.StreamResponse:
    require(request, Permission.MANAGE_USERS)
    form = await read_form(request)
    username, role = text(form, "username", limit=64), _role(form)
    by = await _supervisor(request, form)
    ctx = web_context(request)
    ctx.service.users.set_role(ctx.service.clock.now_ns(), username, role, by=by)
    ctx.sessions.close_user(username)  # the new role applies from her next sign-in
    flash(request, "ok", gettext_of(request).gettext("Role changed: %(u)s") % {"u": username})
    raise web.HTTPSeeOther("/users")


async def disable_user(request: web.Request) -> web.StreamResponse:
    require(request, Permission.MANAGE_USERS)
    form = await read_form(request)
    username = text(form, "username", limit=64)
    by = await _supervisor(request, form)
    ctx = web_context(request)
    ctx.service.users.disable(ctx.service.clock.now_ns(), username, by=by)
    ctx.sessions.close_user(username)
    flash(request, "ok", gettext_of(request).gettext("User disabled: %(u)s") % {"u": username})
    raise web.HTTPSeeOther("/users")
