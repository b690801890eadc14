"""The gate of every page: a live session or the sign-in page, a CSRF token on every POST,
and errors as pages that say what went wrong (never a traceback).

The API under ``/api`` keeps its own rules and JSON errors; this middleware lets it pass.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from monitor.errors import NotFound, Refused
from monitor.sheets.days import BadDay
from monitor.users import AuthError, NotPermitted, Permission, Throttled, UserError, allowed
from monitor.web import csrf
from monitor.web.context import LANG, SESSION, gettext_of, session_of, web_context
from monitor.web.cookies import SESSION_COOKIE
from monitor.web.forms import BadForm, read_form
from monitor.web.i18n import choose_language
from monitor.web.render import render

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Reached without a session: the sign-in page, the language switch, styles and scripts.
PUBLIC_PREFIXES = ("/login", "/lang", "/static/", "/favicon.ico")


def require(request: web.Request, permission: Permission) -> None:
    """Refuse the request unless the signed-in role may ``permission`` (checked here, on the
    server, whatever the page showed)."""
    session = session_of(request)
    if not allowed(session.role, permission):
        _ = gettext_of(request).gettext
        raise NotPermitted(
            _("%(role)s %(user)s may not %(what)s")
            % {"role": _(session.role.value), "user": session.username, "what": permission.value}
        )


@web.middleware
async def web_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/api/") or request.path == "/api":
        return await handler(request)
    request[LANG] = choose_language(request)
    try:
        if not request.path.startswith(PUBLIC_PREFIXES):
            sessions = web_context(request).sessions
            session = sessions.get(request.cookies.get(SESSION_COOKIE))
            if session is None:
                if request.method == "GET" and request.path != "/events":
                    raise web.HTTPSeeOther(f"/login?next={quote(request.path_qs, safe='')}")
                _ = gettext_of(request).gettext
                raise AuthError(_("You are signed out (idle too long?): sign in again."))
            request[SESSION] = session
            if request.method not in ("GET", "HEAD"):
                csrf.check(request, await read_form(request), session.csrf)
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_page(request, exc.status, exc.reason or "error")
    except (BadForm, BadDay, UserError) as exc:  # BadDay: a day or month in a path
        return error_page(request, 400, str(exc))
    except csrf.CsrfRefused as exc:
        return error_page(request, 403, str(exc))
    except Throttled as exc:
        return error_page(request, 429, str(exc))
    except NotPermitted as exc:
        return error_page(request, 403, str(exc))
    except AuthError as exc:
        return error_page(request, 401, str(exc))
    except NotFound as exc:
        return error_page(request, 404, str(exc))
    except Refused as exc:
        return error_page(request, 409, str(exc))
    except Exception:
        log.exception("page %s %s failed", request.method, request.path)
        return error_page(request, 500, "internal error: the daemon's log has the details")


def error_page(request: web.Request, status: int, message: str) -> web.Response:
    return render(request, "error.html", {"status": status, "message": message}, status=status)
