"""Run the raw-HTTP tests under both of aiohttp's request parsers.

aiohttp parses with llhttp (C) when its extension is built, and in Python otherwise (or with
``AIOHTTP_NO_EXTENSIONS``); the two report the same malformed request differently.
"""

from __future__ import annotations

import aiohttp.web_protocol
import pytest
from aiohttp.http_parser import HttpRequestParserPy


@pytest.fixture(params=["default", "python"])
def http_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "python":
        monkeypatch.setattr(aiohttp.web_protocol, "HttpRequestParser", HttpRequestParserPy)
    return str(request.param)
