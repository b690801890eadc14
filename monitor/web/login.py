"""Sign in and out: the user's name and password (argon2id, the user store's throttle),
then a server-side session; the language switch."""

from __future__ import annotations

from aiohttp import web

from monitor.users import AuthError, Permission, Throttled
from monitor.web import csrf
from monitor.web.context import SESSION, session_of, web_context
from monitor.web.cookies import (
    clear_session_cookie,
    set_lang_cookie,
    set_session_cookie,
)
from monitor.web.forms import BadForm, password, read_form, text
from monitor.web.i18n import LANGUAGES
from monitor.web.render import render


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_form(request: web.Request, problem: str = "", status: int = 200) -> web.Response:
    # The token already in the browser is kept: another tab, or a request the browser makes
    # on its own (an icon), must not void the form being filled in.
    token = request.cookies.get(csrf.LOGIN_COOKIE) or csrf.new_login_token()
    context = {
        "login_csrf": token,
        "problem": problem,
        "next": safe_next(request.query.get("next")),
    }
    response = render(request, "login.html", context, status=status)
    response.set_cookie(
        csrf.LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        path="/login",
    )
    return response


async def show_login(request: web.Request) -> web.Response:
    return login_form(request)


async def sign_in(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    expected = request.cookies.get(csrf.LOGIN_COOKIE, "")
    given = form.get(csrf.FIELD)
    if not expected or not isinstance(given, str) or not csrf.same(given, expected):
        raise csrf.CsrfRefused("this sign-in form has expired: reload the page")
    try:
        username, secret = text(form, "username", limit=64), password(form)
    except BadForm as exc:
        return login_form(request, str(exc), 400)
    ctx = web_context(request)
    service = ctx.service
    try:
        user = await service.users.authorise_off_loop(
            service.clock.now_ns(), username, secret, Permission.VIEW_OVERVIEW
        )
    except Throttled as exc:  # its message says how long to wait; 429 as on the API
        return login_form(request, str(exc), 429)
    except AuthError as exc:
        return login_form(request, str(exc), 401)
    session = ctx.sessions.open(user)
    target = safe_next(str(form.get("next", "/")))
    response = web.HTTPSeeOther(target)
    set_session_cookie(request, response, session.id)
    response.del_cookie(csrf.LOGIN_COOKIE, path="/login")
    raise response


async def sign_out(request: web.Request) -> web.StreamResponse:
    web_context(request).sessions.close(session_of(request).id)
    del request[SESSION]
    response = web.HTTPSeeOther("/login")
    clear_session_cookie(request, response)
    raise response


async def switch_language(request: web.Request) -> web.StreamResponse:
    lang = request.query.get("to", "")
    if lang not in LANGUAGES:
        raise web.HTTPBadRequest(reason=f"unknown language {lang!r}: {', '.join(LANGUAGES)}")
    response = web.HTTPSeeOther(safe_next(request.query.get("next")))
    set_lang_cookie(request, response, lang)
    raise response


async def no_icon(request: web.Request) -> web.Response:
    """Browsers ask for an icon on their own: no answer, rather than a sign-in page."""
    return web.Response(status=204)
