"""A page's form: read within a time limit, its fields as plain text, each one checked."""

from __future__ import annotations

import asyncio

from aiohttp import web
from multidict import MultiDictProxy

from monitor.api.body import MAX_BODY
from monitor.api.request_log import MALFORMED

FORM_S = 10.0
Form = MultiDictProxy[str | bytes | bytearray | web.FileField]


class BadForm(Exception):
    """A field missing or malformed; the message says which and what to write."""


async def read_form(request: web.Request) -> Form:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise BadForm(f"form larger than {MAX_BODY} bytes")
    try:
        async with asyncio.timeout(FORM_S):
            return await request.post()
    except TimeoutError:
        raise BadForm(f"form not received within {FORM_S:g} s") from None
    except (*MALFORMED, ValueError) as exc:
        raise BadForm(f"malformed form: {exc}") from None


def text(form: Form, name: str, *, required: bool = True, limit: int = 2000) -> str:
    """The field ``name`` stripped; a missing or empty required field is a ``BadForm``."""
    value = form.get(name, "")
    if not isinstance(value, str):
        raise BadForm(f"field {name}: text expected")
    value = value.strip()
    if required and not value:
        raise BadForm(f"field {name} is required")
    if len(value) > limit or "\0" in value:
        raise BadForm(f"field {name}: at most {limit} characters of text")
    return value


def password(form: Form, name: str = "password") -> str:
    """The password as typed (not stripped: a space may be part of it)."""
    value = form.get(name, "")
    if not isinstance(value, str) or not value:
        raise BadForm("the password is required: a signature asks for it again")
    return value


def texts(form: Form, name: str) -> list[str]:
    """Every value of a repeated field (checked boxes), each once, in order."""
    seen: list[str] = []
    for value in form.getall(name, []):
        if isinstance(value, str) and value.strip() and value.strip() not in seen:
            seen.append(value.strip())
    return seen


def number(form: Form, name: str, low: float, high: float, default: float | None = None) -> float:
    """The field as a number within ``[low, high]``; empty, ``default`` when one is given."""
    raw = text(form, name, required=default is None)
    if not raw and default is not None:
        return default
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise BadForm(f"field {name}: a number expected, not {raw!r}") from None
    if not low <= value <= high:
        raise BadForm(f"field {name}: between {low:g} and {high:g}")
    return value


def whole(form: Form, name: str, low: int, high: int, default: int | None = None) -> int:
    """The field as a whole number within ``[low, high]``; empty, ``default`` if given."""
    raw = text(form, name, required=default is None)
    if not raw and default is not None:
        return default
    if not (raw.isascii() and raw.isdigit()):  # "²" is a digit to Python, not to int()
        raise BadForm(f"field {name}: a whole number expected, not {raw!r}")
    value = int(raw)
    if not low <= value <= high:
        raise BadForm(f"field {name}: between {low} and {high}")
    return value


def checked(form: Form, name: str) -> bool:
    """Whether the checkbox ``name`` was ticked."""
    return form.get(name) not in (None, "")
