"""Mechanism 7b, quitting and vacancies: sustained severe burnout leads to quitting; the slot stays vacant
for a while, its backlog falls to a colleague in the same unit, then a fresh cadre is hired."""

from __future__ import annotations

import numpy as np

from sim.core.county import County, update_post_share


def quitters(severe_idx: np.ndarray, severe_days: np.ndarray, after_days: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Indices of cadres quitting today: of the severely exhausted, those past `after_days` of it, each with
    probability `rate`."""
    if severe_idx.size == 0:  # nobody severely exhausted: no draw
        return severe_idx
    idx = severe_idx[severe_days[severe_idx] > after_days]
    if idx.size == 0:
        return idx
    return idx[rng.random(idx.size) < rate]


def hand_over(stocks: tuple[np.ndarray, ...], leaver: int, unit: slice | np.ndarray, at_work: np.ndarray) -> bool:
    """Move a leaver's backlog to the least-loaded colleague at work in the same unit (`unit`: its slots).
    False if nobody is."""
    idx = np.arange(unit.start, unit.stop) if isinstance(unit, slice) else unit
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


def turnover(c: County, quits: np.ndarray, day: int, vacancy_days: int, schedule: dict[int, list[int]]) -> np.ndarray:
    """Today's leavers go and today's vacancies are filled. A leaver's backlog goes to a colleague, the slot
    empties (its exhaustion, stress and fakes leave with the person) and its refill day is booked. Returns the
    slots refilled today. A handful a month: a loop over today's leavers, not over cadres."""
    if len(quits) == 0 and day not in schedule:  # most days: nobody leaves, no vacancy ends
        return np.zeros(0, np.int64)
    refill_day = day + max(vacancy_days, 1)
    at_work = c.active & ~c.sick
    for i in quits:
        hand_over((c.stock_n[1], c.stock_h[1], c.stock_n[0], c.stock_h[0]), int(i), c.unit_of(int(i)), at_work)
        c.filled[i] = False
        c.vacancy_timer[i] = refill_day
        schedule.setdefault(refill_day, []).append(int(i))
        c.exhaustion[i] = c.severe_days[i] = c.stress[i] = c.fake_stock[i] = c.fake_hours[i] = 0.0
    refilled = due_refills(schedule, day) if schedule else np.zeros(0, np.int64)
    if len(refilled):
        c.filled[refilled] = True
        c.vacancy_timer[refilled] = 0
    if len(quits) or len(refilled):
        c.refresh_active()
        Nt = c.n_township_cadres
        if (len(quits) and quits.min() < Nt) or (len(refilled) and refilled.min() < Nt):
            update_post_share(c)
    return refilled
