"""The daily sheet of an enclosure and the records people sign about it.

A sheet is what the device recorded of one enclosure-day (docs/RULES.md, Cold chain, C8):
the figures of its closing ``day_summarised`` record, the excursions and the probe faults
its stream holds. People's acts about sheets are records of the month's ``sheets:<enclosure>:
<YYYY-MM>`` stream:

- ``sheet_signed``: a technician (or a supervisor) attests one day's sheet. It repeats the
  figures she saw and names the closing record by seq and hash, so the signature cannot be
  moved to other figures (docs/RULES.md, R4);
- ``sheet_reviewed``: a supervisor reviews the month, one record per enclosure and month,
  naming the days and the hash of their signatures.

A sheet is signed once; a correction is a new record with ``replaces_seq`` (the record it
replaces) and ``reason``. Records read back are taken as they are: a field that is missing
or of the wrong type is read as absent, and ``lactamon verify`` says whether they are intact.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from monitor.journal import Record
from monitor.signature import Signature

SUMMARISED = "day_summarised"
SIGNED = "sheet_signed"
REVIEWED = "sheet_reviewed"
SIGN_MEANING = "I sign the daily sheet"
REVIEW_MEANING = "I reviewed the month's daily sheets"
# The figures a signature repeats from the closing record (docs/RULES.md, C9).
FIGURES = ("samples", "min_c", "max_c", "mean_c", "out_of_band_s", "unmeasured_s",
           "excursions", "alarms")  # fmt: skip

Fields = Mapping[str, str | int | float | bool]


def text(fields: Fields, name: str) -> str:
    value = fields.get(name)
    return value if isinstance(value, str) else ""


def integer(fields: Fields, name: str) -> int | None:
    value = fields.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def number(fields: Fields, name: str) -> float | None:
    value = fields.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass(frozen=True, slots=True)
class Figures:
    """What the closing record says of the day; durations in seconds."""

    seq: int
    hash: str
    start_ts: int | None
    end_ts: int | None
    samples: int | None
    min_c: float | None
    min_ts: int | None
    max_c: float | None
    max_ts: int | None
    mean_c: float | None
    out_of_band_s: float | None
    unmeasured_s: float | None
    excursions: int | None
    alarms: int | None

    @classmethod
    def of(cls, record: Record) -> Figures:
        f = record.fields
        return cls(
            record.seq, record.hash.hex(), integer(f, "start_ts"), integer(f, "end_ts"),
            integer(f, "samples"), number(f, "min_c"), integer(f, "min_ts"), number(f, "max_c"),
            integer(f, "max_ts"), number(f, "mean_c"), number(f, "out_of_band_s"),
            number(f, "unmeasured_s"), integer(f, "excursions"), integer(f, "alarms"),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Excursion:
    """An excursion out of the band seen in the day's stream; ``carried`` when it began on
    an earlier day, ``ended_ts`` None while it went on past the day's end."""

    since_ts: int
    side: str
    carried: bool
    alarmed: bool
    ended_ts: int | None = None
    worst_c: float | None = None
    measured_out_s: float | None = None
    unmeasured_out_s: float | None = None


@dataclass(frozen=True, slots=True)
class ProbeFault:
    """A probe fault raised that day: ``what`` is ``fault``, ``stale`` or ``stuck``."""

    ts: int
    probe: str
    what: str
    detail: str


@dataclass(frozen=True, slots=True)
class Act:
    """A signature or a review as recorded: the signer, what it means, where it is."""

    seq: int
    ts: int
    hash: str
    user: str
    printed_name: str
    meaning: str
    comment: str
    replaces_seq: int | None
    reason: str
    days: tuple[str, ...] = ()  # a review's: the days it covers
    signatures_hash: str = ""  # a review's: see ``signatures_hash``

    @classmethod
    def of(cls, record: Record) -> Act:
        f = record.fields
        days = tuple(d for d in text(f, "days").split(",") if d)
        return cls(record.seq, record.ts, record.hash.hex(), text(f, "user"),
                   text(f, "printed_name"), text(f, "meaning"), text(f, "comment"),
                   integer(f, "replaces_seq"), text(f, "reason"), days,
                   text(f, "signatures_hash"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class DailySheet:
    """One enclosure-day; ``figures`` is None until the day is closed."""

    enclosure: str
    day: date
    stream: str
    recorded: bool
    figures: Figures | None
    excursions: tuple[Excursion, ...]
    faults: tuple[ProbeFault, ...]
    signatures: tuple[Act, ...]  # in order: the last one stands, the others were corrected
    month_review: Act | None = None

    @property
    def closed(self) -> bool:
        return self.figures is not None

    @property
    def signature(self) -> Act | None:
        return self.signatures[-1] if self.signatures else None


@dataclass(frozen=True, slots=True)
class MonthSheets:
    """An enclosure's sheets of one month (the days that have a record) and its reviews."""

    enclosure: str
    month: date
    stream: str
    sheets: tuple[DailySheet, ...]
    reviews: tuple[Act, ...]

    @property
    def review(self) -> Act | None:
        return self.reviews[-1] if self.reviews else None

    def unsigned(self) -> list[DailySheet]:
        """Closed sheets nobody signed."""
        return [s for s in self.sheets if s.closed and s.signature is None]

    def review_stands(self) -> bool:
        """Whether the review covers the signatures as they stand (none corrected since)."""
        review = self.review
        return review is not None and review.signatures_hash == signatures_hash(self.sheets)


def signed_fields(
    sheet: DailySheet, signature: Signature, replaces: Act | None, reason: str
) -> dict[str, str | int | float | None]:
    """The ``sheet_signed`` record of a closed sheet."""
    figures = sheet.figures
    assert figures is not None, "only a closed sheet is signed"
    fields: dict[str, str | int | float | None] = {
        "enclosure": sheet.enclosure,
        "day": sheet.day.isoformat(),
        "day_stream": sheet.stream,
        "summary_seq": figures.seq,
        "summary_hash": figures.hash,
        **{name: getattr(figures, name) for name in FIGURES},
        "probe_faults": len(sheet.faults),
        **signature.fields(),
    }
    return fields | _correction(replaces, reason)


def reviewed_fields(
    month: MonthSheets, signature: Signature, replaces: Act | None, reason: str
) -> dict[str, str | int | float | None]:
    """The ``sheet_reviewed`` record of a month whose closed sheets are all signed."""
    signed = [s for s in month.sheets if s.signature is not None]
    fields: dict[str, str | int | float | None] = {
        "enclosure": month.enclosure,
        "month": f"{month.month:%Y-%m}",
        "sheets": len(signed),
        "days": ",".join(s.day.isoformat() for s in signed),
        "signatures_hash": signatures_hash(signed),
        **signature.fields(),
    }
    return fields | _correction(replaces, reason)


def signatures_hash(sheets: Sequence[DailySheet]) -> str:
    """SHA-256 of ``<day> <hash of its standing signature>`` lines, in day order: what a
    review covers, so a signature changed after the review no longer matches it."""
    lines = [f"{s.day.isoformat()} {s.signature.hash}\n" for s in sheets if s.signature]
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def _correction(replaces: Act | None, reason: str) -> dict[str, str | int | float | None]:
    if replaces is None:
        return {}
    return {"replaces_seq": replaces.seq, "reason": reason}
