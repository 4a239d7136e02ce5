"""Compare scenarios on common random numbers: every scenario runs on the same seeds, and each outcome's
difference from the first (reference) scenario is taken seed by seed, with a paired t-interval.

Pure library (the `python -m sim compare` command writes the files): `run_many` runs (scenario, seed) pairs on
one or more processes, `summaries` puts the results in a table, `paired_differences` computes the intervals,
and `sim.figures.compare` draws them.

Besides the run summary (`sim.OUTCOMES`), each run adds its time use by kind, in hours per cadre at work per
day (`hours_<kind>_cadre_day`, same before/after windows as the summary). They make displacement visible: a
cut in documents that comes back as forms shows as `hours_document_cadre_day` falling and
`hours_form_cadre_day` rising.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.blas import pin_blas
from sim.core.record import OUTCOMES, TIME_KINDS
from sim.core.scenario import Scenario
from sim.io.loader import load_scenario
from sim.io.tables import LEVEL, t_interval

TIME_OUTCOMES = tuple(f"hours_{k}_cadre_day" for k in TIME_KINDS)
ALL_OUTCOMES = OUTCOMES + TIME_OUTCOMES
# What a cut that only moves work shows up in (S1: fewer documents, more forms).
DISPLACEMENT = ("hours_document_cadre_day", "hours_meeting_cadre_day", "hours_travel_cadre_day",
                "hours_inspection_cadre_day", "hours_form_cadre_day", "hours_app_cadre_day",
                "form_app_hours_village_day")
WINDOWS = ("before", "after")


def time_use(ts: pd.DataFrame, policy_start_day: int, warmup_days: int) -> dict[str, float]:
    """Hours per cadre at work per day by kind, before (after the warm-up) and after the reform day."""
    days = len(ts)
    windows = {"before": (min(warmup_days, policy_start_day), min(policy_start_day, days)),
               "after": (policy_start_day, days)}
    out: dict[str, float] = {}
    for w, (lo, hi) in windows.items():
        part = ts.iloc[lo:hi]
        cadre_days = float(part["cadres_at_work"].sum())
        for k in TIME_KINDS:
            out[f"hours_{k}_cadre_day_{w}"] = float(part[f"hours_{k}"].sum()) / cadre_days if cadre_days > 0 else math.nan
    return out


def run_one(scenario: Scenario, seed: int, days: int | None = None) -> dict[str, float]:
    """One run's outcomes: the summary plus time use by kind."""
    from sim.io.run import run_scenario

    r = run_scenario(scenario, seed=seed, days=days)
    return {**r.summary, **time_use(r.timeseries, scenario.policy_start_day, 0)}


def _job(args: tuple[int, Scenario, int, int | None]) -> tuple[int, int, dict[str, float]]:
    i, scenario, seed, days = args
    return i, seed, run_one(scenario, seed, days)


def run_many(scenarios: Sequence[Scenario], seeds: Sequence[int], days: int | None = None, workers: int = 1,
             progress: Callable[[int, int], None] | None = None) -> list[tuple[int, int, dict[str, float]]]:
    """Run every scenario on every seed (common random numbers). Results are (scenario index, seed, outcomes)
    in a fixed order whatever the number of workers; each run is the same bit for bit in any process."""
    jobs = [(i, s, int(seed), days) for seed in seeds for i, s in enumerate(scenarios)]
    total = len(jobs)
    results: list[tuple[int, int, dict[str, float]]] = []
    if workers <= 1 or total <= 1:
        for n, job in enumerate(jobs, 1):
            results.append(_job(job))
            if progress:
                progress(n, total)
    else:
        # spawn, not fork: the parent may hold threads (BLAS, tqdm), and spawn behaves the same on every OS
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(workers, total), mp_context=ctx, initializer=pin_blas) as pool:
            for n, res in enumerate(pool.map(_job, jobs, chunksize=1), 1):
                results.append(res)
                if progress:
                    progress(n, total)
    results.sort(key=lambda r: (r[0], r[1]))
    return results


def summaries(results: list[tuple[int, int, dict[str, float]]], names: Sequence[str]) -> pd.DataFrame:
    """One row per run: scenario, seed and every `<outcome>_before/_after`."""
    rows = [{"scenario": names[i], "seed": seed, **out} for i, seed, out in results]
    return pd.DataFrame(rows)


