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


def settle_day(stock: np.ndarray, fake_stock: np.ndarray, fake_work: np.ndarray, x: np.ndarray, trace1: np.ndarray,
               trace: np.ndarray, aging: np.ndarray, used: np.ndarray, need: np.ndarray, work: np.ndarray,
               worked: np.ndarray, propensity: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Step 5 for every cadre in one compiled pass: the substantive part of the hours `x` (7, N) given to the
    backlog (x / `trace1`: clock hours per work hour, (5,)) works off overdue then fresh tasks; fresh tasks
    reaching their deadline (`aging`) are faked in proportion to the share of today's due work left undone
    (1 - used / need, for cadres at work) and the rest fall overdue; faking costs the trace hours of the faked
    work (`trace` (5,), at most the hours left in the day, added to `worked`). Updates `stock` (2, 2, 5, N),
    `fake_stock`, `fake_work` (the work the faked tasks needed, for their rework once found) and `worked` in
    place; returns (done, faked, fell_due) (2, 5, N each: [late, fresh] for done,
    [count, hours] for the others) and fake_hours (N,)."""
    real = stock.dtype.type
    done, faked, due = np.empty((3, *stock.shape[1:]), stock.dtype)
    fake_hours = np.empty(len(worked))
    _settle_day(stock, fake_stock, fake_work, x, trace1, trace, aging, used, need, work, worked, real(propensity),
                done, faked, due, fake_hours)
    return done, faked, due, fake_hours


@kernel
def _fall_due(fresh, late, faked, due, i, a, share) -> None:
    """Cadre i's fresh stock reaching its deadline (share `a` today): a `share` of it faked, the rest overdue."""
    d = fresh[i] * a
    fresh[i] -= d
    f = d * share
    faked[i] = f
    due[i] = d - f
    late[i] += d - f


@kernel
def _settle_day(stock, fake_stock, fake_work, x, trace1, trace, aging, used, need, work, worked, propensity,
                done, faked, due, fake_hours) -> None:
    """`settle_day` kind by kind over the cadres (contiguous, so the loops vectorise), in the order and dtypes
    of `work_off` and `fake_or_fall_due` (float32 stocks; sums over kinds row after row)."""
    _, _, k, n = stock.shape
    eps, tiny = np.float32(1e-30), np.float32(1e-12)
    short = np.empty(n, np.float32)  # share of today's due work left undone, for cadres at work
    for i in range(n):
        short[i] = np.float32((1.0 - min(used[i] / (need[i] + tiny), 1.0)) * work[i])
    for j in range(k):
        xj, t1, age = x[j], trace1[j], aging[j]
        n_late, n_fresh, h_late, h_fresh = stock[0, 0, j], stock[0, 1, j], stock[1, 0, j], stock[1, 1, j]
        done_late, done_fresh = done[0, j], done[1, j]
        faked_n, faked_h, due_n, due_h = faked[0, j], faked[1, j], due[0, j], due[1, j]
        for i in range(n):
            # substantive work: overdue first, then fresh
            h = xj[i] / t1
            have = h_late[i]
            spent = min(have, h)
            h = h - spent
            d = spent / (have + eps) * n_late[i]
            done_late[i] = d
            n_late[i] -= d
            h_late[i] = have - spent
            have = h_fresh[i]
            spent = min(have, h)
            d = spent / (have + eps) * n_fresh[i]
            done_fresh[i] = d
            n_fresh[i] -= d
            h_fresh[i] = have - spent
            # fresh tasks reaching their deadline: faked, or overdue
            a, share = age[i], propensity * short[i]
            _fall_due(n_fresh, n_late, faked_n, due_n, i, a, share)  # tasks
            _fall_due(h_fresh, h_late, faked_h, due_h, i, a, share)  # and their hours
    # per cadre: the faked tasks (and their work) join the stock of fakes; faking costs their trace hours. Sums
    # over kinds in turn, with the loop over cadres inside (it vectorises)
    fake_stock_add, fake_work_add = faked[0, 0].copy(), faked[1, 0].copy()
    th = np.empty(n, np.float32)
    trace0, faked_h0 = trace[0], faked[1, 0]
    for i in range(n):
        th[i] = trace0 * faked_h0[i]
    for j in range(1, k):
        faked_n, faked_h, tj = faked[0, j], faked[1, j], trace[j]
        for i in range(n):
            fake_stock_add[i] += faked_n[i]
            fake_work_add[i] += faked_h[i]
            th[i] += tj * faked_h[i]
    for i in range(n):
        fh = min(np.float64(th[i]), max(24.0 - worked[i], 0.0))
        fake_hours[i] = fh
        worked[i] += fh
        fake_stock[i] += fake_stock_add[i]
        fake_work[i] += fake_work_add[i]
