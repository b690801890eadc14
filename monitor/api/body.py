"""Request bodies: read within a time limit, parsed as JSON within a depth, then validated.

Python's JSON parser recurses once per level of nesting: a body of 5000 ``[`` exhausts the
interpreter's stack and raises ``RecursionError`` from inside the parser. No body the API
accepts comes near ``MAX_DEPTH`` levels, so deeper ones are refused before parsing.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from monitor.api.request_log import MALFORMED, describe

MAX_BODY = 64 * 1024
MAX_DEPTH = 32
B = TypeVar("B", bound=BaseModel)

# A JSON string, escapes included, and any bracket: brackets inside strings are not nesting.
_STRING_OR_BRACKET = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


def nesting_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in ``raw``, strings left out.

    A stray closing bracket never lowers the depth below zero, so ``]]]`` cannot hide the
    ``[[[`` after it; the parser refuses such a body anyway.
    """
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth = max(depth - 1, 0)
    return deepest


def load_json(raw: bytes) -> object:
    """``raw`` parsed, or a 400 saying why it is not JSON the API can take."""
    if nesting_depth(raw) > MAX_DEPTH:
        raise web.HTTPBadRequest(reason=f"malformed JSON: nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(raw) if raw else None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, a number too long to read
        raise web.HTTPBadRequest(reason=f"malformed JSON: {exc}") from None


async def read_body(request: web.Request, timeout_s: float) -> bytes:
    """The whole body, or a 408 if it has not arrived ``timeout_s`` after the head.

    A body the client garbled or cut short is its doing, answered 400 and not logged as a
    failure of the daemon's (which would put a traceback in the log at the client's will).
    """
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPBadRequest(reason=f"body larger than {MAX_BODY} bytes")
    try:
        async with asyncio.timeout(timeout_s):
            return await request.read()
    except TimeoutError:
        raise web.HTTPRequestTimeout(
            reason=f"request body not received within {timeout_s:g} s"
        ) from None
    except MALFORMED as exc:
        raise web.HTTPBadRequest(reason=f"malformed body: {describe(exc)}") from None
    except ConnectionResetError:
        # Nobody will read this answer: it only keeps the traceback out of the log.
        raise web.HTTPBadRequest(
            reason="the connection closed before the body was complete"
        ) from None


async def parse(request: web.Request, model: type[B], timeout_s: float) -> B:
    """The request body as ``model``, or a 400 naming every problem."""
    data = load_json(await read_body(request, timeout_s))
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(reason="the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise web.HTTPBadRequest(reason=problems) from None
