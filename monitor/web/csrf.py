"""CSRF tokens: each form carries its session's token, and every POST must give it back.

The session cookie is SameSite=Strict already; the token is the second lock, for a
browser that ignores SameSite. The sign-in form has no session yet: it double-submits a
random value, set in a cookie and in the form, which a page of another site cannot read.
"""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web

from monitor.web.forms import Form

FIELD = "csrf"
HEADER = "X-CSRF-Token"
LOGIN_COOKIE = "lactamon_login_csrf"


class CsrfRefused(Exception):
    """A POST without its session's token."""


def same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def check(request: web.Request, form: Form, expected: str) -> None:
    given = form.get(FIELD) or request.headers.get(HEADER)
    if not isinstance(given, str) or not same(given, expected):
        raise CsrfRefused("this form has expired or did not come from lactamon: reload the page")


def new_login_token() -> str:
    return secrets.token_urlsafe(24)
