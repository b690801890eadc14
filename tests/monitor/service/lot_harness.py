"""Lots for service tests: signed requests, and a pasteurisation cycle's records appended fast.

A real cycle takes the simulator and some 80 simulated minutes (tests/monitor/service/
test_lot_life_daemon.py runs one); the tests of the lot's other steps only need a cycle's
closing record, which ``closed_cycle`` appends as the daemon's pipeline would, sealed, with
the lots linked to it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, SecretStr

from monitor.journal import Journal, LotBook, cycle_stream
from monitor.signature import Signature

PW = "correct horse battery"
VERDICTS = {"cycle_passed": "pass", "cycle_failed": "fail"}


M = TypeVar("M", bound=BaseModel)


def signed(model: type[M], user: str, **fields: Any) -> M:
    return model(user=user, password=SecretStr(PW), **fields)


def closed_cycle(
    journal: Journal, lots: list[str], start_ns: int, end_ns: int, kind: str = "cycle_passed"
) -> str:
    """A holder63 cycle of P1 from ``start_ns`` closed at ``end_ns`` with ``kind``."""
    stream = cycle_stream("P1", start_ns)
    journal.append_event(
        stream,
        "cycle_started",
        {"subject": stream, "program": "holder63", "lots": ",".join(lots)},
        ts=start_ns,
    )
    book = LotBook(journal)
    for lot in lots:
        book.link_cycle(lot, stream, Signature("anne", "Anne Martin", "linked"), start_ns)
    reasons = "" if kind == "cycle_passed" else "cooled before the hold was complete"
    verdict = {"subject": stream, "outcome": VERDICTS[kind], "reasons": reasons}
    journal.append_event(stream, kind, verdict, ts=end_ns)
    journal.seal(stream, "cycle closed")
    return stream
