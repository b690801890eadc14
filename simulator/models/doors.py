"""Random door openings of a fridge or freezer: a Poisson process drawn from a seeded RNG."""

from __future__ import annotations

import random


class RandomDoor:
    """Opens the door on average ``per_hour`` times an hour, for ``min_s``..``max_s`` each time.

    Each draw happens when the previous opening ends, never per step, so the openings depend
    only on the seed and not on the step size of the simulation.
    """

    def __init__(
        self, per_hour: float, rng: random.Random, min_s: float = 10.0, max_s: float = 40.0
    ) -> None:
        if per_hour < 0 or not 0 < min_s <= max_s:
            raise ValueError(
                f"door openings need per_hour >= 0 and 0 < min_s <= max_s, got {per_hour!r}, "
                f"{min_s!r}, {max_s!r}"
            )
        self._rate_per_s = per_hour / 3600.0
        self._rng = rng
        self._min_s = min_s
        self._max_s = max_s
        self._open_from_s = self._next_gap(0.0)
        self._open_until_s = self._open_from_s + self._rng.uniform(min_s, max_s)

    def _next_gap(self, after_s: float) -> float:
        if self._rate_per_s == 0:
            return float("inf")
        return after_s + self._rng.expovariate(self._rate_per_s)

    def is_open(self, t_s: float) -> bool:
        """Whether the door is open at ``t_s``; call with times that never go backwards."""
        while t_s >= self._open_until_s:
            self._open_from_s = self._next_gap(self._open_until_s)
            self._open_until_s = self._open_from_s + self._rng.uniform(self._min_s, self._max_s)
        return t_s >= self._open_from_s
