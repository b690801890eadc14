"""Lots as records: a ``lot:<number>`` stream per lot, each change a signed, chained event.

Kinds, each with the meaning its signature carries and its fields:

- ``lot_created`` (``created``): ``sub_lots``, the donor codes joined by commas; ``bottles``
  and ``volume_ml`` when the lot was counted;
- ``bacteriology_recorded`` (``recorded``): ``stage`` (``before`` / ``after``
  pasteurisation), ``total_flora_cfu_ml``, ``s_aureus_cfu_ml``, ``lab_reference``;
- ``cycle_linked`` (``linked``): ``cycle``, the cycle stream id;
- ``stay_started`` (``stored``, or ``moved``): ``enclosure``, ``in_ts``; ``move_ref``;
- ``stay_ended`` (``removed``, or ``moved``): ``enclosure``, ``out_ts``; ``move_ref``;
- ``lot_released`` (``released``): the comment;
- ``lot_destroyed`` (``destroyed``): ``reason``;
- ``lot_distributed`` (``distributed``): ``bottles``, ``volume_ml``, ``ward``,
  ``recipient_ref`` (the prescription or the recipient);
- ``lot_decided`` (``decided``): ``alarm`` (``band:F1``), ``excursion`` (the record that
  opened it, stream#seq), ``decision`` (``keep`` / ``destroy``), ``reason``;
- ``correction`` (``corrected``): ``target_seq``, ``action`` (``amend`` / ``void``),
  ``field``, the new value, ``reason``.

A correction never overwrites: the new value is in ``new_text``, ``new_int``, ``new_float``
or ``new_bool`` after its type. A move of several lots is one act: each lot's stream gets
its ``stay_ended`` and ``stay_started``, all sharing one ``move_ref`` and committed together.
Every record carries the person's ``Signature``: ``user``, ``printed_name``, ``meaning`` and
``comment``. This book checks the records' shape; whether an act fits the lot's state is
for ``lot_refusals`` to say. ``dossier.fold_lot`` turns the records into the current dossier.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.journal.errors import LotError
from monitor.journal.record import FieldValue, Record, check_ts, check_value
from monitor.journal.streams import StreamKind, lot_stream, parse_stream
from monitor.journal.writer import Journal
from monitor.signature import Signature

DEFAULT_LOT_PATTERN = r"^L\d{4}-\d{3,}$"
STAGES = ("before", "after")  # bacteriology before / after pasteurisation
DECISIONS = ("keep", "destroy")  # a supervisor's decision on an excursion
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
        self,
        lot: str,
        sub_lots: list[str],
        signature: Signature,
        ts: int | None = None,
        bottles: int | None = None,
        volume_ml: float | None = None,
    ) -> Record:
        """A new lot of donors' sub-lots; ``bottles`` and ``volume_ml`` count it when known."""
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
        size = _size(bottles or 0, volume_ml or 0.0, allow_empty=True)
        fields = {"lot": lot, "sub_lots": ",".join(sub_lots), **size, **signed(signature)}
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

    def start_stay(
        self, lot: str, enclosure: str, in_ts: int, signature: Signature, move_ref: str = ""
    ) -> Record:
        fields: dict[str, FieldValue | None] = {"enclosure": _enclosure(enclosure)}
        fields.update(in_ts=check_ts(in_ts), move_ref=move_ref or None, **signed(signature))
        return self._append(lot, "stay_started", fields, None)

    def end_stay(
        self, lot: str, enclosure: str, out_ts: int, signature: Signature, move_ref: str = ""
    ) -> Record:
        fields: dict[str, FieldValue | None] = {"enclosure": _enclosure(enclosure)}
        fields.update(out_ts=check_ts(out_ts), move_ref=move_ref or None, **signed(signature))
        return self._append(lot, "stay_ended", fields, None)

    def move(
        self, moves: Sequence[tuple[str, str]], to: str, ts: int, signature: Signature
    ) -> list[Record]:
        """Lots out of their enclosures (``(lot, from)`` pairs) into ``to``: one act, each lot's
        stream ending one stay and starting the next, all committed together."""
        _enclosure(to)
        lots = [self.check_lot(lot) for lot, _ in moves]
        if not lots:
            raise LotError("a move needs at least one lot")
        if len(set(lots)) != len(lots):
            raise LotError("a lot is listed twice in the move")
        for lot, origin in moves:
            _enclosure(origin)
            if not self.journal.head(lot_stream(lot))[0]:
                raise LotError(f"unknown lot {lot}: create it first")
        move_ref = f"move:{to}:{check_ts(ts)}"
        records = []
        with self.journal.together():
            for lot, origin in moves:
                records.append(self.end_stay(lot, origin, ts, signature, move_ref))
                records.append(self.start_stay(lot, to, ts, signature, move_ref))
        return records

    def release(self, lot: str, signature: Signature, ts: int | None = None) -> Record:
        return self._append(lot, "lot_released", dict(signed(signature)), ts)

    def destroy(self, lot: str, reason: str, signature: Signature, ts: int | None = None) -> Record:
        fields = {"reason": _text("reason", reason), **signed(signature)}
        return self._append(lot, "lot_destroyed", fields, ts)

    def distribute(
        self,
        lot: str,
        bottles: int,
        volume_ml: float,
        ward: str,
        recipient_ref: str,
        signature: Signature,
        ts: int | None = None,
    ) -> Record:
        """A part of the lot given to ``ward`` for ``recipient_ref`` (a prescription)."""
        fields: dict[str, FieldValue | None] = {**_size(bottles, volume_ml, allow_empty=False)}
        fields.update(ward=_text("ward", ward), recipient_ref=_text("recipient_ref", recipient_ref))
        fields.update(signed(signature))
        return self._append(lot, "lot_distributed", fields, ts)

    def decide(
        self,
        lot: str,
        alarm: str,
        excursion: str,
        decision: str,
        reason: str,
        signature: Signature,
        ts: int | None = None,
    ) -> Record:
        """A supervisor's decision on an excursion the lot lived through: keep or destroy."""
        if decision not in DECISIONS:
            raise LotError(f"decision {decision!r}: {' or '.join(DECISIONS)}")
        fields: dict[str, FieldValue | None] = {
            "alarm": _text("alarm", alarm),
            "excursion": excursion or None,
            "decision": decision,
            "reason": _text("reason", reason),
            **signed(signature),
        }
        return self._append(lot, "lot_decided", fields, ts)

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


def _text(name: str, text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise LotError(f"a lot record needs its {name}")
    return str(check_value(name, text.strip()))


def _size(bottles: int, volume_ml: float, allow_empty: bool) -> dict[str, FieldValue | None]:
    """``bottles`` and ``volume_ml`` as fields; a zero is left out (not counted so)."""
    if isinstance(bottles, bool) or not isinstance(bottles, int) or bottles < 0:
        raise LotError(f"bottles {bottles!r}: a whole number >= 0")
    volume = volume_ml
    if isinstance(volume, bool) or not isinstance(volume, int | float) or not volume >= 0:
        raise LotError(f"volume_ml {volume_ml!r}: a number of mL >= 0")
    if not allow_empty and bottles == 0 and volume == 0:
        raise LotError("a distribution gives bottles, millilitres or both")
    volume_field = float(check_value("volume_ml", float(volume))) if volume else None
    return {"bottles": bottles or None, "volume_ml": volume_field}


def _enclosure(enclosure: str) -> str:
    if not _ENCLOSURE.fullmatch(enclosure):
        raise LotError(f"enclosure id {enclosure!r}: letters, digits, '_', '.', '-'")
    return enclosure
