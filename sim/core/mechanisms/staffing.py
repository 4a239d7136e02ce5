"""Mechanism 7b, quitting and vacancies: sustained severe burnout leads to quitting; the slot stays vacant
for a while, its backlog falls to a colleague in the same unit, then a fresh cadre is hired."""

from __future__ import annotations

import numpy as np


def quitters(severe_idx: np.ndarray, severe_days: np.ndarray, after_days: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Indices of cadres quitting today: of the severely exhausted, those past `after_days` of it, each with
    probability `rate`."""
    idx = severe_idx[severe_days[severe_idx] > after_days]
    if idx.size == 0:
        return idx
    return idx[rng.random(idx.size) < rate]


def hand_over(stocks: tuple[np.ndarray, ...], leaver: int, unit: slice, at_work: np.ndarray) -> bool:
    """Move a leaver's backlog to the least-loaded colleague at work in the same unit. False if nobody is."""
    idx = np.arange(unit.start, unit.stop)
    ok = idx[at_work[idx] & (idx != leaver)]
    if ok.size == 0:
        return False
    load = stocks[1][:, ok].sum(0) + stocks[3][:, ok].sum(0)
    to = int(ok[np.argmin(load)])
    for a in stocks:
        a[:, to] += a[:, leaver]
        a[:, leaver] = 0.0
    return True


def due_refills(schedule: dict[int, list[int]], day: int) -> np.ndarray:
    """Slots whose vacancy ends today (and leave the schedule): recruitment runs on a calendar."""
    return np.array(schedule.pop(day, ()), dtype=np.int64)
