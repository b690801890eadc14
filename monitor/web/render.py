"""Pages from the Jinja2 templates, each given the session, its token, its language and
the helpers every template uses (``_``, ``when``, ``can``)."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from monitor.users import Permission, allowed
from monitor.web.alarm_causes import cause_html
from monitor.web.context import SESSION, gettext_of, language_of, web_context
from monitor.web.dates import duration_text
from monitor.web.i18n import LANGUAGE_NAMES
from monitor.web.sessions import Session


def setup_templates(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("monitor.web", "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the test, not the page
    )
    env.filters["duration"] = duration_text


def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> web.Response:
    session: Session | None = request.get(SESSION)
    lang = language_of(request)
    translations = gettext_of(request)
    dates = web_context(request).dates

    def can(permission: str) -> bool:
        return session is not None and allowed(session.role, Permission(permission))

    flash = list(session.flash) if session is not None else []
    if session is not None:
        session.flash.clear()
    base: dict[str, Any] = {
        "session": session,
        "csrf": session.csrf if session is not None else "",
        "lang": lang,
        "languages": LANGUAGE_NAMES,
        "_": translations.gettext,
        "ngettext": translations.ngettext,
        "when": lambda ts: dates.html(ts, lang),
        "cause": lambda alarm: cause_html(alarm["key"], alarm["message"], translations.gettext),
        "can": can,
        "path": request.path_qs,
        "flash": flash,
        "site": web_context(request).service.pipeline.settings.site,
    }
    base.update(context or {})
    response = aiohttp_jinja2.render_template(template, request, base, status=status)
    # Pages carry live values and names: never kept by a shared browser's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def flash(request: web.Request, kind: str, message: str) -> None:
    """A line shown once on the next page (after the redirect that follows a POST)."""
    session: Session | None = request.get(SESSION)
    if session is not None:
        session.flash.append((kind, message))
