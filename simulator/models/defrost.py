"""A freezer's defrost timer: heater on at a fixed interval until warm enough or too long."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DefrostParams:
    """When and how a freezer defrosts its evaporator.

    The heater starts every ``every_s`` (first at ``first_at_s``) and stops when the air reaches
    ``stop_c`` (the termination thermostat) or after ``max_duration_s``, whichever comes first.
    """

    every_s: float = 8 * 3600.0
    max_duration_s: float = 25 * 60.0
    first_at_s: float | None = None
    heater_w: float = 200.0
    # Below the freezer's gross limit (-10 °C): a defrost must not look like a failure.
    stop_c: float = -12.0

    def __post_init__(self) -> None:
        if not (self.every_s > 0 and self.max_duration_s > 0 and self.heater_w > 0):
            raise ValueError(
                "defrost interval, duration and heater power must be > 0, got "
                f"{self.every_s!r} s, {self.max_duration_s!r} s, {self.heater_w!r} W"
            )
        if self.max_duration_s >= self.every_s:
            raise ValueError(
                f"a defrost ({self.max_duration_s} s) must be shorter than its interval "
                f"({self.every_s} s)"
            )
        if self.first_at_s is not None and self.first_at_s < 0:
            raise ValueError(f"first defrost time must be >= 0 s, got {self.first_at_s!r}")


class DefrostTimer:
    """Decides, step by step, whether the defrost heater runs."""

    def __init__(self, params: DefrostParams) -> None:
        self._params = params
        self._next_s = params.every_s if params.first_at_s is None else params.first_at_s
        self._until_s: float | None = None
        self._count = 0

    @property
    def count(self) -> int:
        """How many defrosts have started."""
        return self._count

    @property
    def active(self) -> bool:
        return self._until_s is not None

    def update(self, t_s: float, air_c: float) -> bool:
        """Start or stop the defrost at ``t_s`` given the air temperature; True while it runs."""
        if self._until_s is not None and (t_s >= self._until_s or air_c >= self._params.stop_c):
            self._until_s = None
        if self._until_s is None and t_s >= self._next_s:
            self._until_s = t_s + self._params.max_duration_s
            self._count += 1
            while self._next_s <= t_s:
                self._next_s += self._params.every_s
        return self._until_s is not None
