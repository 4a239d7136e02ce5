"""Mechanism 5, trace and fake completion: work on upper tasks carries proof-of-work hours (留痕); work is
spent on overdue tasks first; tasks about to miss their deadline are faked (trace only, counted done upward)
by cadres short of time; the rest fall overdue."""

from __future__ import annotations

import numpy as np


def work_off(stock_n: np.ndarray, stock_h: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """Spend substantive `hours` (5, N) on the stocks (2, 5, N), overdue ([0]) first, then fresh ([1]).
    Returns tasks done (2, 5, N); the stocks shrink in place."""
    used = np.empty_like(stock_h)
    np.minimum(stock_h[0], hours, out=used[0])
    np.minimum(stock_h[1], hours - used[0], out=used[1])
    done = used / (stock_h + 1e-30)  # share of each stock's hours done; an empty stock has nothing to do
    done *= stock_n
    stock_n -= done
    stock_h -= used
    return done


def fake_or_fall_due(fresh: np.ndarray, aging: np.ndarray, shortfall: np.ndarray,
                     propensity: float) -> tuple[np.ndarray, np.ndarray]:
    """Fresh tasks (2, 5, N: count, hours) reaching their deadline today (share `aging`): a share
    propensity x shortfall is faked (trace only, counted done upward), the rest fall overdue. Returns
    (faked, overdue), each (2, 5, N), and removes both from `fresh` in place. Faking costs the trace part of
    the faked work (the caller prices it with the trace rates)."""
    due = fresh * aging
    fresh -= due
    faked = due * (propensity * shortfall)
    due -= faked
    return faked, due
