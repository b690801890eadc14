"""The session and language cookies: HttpOnly, SameSite=Strict, Secure over HTTPS."""

from __future__ import annotations

from aiohttp import web

from monitor.web.context import WEB_KEY

SESSION_COOKIE = "lactamon_session"
LANG_COOKIE = "lactamon_lang"
# The language is a preference, not a secret: kept a year.
LANG_MAX_AGE_S = 365 * 24 * 3600


def over_https(request: web.Request) -> bool:
    """Whether the browser speaks HTTPS: to the daemon itself, or to the reverse proxy of
    ``web.behind_proxy`` (which reaches the daemon in plain HTTP on loopback)."""
    if request.secure:
        return True
    ctx = request.app.get(WEB_KEY)
    return ctx is not None and ctx.behind_proxy


def set_session_cookie(request: web.Request, response: web.StreamResponse, sid: str) -> None:
    # No max-age: the cookie dies with the browser; the server's idle timeout ends it sooner.
    response.set_cookie(
        SESSION_COOKIE, sid, httponly=True, samesite="Strict", secure=over_https(request), path="/"
    )


def clear_session_cookie(request: web.Request, response: web.StreamResponse) -> None:
    response.del_cookie(
        SESSION_COOKIE, path="/", secure=over_https(request), httponly=True, samesite="Strict"
    )


def set_lang_cookie(request: web.Request, response: web.StreamResponse, lang: str) -> None:
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=LANG_MAX_AGE_S,
        httponly=True,
        samesite="Strict",
        secure=over_https(request),
        path="/",
    )
