"""One signature shape for every signed act: alarms and lots record the same four fields."""

from __future__ import annotations

import dataclasses

import pytest

from monitor.alarms import AlarmState, AlarmTransition, Priority
from monitor.alarms import Signature as AlarmSignature
from monitor.signature import Signature


def test_fields_are_the_record_field_names() -> None:
    signature = Signature("anne", "Anne Martin", "acknowledged", "door closed")
    assert signature.fields() == {
        "user": "anne",
        "printed_name": "Anne Martin",
        "meaning": "acknowledged",
        "comment": "door closed",
    }
    assert Signature("anne", "Anne Martin", "created").comment == ""


def test_a_signature_is_frozen_and_the_alarms_use_the_same_class() -> None:
    signature = Signature("anne", "Anne Martin", "shelved", "defrost")
    with pytest.raises(dataclasses.FrozenInstanceError):
        signature.user = "bob"  # type: ignore[misc]
    assert AlarmSignature is Signature


def test_an_alarm_transition_records_the_signature_fields() -> None:
    signature = Signature("anne", "Anne Martin", "acknowledged", "")
    transition = AlarmTransition(
        1, "band:F1", "acknowledge", AlarmState.UNACKED, AlarmState.ACKED, "F1",
        Priority.HIGH, "fridge warm", signature,
    )  # fmt: skip
    fields = transition.fields()
    assert {name: fields[name] for name in signature.fields()} == signature.fields()
