"""A signed act refused, shown on the page it was asked from: the reason where the form is.

The service refuses an act with its reason (a rule of the lot's life, a role, a wrong
password, a malformed field); the page is shown again with that reason above it and the
status of its kind, so the person reads why and tries again without losing her place.
Anything else is the guard's (an error page).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from monitor.errors import NotFound, Refused
from monitor.sheets.days import BadDay
from monitor.users import AuthError, NotPermitted, Throttled, UserError
from monitor.web.forms import BadForm
from monitor.web.render import flash

# The most precise kind first: NotPermitted and Throttled are AuthErrors.
STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (BadForm, 400),
    (BadDay, 400),
    (UserError, 400),
    (NotPermitted, 403),
    (Throttled, 429),
    (AuthError, 401),
    (NotFound, 404),
    (Refused, 409),
)
REFUSALS = tuple(kind for kind, _ in STATUSES)
Act = Callable[[], Awaitable[str]]
Page = Callable[[str, int], Awaitable[web.StreamResponse]]


def status_of(exc: Exception) -> int:
    return next(status for kind, status in STATUSES if isinstance(exc, kind))


async def signed_act(request: web.Request, act: Act, page: Page, back: str) -> web.StreamResponse:
    """Run ``act``: done, its message is shown once at ``back``; refused, ``page`` is shown
    again with the reason and the refusal's status."""
    try:
        message = await act()
    except REFUSALS as exc:
        return await page(str(exc), status_of(exc))
    flash(request, "ok", message)
    raise web.HTTPSeeOther(back)
