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


def fake_or_fall_due(fresh_n: np.ndarray, fresh_h: np.ndarray, aging: np.ndarray, shortfall: np.ndarray,
                     propensity: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tasks reaching their deadline today: a share (propensity x shortfall) is faked, the rest fall overdue.
    Returns (faked count, faked work hours, overdue count, overdue hours); removes both from the fresh stock.
    Faking costs the trace part of the faked work (the caller prices it with the trace rates)."""
    due_n = fresh_n * aging
    due_h = fresh_h * aging
    fresh_n -= due_n
    fresh_h -= due_h
    fake_share = propensity * shortfall
    faked = due_n * fake_share
    faked_h = due_h * fake_share
    return faked, faked_h, due_n - faked, due_h - faked_h
