"""Mechanism 7, burnout (Homer 1985; job demands-resources): exhaustion rises with hours beyond normal and
with accountability stress, falls with rest; productivity falls with it; past a threshold a cadre is burned
out, past a severe one takes sick days."""

from __future__ import annotations

import numpy as np


def update_exhaustion(exhaustion: np.ndarray, worked: np.ndarray, regular: float, stress_added: np.ndarray,
                      resilience: np.ndarray, gain: float, stress_gain: float, recovery: float) -> None:
    """One day of the effort-recovery balance, in place; exhaustion stays in [0, 1]."""
    over = np.maximum(worked - regular, 0.0)
    rest = np.maximum(regular - worked, 0.0)
    exhaustion += (gain * over + stress_gain * stress_added) * resilience - recovery * rest / resilience
    np.clip(exhaustion, 0.0, 1.0, out=exhaustion)


def productivity(exhaustion: np.ndarray, loss: float) -> np.ndarray:
    """Share of an hour's work an exhausted cadre gets done (KC & Terwiesch 2009)."""
    return 1.0 - loss * exhaustion


def burned_out(exhaustion: np.ndarray, threshold: float) -> np.ndarray:
    return exhaustion > threshold


def sick_days(severe: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Cadres off sick tomorrow: each severely exhausted cadre with probability `rate` (draws only for them)."""
    sick = np.zeros(len(severe), bool)
    idx = np.flatnonzero(severe)
    if idx.size:
        sick[idx] = rng.random(idx.size) < rate
    return sick
