"""The bodies the API accepts: strict models, so a malformed request names its problem."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints, field_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Credentials(Body):
    """Signing asks for the password again (Part 11): every changing request carries it."""

    user: Text
    password: SecretStr


class AckRequest(Credentials):
    comment: Text


class ShelveRequest(Credentials):
    comment: Text
    minutes: float = Field(gt=0, le=24 * 60, allow_inf_nan=False)


class UnshelveRequest(Credentials):
    comment: str = ""


class CycleStartRequest(Credentials):
    pasteuriser: Text
    lots: list[Text] = Field(min_length=1, max_length=50)
    program: Text

    @field_validator("lots")
    @classmethod
    def _each_lot_once(cls, lots: list[str]) -> list[str]:
        # The evaluation core refuses a lot given twice with a ValueError: say it here, as a 400.
        doubles = sorted({lot for lot in lots if lots.count(lot) > 1})
        if doubles:
            raise ValueError(f"lot(s) given twice: {', '.join(doubles)}")
        return lots


class CycleAbortRequest(Credentials):
    reason: Text


class LotCreateRequest(Credentials):
    """A new lot with its donors' codes and the bacteriology before pasteurisation."""

    lot: Text
    sub_lots: list[Text] = Field(min_length=1, max_length=200)
    total_flora_cfu_ml: float = Field(ge=0, allow_inf_nan=False)
    s_aureus_cfu_ml: float = Field(ge=0, allow_inf_nan=False)
    lab_reference: str = ""
    # The lot's size, when counted: what its distributions are checked against.
    bottles: int = Field(default=0, ge=0, le=10_000, strict=True)
    volume_ml: float = Field(default=0.0, ge=0, le=1e6, allow_inf_nan=False)


class NotifyTestRequest(Credentials):
    """A test message on the alarm path: every channel, or one; the on-call list, or one person."""

    channel: str = ""
    to: str = ""
