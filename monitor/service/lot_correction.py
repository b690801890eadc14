"""The new value of a lot correction, read as the type the corrected field holds.

A person types ``--value 12`` for a count of bottles and ``--value 1e3`` for a flora: the
command line sends text, and the field's type decides what it means (``bottles`` holds
whole numbers, the counts decimals). The signature of a record (who signed it, with which
meaning) and the lot it belongs to are never corrected: a correction is signed by its own
author, and a record moved to another lot would be a record of that lot made by nobody.
"""

from __future__ import annotations

import math

from monitor.journal.record import FieldValue, Record

SIGNATURE_FIELDS = frozenset({"user", "printed_name", "meaning", "comment", "lot"})
FIELD_TYPES: dict[str, type] = {
    "bottles": int,
    "volume_ml": float,
    "total_flora_cfu_ml": float,
    "s_aureus_cfu_ml": float,
    "in_ts": int,
    "out_ts": int,
}
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


def correction_value(target: Record, field: str, value: FieldValue | None) -> FieldValue:
    """``value`` for ``field`` of ``target``; a ``ValueError`` says why it cannot be."""
    if field in SIGNATURE_FIELDS:
        raise ValueError(f"{field!r} is part of the record's signature or identity: not corrected")
    if value is None:
        raise ValueError("an amendment needs the new value")
    current = target.fields.get(field)
    wanted = FIELD_TYPES.get(field) or (type(current) if current is not None else type(value))
    if not isinstance(value, str) or wanted is str:
        if wanted is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if type(value) is not wanted:
            raise ValueError(f"{field} holds {_name(wanted)}, not {value!r}")
        return value
    text = value.strip()
    try:
        if wanted is int:
            return int(text)
        if wanted is float:
            number = float(text)
            if not math.isfinite(number):
                raise ValueError
            return number
    except ValueError:
        raise ValueError(f"{field} holds {_name(wanted)}, not {value!r}") from None
    if wanted is bool and text.lower() in _TRUE | _FALSE:
        return text.lower() in _TRUE
    raise ValueError(f"{field} holds {_name(wanted)}, not {value!r}")


def _name(kind: type) -> str:
    return {int: "whole numbers", float: "numbers", bool: "true or false"}.get(kind, "text")
