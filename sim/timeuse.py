"""Mechanism 4, daily time allocation: fixed items first (meetings, travel, app check-ins), then overtime
chosen under pressure up to a cap (evenings, weekends), then the flexible hours split over the demands in
proportion to priority = weight x urgency (water-filling, two passes)."""

from __future__ import annotations

import numpy as np


def township_meetings(county_meetings: np.ndarray, post_share: np.ndarray) -> np.ndarray:
    """County meetings each township cadre attends (its posts' departments; holders share them)."""
    return county_meetings @ post_share


def village_meetings(town_meetings: np.ndarray, village_town: np.ndarray, attend_share: float, u: np.ndarray) -> np.ndarray:
    """Township-tier meetings each village cadre is summoned to: stochastic rounding of the expected number."""
    expected = town_meetings[village_town] * attend_share
    return np.floor(expected + u)


def overtime(need: np.ndarray, regular_left: np.ndarray, pressure: float, cap: float) -> np.ndarray:
    """Extra hours a cadre puts in: a share of the unmet need, up to the cap (白加黑, 五加二)."""
    return np.clip((need - regular_left) * pressure, 0.0, cap)


def allocate(demand: np.ndarray, weight: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Hours (k, N) given to each demand: x = demand * min(1, lam * weight), lam chosen so the hours add to
    the capacity (or all demand is met). Two passes of water-filling; never more than demand or capacity."""
    wd = weight * demand
    total_wd = wd.sum(0)
    lam = capacity / np.where(total_wd > 0, total_wd, 1.0)
    x = demand * np.minimum(1.0, lam * weight)
    left = capacity - x.sum(0)
    open_ = (lam * weight < 1.0) * wd
    open_wd = open_.sum(0)
    lam2 = lam + left / np.where(open_wd > 0, open_wd, np.inf)
    x = demand * np.minimum(1.0, lam2 * weight)
    return x
