"""Mechanism 1, generation: departments emit upper tasks and meetings, townships add their own (层层加码),
villages get specialist cases and resident requests. One Poisson draw per day over a flat rate vector."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.jit import kernel
from sim.core.levers import CAMP, INSP, Regime


@dataclass(frozen=True)
class Rates:
    """Flat daily Poisson rates: [county (6, D) | township additions (6, T) | village (2, V)]."""

    flat: np.ndarray
    campaign_idx: np.ndarray  # positions of campaign rates (scaled by the season)
    inspection_idx: np.ndarray  # positions of inspection rates (scaled in the year-end assessment season)
    n_departments: int
    n_townships: int
    n_villages: int


def daily_rates(r: Regime, n_departments: int, n_townships: int, households: np.ndarray,
                requests_per_household_day: float) -> Rates:
    """Rates of one workday under one regime (at weekends only residents' requests arrive)."""
    D, T, V = n_departments, n_townships, len(households)
    county = np.zeros((6, D))
    county[:5] = r.dept_rate[:, None]
    county[5] = r.meetings_per_dept_day
    town = county.sum(1, keepdims=True) * r.township_addition * np.ones((6, T))
    village = np.zeros((2, V))
    village[0] = r.specialist_per_village_day * 7 / 5 * r.village_work_factor
    village[1] = households * requests_per_household_day
    flat = np.concatenate([county.ravel(), town.ravel(), village.ravel()])
    camp = np.concatenate([CAMP * D + np.arange(D), 6 * D + CAMP * T + np.arange(T)])
    insp = np.concatenate([INSP * D + np.arange(D), 6 * D + INSP * T + np.arange(T)])
    return Rates(flat, camp, insp, D, T, V)


def season(days: int, amplitude: float, start: int = 0) -> np.ndarray:
    """Campaign intensity by day, for days start..days-1: one peak a year (clean-ups and safety checks come in
    seasons). Day 0 is the same day of the year whatever the spin-up (`start` < 0)."""
    return 1 + amplitude * np.sin(2 * np.pi * np.arange(start, days) / 365.0)


def campaign_waves(rng: np.random.Generator, days: int, start: int, waves_per_year: int, wave_weeks: float,
                   factor: float) -> np.ndarray:
    """Campaign intensity by day, for days start..days-1, from special campaigns (运动式治理): each calendar year
    `waves_per_year` waves start on days drawn from `rng` (the run's calendar stream, drawn once at set-up),
    each lasting `wave_weeks` weeks at `factor` times the rate between waves. Overlapping waves do not stack.
    Scaled so that the expected yearly mean is 1: waves bunch the year's campaigns, they do not add to them."""
    out = np.ones(days - start)
    length = int(round(wave_weeks * 7))
    if waves_per_year <= 0 or length <= 0 or factor == 1.0:
        return out
    in_wave = np.zeros(days - start, bool)
    for year in range(start // 365, -(-days // 365)):  # calendar years overlapping the run, in order
        for first in year * 365 + rng.integers(0, 365, waves_per_year):
            lo, hi = max(first - start, 0), min(first + length - start, days - start)
            if lo < hi:
                in_wave[lo:hi] = True
    share = min(1.0, waves_per_year * length / 365)  # expected share of days in a wave, overlaps ignored
    base = 1.0 / (1.0 + share * (factor - 1.0))
    out *= base
    out[in_wave] *= factor
    return out


def year_end(days: int, start: int, season_days: int, factor: float) -> np.ndarray:
    """Inspection intensity by day, for days start..days-1: x `factor` in the last `season_days` days of each
    year (年终考核, the year-end assessment), 1 otherwise."""
    out = np.ones(days - start)
    out[(np.arange(start, days) % 365) >= 365 - season_days] = factor
    return out


def holidays(first_day: int, n_days: int) -> np.ndarray:
    """(365,) bool: the days of the year departments rest (the Spring Festival)."""
    out = np.zeros(365, bool)
    out[(first_day + np.arange(n_days)) % 365] = True
    return out


def generate(rng: np.random.Generator, rates: Rates, season_factor: float,
             inspection_factor: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Today's draws: county (6, D) tasks+meetings by department, township additions (6, T), village
    (specialist cases (V,), resident requests (V,)). Rows 0-4 are BACKLOG kinds, row 5 meetings."""
    lam = rates.flat
    if season_factor != 1.0 or inspection_factor != 1.0:
        lam = np.empty_like(lam)
        _seasonal_rates(rates.flat, rates.campaign_idx, rates.inspection_idx, float(season_factor),
                        float(inspection_factor), lam)
    x = rng.poisson(lam).astype(float)
    D, T = rates.n_departments, rates.n_townships
    village = x[6 * D + 6 * T :].reshape(2, -1)
    return x[: 6 * D].reshape(6, D), x[6 * D : 6 * D + 6 * T].reshape(6, T), (village[0], village[1])


@kernel
def _seasonal_rates(flat, campaign_idx, inspection_idx, season_factor, inspection_factor, lam) -> None:
    """`lam = flat.copy(); lam[campaign_idx] *= season_factor; lam[inspection_idx] *= inspection_factor`."""
    for i in range(len(flat)):
        lam[i] = flat[i]
    for i in campaign_idx:
        lam[i] *= season_factor
    for i in inspection_idx:
        lam[i] *= inspection_factor
