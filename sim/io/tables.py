"""The table schema every command shares: long tables with a confidence interval named by its method."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

LEVEL = 0.95  # confidence level of every interval
CI_METHOD = "paired t-interval"


def t_interval(d: np.ndarray, level: float = LEVEL) -> tuple[float, float, float, float]:
    """Mean, lower and upper bound of the t-interval of the mean, and the standard deviation; NaNs dropped.
    One value gives an interval of NaN width (no spread to estimate)."""
    d = np.asarray(d, float)
    d = d[np.isfinite(d)]
    n = len(d)
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan
    mean = float(d.mean())
    if n == 1:
        return mean, math.nan, math.nan, math.nan
    sd = float(d.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return mean, mean - half, mean + half, sd
