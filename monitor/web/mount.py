"""The web application mounted on the daemon's aiohttp app: its pages at ``/``, its files
at ``/static/``, its gate (``guard``) and the API's session check for reads from afar."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path

from aiohttp import web

from config.service import WebSettings
from monitor.api.read_guard import SESSION_CHECK_KEY
from monitor.service.facade import ServiceFacade
from monitor.users import Permission, allowed
from monitor.web import (
    alarm_pages,
    audit_page,
    cycle_pages,
    login,
    lot_acts,
    lot_downloads,
    lot_pages,
    overview,
    probe_page,
    sheet_download,
    sheet_pages,
    user_pages,
    verify_page,
)
from monitor.web.context import WEB_KEY, WebContext
from monitor.web.cookies import SESSION_COOKIE
from monitor.web.cycle_views import CycleViews
from monitor.web.dates import SiteDates
from monitor.web.guard import web_guard
from monitor.web.i18n import load_catalogues
from monitor.web.render import setup_templates
from monitor.web.sessions import SessionStore
from monitor.web.view_files import ViewFiles, views_folder
from monitor.web.view_warming import ViewWarmer

Route = tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]


def mount_web(
    app: web.Application,
    service: ServiceFacade,
    settings: WebSettings,
    sessions: SessionStore | None = None,
) -> WebContext:
    """Add the pages to ``app`` (before it starts); ``sessions`` lets a test set the clock."""
    journal = service.pipeline.journal
    files = ViewFiles(views_folder(Path(service.pipeline.settings.journal.path)), journal.key)
    ctx = WebContext(
        service=service,
        sessions=sessions or SessionStore(settings.session_idle_min * 60),
        catalogues=load_catalogues(),
        dates=SiteDates(service.pipeline.settings.site.timezone),
        behind_proxy=settings.behind_proxy,
        views=CycleViews(files=files),
    )
    app[WEB_KEY] = ctx
    app.middlewares.append(web_guard)
    app[SESSION_CHECK_KEY] = lambda request: _may_read(ctx, request)
    setup_templates(app)
    app.on_shutdown.append(overview.close_feeds)
    app.cleanup_ctx.append(ViewWarmer(service, ctx.views).running)
    static = Path(str(resources.files("monitor.web") / "static"))
    app.router.add_static("/static/", static, follow_symlinks=False)
    routes: list[Route] = [
        ("GET", "/login", login.show_login),
        ("POST", "/login", login.sign_in),
        ("POST", "/logout", login.sign_out),
        ("GET", "/lang", login.switch_language),
        ("GET", "/favicon.ico", login.no_icon),
        ("GET", "/", overview.overview),
        ("GET", "/events", overview.events),
        ("GET", "/alarms", alarm_pages.list_alarms),
        ("POST", "/alarms/acknowledge", alarm_pages.acknowledge),
        ("POST", "/alarms/shelve", alarm_pages.shelve),
        ("POST", "/alarms/unshelve", alarm_pages.unshelve),
        ("GET", "/alarms/{key:.+}", alarm_pages.show_alarm),
        ("GET", "/cycles", cycle_pages.list_cycles),
        ("POST", "/cycles/start", cycle_pages.start_cycle),
        ("POST", "/cycles/abort", cycle_pages.abort_cycle),
        ("GET", "/cycles/{cycle:.+}/curve.json", cycle_pages.cycle_curve),
        ("GET", "/cycles/{cycle:.+}", cycle_pages.show_cycle),
        ("GET", "/lots", lot_pages.list_lots),
        ("GET", "/lots/{lot}/dossier.pdf", lot_downloads.dossier_pdf),
        ("GET", "/lots/{lot}/curve.csv", lot_downloads.curve_csv),
        ("GET", "/lots/{lot}/bundle.jsonl", lot_downloads.bundle),
        ("GET", "/lots/{lot}", lot_pages.show_lot),
        *(("POST", f"/lots/{{lot}}/{name}", act) for name, act in lot_acts.ACTS.items()),
        ("GET", "/sheets", sheet_pages.list_sheets),
        # The month's PDF before the day: "2026-11.pdf" is not a day.
        ("GET", r"/sheets/{enclosure}/{month:\d{4}-\d{2}}.pdf", sheet_download.month_pdf),
        ("POST", "/sheets/{enclosure}/{month}/review", sheet_pages.review_month),
        ("POST", "/sheets/{enclosure}/{day}/sign", sheet_pages.sign_sheet),
        ("GET", "/sheets/{enclosure}/{day}", sheet_pages.show_sheet),
        ("GET", "/probes", probe_page.list_probes),
        ("GET", "/audit", audit_page.audit_trail),
        ("GET", "/verify", verify_page.verification),
        ("GET", "/users", user_pages.list_users),
        ("POST", "/users/add", user_pages.add_user),
        ("POST", "/users/role", user_pages.change_role),
        ("POST", "/users/disable", user_pages.disable_user),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    return ctx


def _may_read(ctx: WebContext, request: web.Request) -> bool:
    """Whether the request's session may read the API (a kiosk may not: it reads no record)."""
    session = ctx.sessions.get(request.cookies.get(SESSION_COOKIE))
    return session is not None and allowed(session.role, Permission.READ)
