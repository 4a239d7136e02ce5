"""Mechanism 5, trace and fake completion: work on upper tasks carries proof-of-work hours (留痕); work is
spent on overdue tasks first; tasks about to miss their deadline are faked (trace only, counted done upward)
by cadres short of time; the rest fall overdue."""

from __future__ import annotations

import numpy as np

from sim.core.jit import kernel


def work_off(stock_n: np.ndarray, stock_h: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """Spend substantive `hours` (5, N) on the stocks (2, 5, N), overdue ([0]) first, then fresh ([1]).
    Returns tasks done (2, 5, N); the stocks shrink in place."""
    done = np.empty_like(stock_n)
    _work_off(stock_n, stock_h, hours.astype(stock_h.dtype, copy=False), done, stock_h.dtype.type(1e-30))
    return done


@kernel
def _work_off(stock_n, stock_h, hours, done, eps) -> None:
    """`work_off` one (kind, cadre) at a time: the hours used on each stock, and the share of its tasks they
    finish (`eps`: an empty stock has nothing to do)."""
    _, k, n = stock_h.shape
    for j in range(k):
        for i in range(n):
            h = hours[j, i]
            for late_fresh in range(2):
                used = min(stock_h[late_fresh, j, i], h)
                h = h - used
                d = used / (stock_h[late_fresh, j, i] + eps) * stock_n[late_fresh, j, i]
                done[late_fresh, j, i] = d
                stock_n[late_fresh, j, i] -= d
                stock_h[late_fresh, j, i] -= used


def fake_or_fall_due(fresh: np.ndarray, aging: np.ndarray, shortfall: np.ndarray,
                     propensity: float) -> tuple[np.ndarray, np.ndarray]:
    """Fresh tasks (2, 5, N: count, hours) reaching their deadline today (share `aging`): a share
    propensity x shortfall is faked (trace only, counted done upward), the rest fall overdue. Returns
    (faked, overdue), each (2, 5, N), and removes both from `fresh` in place. Faking costs the trace part of
    the faked work (the caller prices it with the trace rates)."""
    faked, due = np.empty_like(fresh), np.empty_like(fresh)
    real = fresh.dtype.type
    _fake_or_fall_due(fresh, aging.astype(real, copy=False), shortfall.astype(real, copy=False), real(propensity),
                      faked, due)
    return faked, due


@kernel
def _fake_or_fall_due(fresh, aging, shortfall, propensity, faked, due) -> None:
    """`fake_or_fall_due` one (count/hours, kind, cadre) at a time, in the dtype of the stocks."""
    m, k, n = fresh.shape
    for c in range(m):
        for j in range(k):
            for i in range(n):
                d = fresh[c, j, i] * aging[j, i]
                fresh[c, j, i] -= d
                f = d * (propensity * shortfall[i])
                faked[c, j, i] = f
                due[c, j, i] = d - f
