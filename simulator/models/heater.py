"""The bath heater and its PI controller, as a pasteuriser's temperature regulator runs it."""

from __future__ import annotations


class PiHeater:
    """A heater of ``power_w`` driven by a proportional-integral controller on the bath.

    The proportional band is ``band_c``: ``band_c`` below the target the heater is fully on from
    the proportional term alone. The integral term removes the steady offset that the bath's
    heat loss would otherwise leave, and is clamped to ``[0, power_w]`` (anti-windup) so that a
    long stretch at full power, or a failed heater, does not leave a huge overshoot behind.
    """

    def __init__(self, power_w: float, band_c: float, integral_time_s: float) -> None:
        if power_w <= 0 or band_c <= 0 or integral_time_s <= 0:
            raise ValueError(
                "heater power, proportional band and integral time must all be > 0, got "
                f"{power_w!r} W, {band_c!r} °C, {integral_time_s!r} s"
            )
        self._power_w = power_w
        self._gain_w_per_c = power_w / band_c
        self._integral_time_s = integral_time_s
        self._integral_w = 0.0

    @property
    def max_power_w(self) -> float:
        return self._power_w

    def reset(self) -> None:
        """Forget the integral term, as the controller does at the start of a program."""
        self._integral_w = 0.0

    def demand_w(self, error_c: float, dt_s: float) -> float:
        """The power the controller asks for over the next ``dt_s``; ``error_c`` = target - bath."""
        proportional = self._gain_w_per_c * error_c
        self._integral_w += proportional * dt_s / self._integral_time_s
        self._integral_w = min(max(self._integral_w, 0.0), self._power_w)
        return min(max(proportional + self._integral_w, 0.0), self._power_w)