def paired_differences(runs: pd.DataFrame, outcomes: Sequence[str] = ALL_OUTCOMES, reference: str | None = None,
                       level: float = LEVEL) -> pd.DataFrame:
    """Each scenario minus the reference (the first scenario in `runs` unless named), seed by seed, for every
    outcome and window: mean difference, t-interval, and both means. One row per scenario x outcome x window;
    the reference's own rows are left out. `significant` is True when the interval excludes 0."""
    names = list(dict.fromkeys(runs["scenario"]))
    ref = reference if reference is not None else names[0]
    if ref not in names:
        raise ValueError(f"reference scenario {ref!r} is not among {names}")
    base = runs[runs["scenario"] == ref].set_index("seed")
    rows: list[dict[str, Any]] = []
    for name in names:
        if name == ref:
            continue
        other = runs[runs["scenario"] == name].set_index("seed")
        seeds = base.index.intersection(other.index)
        for outcome in outcomes:
            for w in WINDOWS:
                col = f"{outcome}_{w}"
                if col not in base.columns:
                    continue
                a, b = base.loc[seeds, col].to_numpy(float), other.loc[seeds, col].to_numpy(float)
                ok = np.isfinite(a) & np.isfinite(b)
                mean, lo, hi, sd = t_interval(b[ok] - a[ok], level)
                rows.append({
                    "scenario": name, "reference": ref, "outcome": outcome, "window": w,
                    "reference_mean": float(a[ok].mean()) if ok.any() else math.nan,
                    "scenario_mean": float(b[ok].mean()) if ok.any() else math.nan,
                    "difference": mean, "ci_low": lo, "ci_high": hi, "sd": sd, "n": int(ok.sum()),
                    "significant": bool(np.isfinite(lo) and (lo > 0 or hi < 0)),
                })
    return pd.DataFrame(rows)


def compare(scenarios: Sequence[str | Path | dict | Scenario], replicates: int, seed: int = 0,
            days: int | None = None, workers: int = 1, outcomes: Sequence[str] = ALL_OUTCOMES,
            progress: Callable[[int, int], None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run scenarios on seeds seed..seed+replicates-1 and return (per-run table, paired differences)."""
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    names = unique_names([s.name for s in loaded])
    seeds = list(range(seed, seed + replicates))
    results = run_many(loaded, seeds, days, workers, progress)
    runs = summaries(results, names)
    return runs, paired_differences(runs, outcomes)


def unique_names(names: Sequence[str]) -> list[str]:
    """Scenario names made unique (a name seen before gets #2, #3 ...), so a table row is unambiguous."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}#{seen[n]}")
    return out


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def format_table(diffs: pd.DataFrame, outcomes: Sequence[str]) -> str:
    """A plain-text table: per scenario and outcome, reference mean, and difference [95% CI] before and after."""
    lines = []
    for name in dict.fromkeys(diffs["scenario"]):
        part = diffs[diffs["scenario"] == name]
        ref = part["reference"].iloc[0]
        n = int(part["n"].max())
        lines.append(f"\n{name} - {ref}  (paired by seed, n = {n}; * = 95% interval excludes 0)")
        lines.append(f"{'outcome':34s} {'ref before':>11s} {'diff before [95% CI]':>32s} {'ref after':>11s} "
                     f"{'diff after [95% CI]':>32s}")
        for outcome in outcomes:
            cells = []
            for w in WINDOWS:
                row = part[(part["outcome"] == outcome) & (part["window"] == w)]
                if row.empty:
                    cells += ["", ""]
                    continue
                r = row.iloc[0]
                star = "*" if r["significant"] else " "
                ci = f"{_num(r['difference'])} [{_num(r['ci_low'])}, {_num(r['ci_high'])}]{star}"
                cells += [_num(r["reference_mean"]), ci]
            if any(cells):
                lines.append(f"{outcome:34s} {cells[0]:>11s} {cells[1]:>32s} {cells[2]:>11s} {cells[3]:>32s}")
    return "\n".join(lines)


def _num(x: float) -> str:
    if not np.isfinite(x):
        return "nan"
    if x != 0 and (abs(x) >= 1e4 or abs(x) < 1e-3):
        return f"{x:.3g}"
    return f"{x:.4g}" if abs(x) >= 100 else f"{x:.3f}"
