"""Mechanism 7, burnout (Homer 1985; job demands-resources): exhaustion rises with hours beyond normal and
with accountability stress, falls with rest; productivity falls with it; past a threshold a cadre is burned
out, past a severe one takes sick days."""

from __future__ import annotations

import numpy as np

from sim.core.jit import kernel


def update_exhaustion(exhaustion: np.ndarray, worked: np.ndarray, regular: float, stress_added: np.ndarray,
                      resilience: np.ndarray, gain: float, stress_gain: float, recovery: float | np.ndarray) -> None:
    """One day of the effort-recovery balance, in place; exhaustion stays in [0, 1]. `recovery` is per hour of
    rest below normal hours (an array when cadres differ). The drain saturates (x (1 - exhaustion)): each hour
    of overwork wears a tired cadre down less than a fresh one, so exhaustion settles inside the range rather
    than piling up at the cap (Homer 1985's energy stock; issue 9: 'mostly mild to moderate')."""
    gap = worked - regular  # above normal hours drains, below it rests
    drain = np.maximum(gap, 0.0) * gain
    drain += stress_added * stress_gain
    drain *= resilience
    drain *= 1.0 - exhaustion
    exhaustion += drain
    exhaustion -= np.maximum(-gap, 0.0) * recovery
    np.maximum(exhaustion, 0.0, out=exhaustion)
    np.minimum(exhaustion, 1.0, out=exhaustion)


def productivity(exhaustion: np.ndarray, loss: float) -> np.ndarray:
    """Share of an hour's work an exhausted cadre gets done (KC & Terwiesch 2009)."""
    return 1.0 - loss * exhaustion


def sick_days(severe_idx: np.ndarray, n: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Cadres off sick tomorrow (bool, length n): each severely exhausted one with probability `rate`."""
    sick = np.zeros(n, bool)
    if severe_idx.size:
        _fall_sick(severe_idx, rng.random(severe_idx.size), float(rate), sick)
    return sick


@kernel
def _fall_sick(idx, u, rate, sick) -> None:
    """`sick[idx] = u < rate`."""
    for j in range(len(idx)):
        sick[idx[j]] = u[j] < rate


def severely_exhausted(severe: np.ndarray, active: np.ndarray, draw_order: np.ndarray) -> np.ndarray:
    """The severely exhausted cadres in post, unit by unit (`County.draw_order`: who draws which random number
    for sick days and quitting): `draw_order[(severe & active)[draw_order]]`, in one compiled pass."""
    out = np.empty(len(draw_order), np.int64)
    return out[: _severely_exhausted(severe, active, draw_order, out)]


@kernel
def _severely_exhausted(severe, active, draw_order, out) -> int:
    k = 0
    for i in draw_order:
        if severe[i] and active[i]:
            out[k] = i
            k += 1
    return k


def exhaustion_day(exhaustion: np.ndarray, severe_days: np.ndarray, worked: np.ndarray, regular: float,
                   stress_added: np.ndarray, resilience: np.ndarray, gain: float, stress_gain: float,
                   recovery: np.ndarray, filled: np.ndarray, severe_threshold: float) -> np.ndarray:
    """The day's burnout for every cadre in one compiled pass, in place: `update_exhaustion`; an empty slot
    carries no exhaustion (`filled`); the run of days above `severe_threshold` grows by one or ends. Returns
    the severely exhausted (bool)."""
    severe = np.empty(len(exhaustion), np.bool_)
    _exhaustion_day(exhaustion, severe_days, worked, float(regular), stress_added, resilience, float(gain),
                    float(stress_gain), recovery, filled, float(severe_threshold), severe)
    return severe


@kernel
def _exhaustion_day(exhaustion, severe_days, worked, regular, stress_added, resilience, gain, stress_gain,
                    recovery, filled, severe_threshold, severe) -> None:
    """`exhaustion_day` one cadre at a time, each operation as in `update_exhaustion` (float64)."""
    for i in range(len(exhaustion)):
        e = exhaustion[i]
        gap = worked[i] - regular
        drain = max(gap, 0.0) * gain
        drain += stress_added[i] * stress_gain
        drain *= resilience[i]
        drain *= 1.0 - e
        e += drain
        e -= max(-gap, 0.0) * recovery[i]
        e = min(max(e, 0.0), 1.0)
        e *= 1.0 if filled[i] else 0.0
        exhaustion[i] = e
        s = e > severe_threshold
        severe[i] = s
        severe_days[i] = (severe_days[i] + 1.0) * (1.0 if s else 0.0)
