"""Lots as records: a ``lot:<number>`` stream per lot, each change a signed, chained event.

Kinds: ``lot_created`` (sub-lots = donor codes), ``bacteriology_recorded`` (before or after
pasteurisation), ``cycle_linked``, ``stay_started`` / ``stay_ended`` (an enclosure stay),
``correction`` (amends one field of an earlier record of the lot, or voids it, with a reason;
nothing is ever overwritten; the new value is in ``new_text``, ``new_int``, ``new_float`` or
``new_bool`` after its type). Every record carries the person's ``Signature``: ``user``,
``printed_name``, ``meaning`` and ``comment``. The meaning says what the person did; the
words in use are ``created``, ``recorded``, ``linked``, ``stored``, ``removed`` and
``corrected``, one per kind in the order above. ``dossier.fold_lot`` turns the records into
the current dossier.
"""

from __future__ import annotations

import re

from monitor.journal.errors import LotError
from monitor.journal.record import FieldValue, Record, check_ts, check_value
from monitor.journal.streams import StreamKind, lot_stream, parse_stream
from monitor.journal.writer import Journal
from monitor.signature import Signature

DEFAULT_LOT_PATTERN = r"^L\d{4}-\d{3,}$"
STAGES = ("before", "after")  # bacteriology before / after pasteurisation
_DONOR_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/]{0,63}")
_ENCLOSURE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
# The new value of an amendment goes to a field named after its type, so that each field
# keeps one type in every record (InfluxDB refuses a field whose type changes).
NEW_VALUE_FIELDS: dict[type, str] = {
    str: "new_text",
    int: "new_int",
    float: "new_float",
    bool: "new_bool",
}


def signed(signature: Signature) -> dict[str, FieldValue | None]:
    """The signature's record fields; an empty comment is None, so the record has no comment."""
    if not all(part.strip() for part in (signature.user, signature.printed_name)):
        raise LotError("a lot record needs the user and the printed name of its signer")
    if not signature.meaning.strip():
        raise LotError("a lot record needs the meaning of its signature")
    comment = signature.comment
    return {**signature.fields(), "comment": check_value("comment", comment) if comment else None}


class LotBook:
    """Appends lot records to the journal, refusing what would make a dossier wrong."""

    def __init__(self, journal: Journal, pattern: str = DEFAULT_LOT_PATTERN) -> None:
        try:
            self._pattern = re.compile(pattern)
        except re.error as exc:
            raise LotError(f"lot number pattern {pattern!r} is not a regex: {exc}") from None
        self.journal = journal

    def check_lot(self, lot: str) -> str:
        if not isinstance(lot, str) or not self._pattern.search(lot):
            raise LotError(f"lot number {lot!r} does not match {self._pattern.pattern}")
        return lot

    def create(
        self, lot: str, sub_lots: list[str], signature: Signature, ts: int | None = None
    ) -> Record:
        stream = lot_stream(self.check_lot(lot))
        if self.journal.head(stream)[0]:
            raise LotError(f"lot {lot} already exists")
        if not sub_lots:
            raise LotError(f"lot {lot}: at least one sub-lot (donor code) is required")
        for code in sub_lots:
            if not _DONOR_CODE.fullmatch(code):
                raise LotError(f"donor code {code!r}: letters, digits, '_', '.', '-', '/'")
        if len(set(sub_lots)) != len(sub_lots):
            raise LotError(f"lot {lot}: a donor code is listed twice")
        fields = {"lot": lot, "sub_lots": ",".join(sub_lots), **signed(signature)}
        return self.journal.append_event(stream, "lot_created", fields, ts)

    def record_bacteriology(
        self,
        lot: str,
        stage: str,
        total_flora_cfu_ml: float,
        s_aureus_cfu_ml: float,
        signature: Signature,
        lab_reference: str = "",
        ts: int | None = None,
    ) -> Record:
        if stage not in STAGES:
            raise LotError(f"bacteriology stage {stage!r}: 'before' or 'after' pasteurisation")
        counts = {"total_flora_cfu_ml": total_flora_cfu_ml, "s_aureus_cfu_ml": s_aureus_cfu_ml}
        for name, count in counts.items():
            if isinstance(count, bool) or not isinstance(count, int | float) or not count >= 0:
                raise LotError(f"{name} {count!r}: a count of CFU/mL, a number >= 0")
            counts[name] = float(check_value(name, float(count)))
        fields: dict[str, FieldValue | None] = {
            "stage": stage,
            **counts,
            "lab_reference": lab_reference or None,
            **signed(signature),
        }
        return self._append(lot, "bacteriology_recorded", fields, ts)

    def link_cycle(
        self, lot: str, cycle: str, signature: Signature, ts: int | None = None
    ) -> Record:
        if parse_stream(cycle).kind is not StreamKind.CYCLE:
            raise LotError(f"{cycle!r} is not a cycle stream id (cycle:<pasteuriser>:<start>Z)")
        return self._append(lot, "cycle_linked", {"cycle": cycle, **signed(signature)}, ts)

    def start_stay(self, lot: str, enclosure: str, in_ts: int, signature: Signature) -> Record:
        fields: dict[str, FieldValue | None] = {"enclosure": _enclosure(enclosure)}
        fields.update(in_ts=check_ts(in_ts), **signed(signature))
        return self._append(lot, "stay_started", fields, None)

    def end_stay(self, lot: str, enclosure: str, out_ts: int, signature: Signature) -> Record:
        fields: dict[str, FieldValue | None] = {"enclosure": _enclosure(enclosure)}
        fields.update(out_ts=check_ts(out_ts), **signed(signature))
        return self._append(lot, "stay_ended", fields, None)

    def correct(
        self,
        lot: str,
        target_seq: int,
        reason: str,
        signature: Signature,
        field: str | None = None,
        value: FieldValue | None = None,
        void: bool = False,
    ) -> Record:
        """Amend ``field`` of record ``target_seq`` of the lot to ``value``, or void it."""
        head = self.journal.head(lot_stream(self.check_lot(lot)))[0]
        if not 1 <= target_seq <= head:
            raise LotError(f"lot {lot} has no record #{target_seq} to correct")
        if not reason.strip():
            raise LotError("a correction needs a reason")
        if void == (field is not None):
            raise LotError("a correction either voids the record or amends one field, not both")
        fields: dict[str, FieldValue | None] = {"target_seq": target_seq, "reason": reason}
        if void:
            fields["action"] = "void"
        else:
            if value is None:
                raise LotError("an amendment needs the new value")
            fields.update(action="amend", field=field)
            fields[NEW_VALUE_FIELDS[type(check_value("value", value))]] = value
        fields.update(signed(signature))
        return self._append(lot, "correction", fields, None)

    def _append(
        self, lot: str, kind: str, fields: dict[str, FieldValue | None], ts: int | None
    ) -> Record:
        stream = lot_stream(self.check_lot(lot))
        if not self.journal.head(stream)[0]:
            raise LotError(f"unknown lot {lot}: create it first")
        return self.journal.append_event(stream, kind, {"lot": lot, **fields}, ts)


def _enclosure(enclosure: str) -> str:
    if not _ENCLOSURE.fullmatch(enclosure):
        raise LotError(f"enclosure id {enclosure!r}: letters, digits, '_', '.', '-'")
    return enclosure
