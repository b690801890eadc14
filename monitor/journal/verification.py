"""What verification found: findings located by stream and sequence number, and a text report.

README.md ("Verification findings") says exactly what each kind of finding means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FindingSeverity(StrEnum):
    """Whether a finding makes the verification fail (error) or only asks for a look (warning)."""

    ERROR = "error"
    WARNING = "warning"


class FindingKind(StrEnum):
    """The kinds of damage the verifier tells apart (errors unless marked warning)."""

    ALTERED = "altered"
    MISSING = "missing"
    INSERTED = "inserted"
    REORDERED = "reordered"
    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    WRONG_KEY = "wrong_key"
    BAD_CHECKPOINT = "bad_checkpoint"
    AFTER_SEAL = "after_seal"
    NOT_SEALED = "not_sealed"  # a stream the bundle header says was sealed does not end at its seal
    BAD_HEADER = "bad_header"  # a bundle header that is not signed or does not add up
    REWRITTEN = "rewritten"  # a head published outside the device is not in the records
    UNVERIFIABLE = "unverifiable"  # warning
    UNSIGNED_TAIL = "unsigned_tail"  # warning
    TIME_BACKWARDS = "time_backwards"
    CLOCK_STEP = "clock_step"  # warning: a stamp going back that a recorded clock step explains
    AFTER_CLOSE = "after_close"  # stored after a clean close, before the next session opened
    DAMAGE_NOTED = "damage_noted"  # named damaged by a ``stream_damaged`` record of its stream


STREAMS_LISTED = 50  # beyond, format() lists only the streams with findings
WARNING_KINDS = frozenset(
    {FindingKind.UNVERIFIABLE, FindingKind.UNSIGNED_TAIL, FindingKind.CLOCK_STEP}
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at ``stream#seq`` (or ``#seq..seq_end``); ``where`` names a file line or row."""

    kind: FindingKind
    stream: str | None
    seq: int | None
    message: str
    seq_end: int | None = None
    where: str = ""

    @property
    def severity(self) -> FindingSeverity:
        return FindingSeverity.WARNING if self.kind in WARNING_KINDS else FindingSeverity.ERROR

    def covers(self, stream: str, seq: int) -> bool:
        """True when this finding is about ``stream#seq``."""
        if self.stream != stream or self.seq is None:
            return False
        return self.seq <= seq <= (self.seq_end if self.seq_end is not None else self.seq)

    def location(self) -> str:
        if self.stream is None:
            return self.where or "?"
        if self.seq is None:
            place = self.stream
        elif self.seq_end is not None and self.seq_end != self.seq:
            place = f"{self.stream}#{self.seq}..{self.seq_end}"
        else:
            place = f"{self.stream}#{self.seq}"
        return f"{place} ({self.where})" if self.where else place


@dataclass(frozen=True, slots=True)
class StreamSummary:
    """A stream as the verifier saw it; ``signed_up_to``: the last seq a valid signature covers."""

    stream: str
    records: int
    last_seq: int
    sealed: bool
    signed_up_to: int


@dataclass(slots=True)
class VerificationReport:
    """The outcome of one verification; ``ok`` when no finding is an error.

    ``signer_established`` is False when no trusted key was given and the records were checked
    with the keys they came with: that proves them intact, not who signed them. ``contents``
    says what the records state (cycle verdicts, a lot's state), in lines for people.
    """

    source: str
    key_ids: tuple[str, ...]
    findings: list[Finding] = field(default_factory=list)
    streams: list[StreamSummary] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signer_established: bool = True
    contents: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is FindingSeverity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is FindingSeverity.WARNING]

    def at(self, stream: str, seq: int) -> list[Finding]:
        """The findings about ``stream#seq``."""
        return [f for f in self.findings if f.covers(stream, seq)]

    def format(self) -> str:
        """The report as text for people: verdict, key, notes, streams, then every finding."""
        records = sum(s.records for s in self.streams)
        verdict = "OK" if self.ok else "FAILED"
        keys = ", ".join(self.key_ids) or "none"
        keys_line = f"Trusted key id(s): {keys}"
        if not self.signer_established:
            verdict = "INTACT, SIGNER NOT ESTABLISHED" if self.ok else verdict
            keys_line = f"Checked with key id(s) {keys}, which came with the records: not trusted"
        lines = [
            f"Verification of {self.source}: {verdict} — {len(self.errors)} error(s), "
            f"{len(self.warnings)} warning(s); {len(self.streams)} stream(s), {records} record(s)",
            keys_line,
        ]
        lines += [f"Note: {note}" for note in self.notes]
        troubled = {f.stream for f in self.findings}
        shown = sorted(self.streams, key=lambda s: s.stream)
        if len(shown) > STREAMS_LISTED:
            shown = [s for s in shown if s.stream in troubled]
            lines.append(f"{len(self.streams) - len(shown)} stream(s) without findings")
        for summary in shown:
            state = "sealed" if summary.sealed else "open"
            status = "OK" if summary.stream not in troubled else "see findings"
            lines.append(
                f"  {summary.stream}: {summary.records} record(s), last #{summary.last_seq}, "
                f"{state}, signed up to #{summary.signed_up_to} — {status}"
            )
        for finding in self.findings:
            lines.append(
                f"{finding.severity.value.upper():7} {finding.kind.value:14} "
                f"{finding.location()}: {finding.message}"
            )
        if self.contents:
            caveat = "" if self.ok else " (verification failed: this is not proof)"
            lines.append(f"What the records say{caveat}:")
            lines += [f"  {line}" for line in self.contents]
        return "\n".join(lines)
