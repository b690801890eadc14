"""What every page handler reaches through the application: the service, the sessions,
the catalogues, the site's dates and the cycles' views."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from gettext import NullTranslations

from aiohttp import web

from monitor.service.facade import ServiceFacade
from monitor.web.cycle_views import CycleViews
from monitor.web.dates import SiteDates
from monitor.web.sessions import Session, SessionStore


@dataclass(slots=True)
class WebContext:
    service: ServiceFacade
    sessions: SessionStore
    catalogues: dict[str, NullTranslations]
    dates: SiteDates
    feeds: set[asyncio.Task[object]] = field(default_factory=set)  # the live overviews
    # Behind a reverse proxy that speaks HTTPS to the browser (``web.behind_proxy``).
    behind_proxy: bool = False
    # One PDF made at a time (``printing``): the readings come first on two cores.
    printing: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))
    # The cycles' pages, read once per head (``cycle_views``); sealed ones kept on disk too.
    views: CycleViews = field(default_factory=CycleViews)


WEB_KEY = web.AppKey("web", WebContext)
SESSION = web.RequestKey("session", Session)  # the signed-in session
LANG = web.RequestKey("lang", str)  # the page's language


def web_context(request: web.Request) -> WebContext:
    return request.app[WEB_KEY]


def session_of(request: web.Request) -> Session:
    """The signed-in session; the guard let no page handler run without one."""
    return request[SESSION]


def language_of(request: web.Request) -> str:
    lang: str = request.get(LANG, "fr")
    return lang


def gettext_of(request: web.Request) -> NullTranslations:
    return web_context(request).catalogues[language_of(request)]
