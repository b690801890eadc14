"""The bodies of the lot routes: each act on a lot signed with the user's password.

Strict models, so that a malformed request names its problem (400); whether the act fits
the lot is the rules' to say (409, ``monitor.journal.lot_refusals``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from monitor.api.requests import Credentials, Text

Comment = str  # optional words of the signer; "" for none
MAX_BOTTLES = 10_000
MAX_VOLUME_ML = 1e6


class LotControlRequest(Credentials):
    """A bacteriology result; ``after`` pasteurisation is the control the release rests on."""

    stage: Literal["before", "after"] = "after"
    total_flora_cfu_ml: float = Field(ge=0, allow_inf_nan=False)
    s_aureus_cfu_ml: float = Field(ge=0, allow_inf_nan=False)
    lab_reference: str = Field(default="", max_length=200)
    comment: Comment = Field(default="", max_length=2000)


class LotReleaseRequest(Credentials):
    comment: Comment = Field(default="", max_length=2000)


class LotDestroyRequest(Credentials):
    reason: Text


class LotStoreRequest(Credentials):
    enclosure: Text
    comment: Comment = Field(default="", max_length=2000)


class LotUnstoreRequest(Credentials):
    """Out of its enclosure (``enclosure`` "": wherever it is)."""

    enclosure: str = Field(default="", max_length=64)
    comment: Comment = Field(default="", max_length=2000)


class LotMoveRequest(Credentials):
    """Several lots into ``to`` at once, from ``from_enclosure`` when given."""

    lots: list[Text] = Field(min_length=1, max_length=200)
    to: Text
    from_enclosure: str = Field(default="", max_length=64)
    comment: Comment = Field(default="", max_length=2000)

    @field_validator("lots")
    @classmethod
    def _each_lot_once(cls, lots: list[str]) -> list[str]:
        doubles = sorted({lot for lot in lots if lots.count(lot) > 1})
        if doubles:
            raise ValueError(f"lot(s) given twice: {', '.join(doubles)}")
        return lots


class LotDistributeRequest(Credentials):
    """A part of a released lot for a prescription: bottles, millilitres or both."""

    bottles: int = Field(default=0, ge=0, le=MAX_BOTTLES, strict=True)
    volume_ml: float = Field(default=0.0, ge=0, le=MAX_VOLUME_ML, allow_inf_nan=False)
    ward: Text
    recipient_ref: Text
    comment: Comment = Field(default="", max_length=2000)


class LotCorrectRequest(Credentials):
    """Amend ``field`` of record ``target_seq`` to ``value``, or ``void`` it, saying why.

    A value given as text is read as the type the field holds (a count, a number …)."""

    target_seq: int = Field(ge=1, strict=True)
    reason: str = Field(default="", max_length=2000)
    field: str = Field(default="", max_length=64)
    value: bool | int | float | str | None = None
    void: bool = False


class LotDecideRequest(Credentials):
    """A supervisor's decision on an excursion the lot lived through."""

    alarm: Text
    decision: Literal["keep", "destroy"]
    reason: Text
    excursion: str = Field(default="", max_length=200)
