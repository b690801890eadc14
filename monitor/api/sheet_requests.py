"""The bodies of the daily sheets' requests: a signature or a review, each with its password."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from monitor.api.requests import Credentials

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class SheetSignRequest(Credentials):
    """A signature of one day's sheet; ``correct`` is the reason of a correction, which
    replaces the standing signature (a sheet is signed once otherwise)."""

    comment: Note = ""
    correct: Note = ""


class SheetReviewRequest(Credentials):
    """A supervisor's review of an enclosure's month; ``correct`` as for a signature."""

    comment: Note = ""
    correct: Note = ""
