"""Mechanism 7b, quitting and vacancies: sustained severe burnout leads to quitting; the slot stays vacant
for a while, its backlog falls to a colleague in the same unit, then a fresh cadre is hired."""

from __future__ import annotations

import numpy as np

from sim.core.county import County, update_post_share
from sim.core.jit import kernel


def quitters(severe_idx: np.ndarray, severe_days: np.ndarray, after_days: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Indices of cadres quitting today: of the severely exhausted, those past `after_days` of it, each with
    probability `rate`."""
    if severe_idx.size == 0:  # nobody severely exhausted: no draw
        return severe_idx
    idx = np.empty(severe_idx.size, np.int64)
    idx = idx[: _past(severe_idx, severe_days, float(after_days), idx)]
    if idx.size == 0:
        return idx
    out = np.empty(idx.size, np.int64)
    return out[: _drawn(idx, rng.random(idx.size), float(rate), out)]


@kernel
def _past(idx, severe_days, after_days, out) -> int:
    """out[:k] = idx[severe_days[idx] > after_days]; returns k."""
    k = 0
    for i in idx:
        if severe_days[i] > after_days:
            out[k] = i
            k += 1
    return k


@kernel
def _drawn(idx, u, rate, out) -> int:
    """out[:k] = idx[u < rate]; returns k."""
    k = 0
    for j in range(len(idx)):
        if u[j] < rate:
            out[k] = idx[j]
            k += 1
    return k


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
    slots refilled today. A handful a month: one compiled pass over today's leavers (`_leave`), not over cadres."""
    if len(quits) == 0 and day not in schedule:  # most days: nobody leaves, no vacancy ends
        return np.zeros(0, np.int64)
    refill_day = day + max(vacancy_days, 1)
    if len(quits):
        _leave(c.stock, quits, c.active & ~c.sick, c.n_township_cadres, c.n_townships, c.n_villages, c.filled, c.vacancy_timer,
               float(refill_day), c.exhaustion, c.severe_days, c.stress, c.fake_stock, c.fake_hours)
        schedule.setdefault(refill_day, []).extend(quits.tolist())
    refilled = due_refills(schedule, day) if schedule else np.zeros(0, np.int64)
    if len(refilled):
        c.filled[refilled] = True
        c.vacancy_timer[refilled] = 0
    if len(quits) or len(refilled):
        c.refresh_active()
        Nt = c.n_township_cadres
        changed = np.concatenate([quits, refilled])
        changed = changed[changed < Nt]
        if len(changed):  # the townships whose cadres came or went share their lines out again
            update_post_share(c, np.unique(changed % c.n_townships))
    return refilled


@kernel
def _leave(stock, quits, at_work, nt, n_townships, n_villages, filled, vacancy_timer, refill_day, exhaustion,
           severe_days, stress, fake_stock, fake_hours) -> None:
    """Each leaver in turn, as `hand_over` and `turnover` do it step by step: her backlog (the four stocks of
    `stock` (2, 2, 5, N)) goes to the colleague of her unit (`County.unit_of`) who will be at work tomorrow
    (`at_work`: in post and not off sick tomorrow; a colleague who left earlier in the same evening no longer
    counts) with the fewest hours pending (fresh hours added kind after kind, plus late hours so added, in
    float32 like the stocks; the first minimum, or the first NaN, as numpy's argmin), then her slot empties
    until `refill_day`."""
    k, n = stock.shape[2], stock.shape[3]
    for leaver in quits:
        if leaver < nt:
            first, stop, step = leaver % n_townships, nt, n_townships
        else:
            first, stop, step = nt + (leaver - nt) % n_villages, n, n_villages
        to = -1
        least = np.float32(0.0)
        for s in range(first, stop, step):
            if not at_work[s] or s == leaver:
                continue
            fresh, late = stock[1, 1, 0, s], stock[1, 0, 0, s]
            for j in range(1, k):
                fresh += stock[1, 1, j, s]
                late += stock[1, 0, j, s]
            load = fresh + late
            if to < 0 or load < least or (load != load and least == least):  # argmin: first min, first NaN
                to, least = s, load
        if to >= 0:
            for count_hours in range(2):
                for late_fresh in range(2):
                    for j in range(k):
                        stock[count_hours, late_fresh, j, to] += stock[count_hours, late_fresh, j, leaver]
                        stock[count_hours, late_fresh, j, leaver] = 0.0
        filled[leaver] = False
        at_work[leaver] = False  # gone: the next leaver of her unit cannot hand over to her
        vacancy_timer[leaver] = refill_day
        exhaustion[leaver] = 0.0
        severe_days[leaver] = 0.0
        stress[leaver] = 0.0
        fake_stock[leaver] = 0.0
        fake_hours[leaver] = 0.0
