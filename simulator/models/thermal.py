"""Exact first-order lag updates, the building block of every thermal model here.

A body of heat capacity ``C`` exchanging heat with surroundings at ``T_eq`` through a conductance
``UA`` obeys ``dT/dt = (T_eq - T) / tau`` with ``tau = C / UA``. Over a step ``dt`` with ``T_eq``
held constant the exact solution is ``T_eq + (T - T_eq) * exp(-dt / tau)``: it never overshoots
``T_eq`` however long the step, where a naive Euler step oscillates or diverges once ``dt > tau``.
"""

from __future__ import annotations

import math


def lag_factor(dt_s: float, tau_s: float) -> float:
    """The fraction of the distance to equilibrium that remains after ``dt_s`` seconds."""
    if tau_s <= 0:
        raise ValueError(f"a time constant must be > 0 s, got {tau_s!r}")
    return math.exp(-dt_s / tau_s)


def relax(value: float, target: float, factor: float) -> float:
    """Move ``value`` toward ``target``, keeping ``factor`` of the gap (from ``lag_factor``)."""
    return target + (value - target) * factor


def equilibrium(conductances: tuple[tuple[float, float], ...], power_w: float) -> float:
    """The temperature a body settles at, given ``(UA W/K, temperature °C)`` links and a source.

    ``power_w`` is heat put into the body (negative when removed, as by a compressor). The
    total conductance must be > 0: a body linked to nothing has no equilibrium.
    """
    total = sum(ua for ua, _ in conductances)
    if total <= 0:
        raise ValueError("a body needs at least one thermal link with a conductance > 0")
    return (sum(ua * temp for ua, temp in conductances) + power_w) / total
