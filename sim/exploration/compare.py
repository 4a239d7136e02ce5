"""Compare scenarios on common random numbers: every scenario runs on the same seeds, and each outcome's
difference from the first (reference) scenario is taken seed by seed, with a paired t-interval.

Pure library (the `python -m sim compare` command writes the files): `run_stored` runs (scenario, seed) pairs
through the sweep engine into a folder (resumable, local processes or Dask), `run_many` runs them on the same
engine in memory, `summaries` puts the results in a table, `paired_differences` computes the intervals, and
`sim.figures.compare` draws them. Each run is the same bit for bit on any backend and any number of workers.

Besides the run summary (`sim.OUTCOMES`), each run adds its time use by kind, in hours per cadre at work per
day (`hours_<kind>_cadre_day`, same before/after windows as the summary). They make displacement visible: a
cut in documents that comes back as forms shows as `hours_document_cadre_day` falling and
`hours_form_cadre_day` rising.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.record import OUTCOMES, TIME_KINDS
from sim.core.scenario import Scenario
from sim.io.loader import load_scenario
from sim.io.tables import LEVEL, differences, has_reform, integers, t_interval  # noqa: F401 (t_interval: public)

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


@dataclass
class TimedRun:
    """A run's summary with its time use by kind added, and its daily record (what the engine's `execute` reads
    from a runner's result)."""

    summary: dict[str, float]
    timeseries: pd.DataFrame


def with_time_use(fields: dict[str, Any], seed: int) -> TimedRun:
    """The engine's runner for comparisons: run_scenario plus time use by kind (before/after the run's reform
    day). A module-level function, so local workers and Dask workers alike import it by name."""
    from sim.io.run import run_scenario

    r = run_scenario(fields, seed=seed)
    return TimedRun({**r.summary, **time_use(r.timeseries, r.scenario.policy_start_day, 0)}, r.timeseries)


TRACE = ("exhaustion_mean",)  # the one time-series column the engine keeps per comparison run (a whole-run mean)


def _tasks(scenarios: Sequence[Scenario], seeds: Sequence[int], days: int | None) -> tuple[list[Any], list[int]]:
    """One engine task per distinct scenario x seed, and for each scenario the index of its distinct scenario
    (comparing a file with itself runs it once). Fields are resolved as run_scenario(scenario, days=) does."""
    from sim.core.scenario import MAX_DAYS
    from sim.exploration.engine import Task
    from sim.exploration.sweep import run_id

    distinct: dict[str, int] = {}
    fields: list[dict[str, Any]] = []
    point_of = []
    for s in scenarios:
        f = (load_scenario(s, days=days) if days is not None else s).fields()
        key = json.dumps(f, sort_keys=True, default=str)
        if key not in distinct:
            distinct[key] = len(fields)
            fields.append(f)
        point_of.append(distinct[key])
    tasks = [Task(run_id(f, int(seed)), d, r, int(seed), f, MAX_DAYS, TRACE)
             for r, seed in enumerate(seeds) for d, f in enumerate(fields)]
    return tasks, point_of


def _outcomes(summary: dict[str, Any]) -> dict[str, float]:
    return {k: math.nan if v is None else v for k, v in summary.items()}  # a stored part holds NaN as null


def _regroup(scenarios: Sequence[Scenario], point_of: list[int], seeds: Sequence[int],
             done: dict[tuple[int, int], dict[str, Any]]) -> list[tuple[int, int, dict[str, float]]]:
    """(scenario index, seed, outcomes) for every scenario and seed, from the results of the distinct runs;
    a failed or missing run ends the comparison with a SweepError naming it (a paired interval needs all)."""
    from sim.exploration.engine import SweepError

    bad = [(i, seed) for i in range(len(scenarios)) for seed in seeds
           if done.get((point_of[i], int(seed)), {}).get("status") != "ok"]
    if bad:
        i, seed = bad[0]
        err = done.get((point_of[i], int(seed)), {}).get("error") or "no result"
        raise SweepError(f"{len(bad)} of {len(scenarios) * len(seeds)} runs did not finish, e.g. scenario "
                         f"{scenarios[i].name!r} seed {seed}: {err}"[:600])
    return sorted(((i, int(seed), _outcomes(done[(point_of[i], int(seed))]["summary"]))
                   for i in range(len(scenarios)) for seed in seeds), key=lambda r: (r[0], r[1]))


def run_many(scenarios: Sequence[Scenario], seeds: Sequence[int], days: int | None = None, workers: int = 1,
             progress: Callable[[int, int], None] | None = None,
             dask: str | None = None) -> list[tuple[int, int, dict[str, float]]]:
    """Run every scenario on every seed (common random numbers) on the engine (local worker processes, or Dask),
    in memory. Results are (scenario index, seed, outcomes) in a fixed order whatever the backend; each run is
    the same bit for bit in any process. A run that fails raises SweepError."""
    from sim.exploration.engine import run_tasks

    tasks, point_of = _tasks(scenarios, seeds, days)
    done: dict[tuple[int, int], dict[str, Any]] = {}
    for n, (t, res) in enumerate(run_tasks(tasks, workers=workers, dask=dask, runner=with_time_use), 1):
        done[(t.point, t.seed)] = res
        if progress:
            progress(n, len(tasks))
    return _regroup(scenarios, point_of, seeds, done)


def run_stored(scenarios: Sequence[Scenario], names: Sequence[str], files: Sequence[str | Path],
               seeds: Sequence[int], out: str | Path, *, workers: int | None = None, dask: str | None = None,
               dask_timeout: float | None = None, progress: bool = False,
               command: list[str] | None = None) -> list[tuple[int, int, dict[str, float]]]:
    """Run every scenario on every seed through the sweep engine into the folder `out` (a sweep folder: parts/,
    runs.parquet, manifest.json): a killed comparison, run again into the same folder, runs only what is
    missing. Returns what `run_many` returns."""
    import hashlib

    from sim.exploration.engine import DASK_TIMEOUT
    from sim.exploration.sweep import Experiment, Store, run_sweep

    tasks, point_of = _tasks(scenarios, seeds, None)
    distinct = [next(s for s, p in zip(scenarios, point_of, strict=True) if p == d) for d in range(max(point_of) + 1)]
    label = [next(n for n, p in zip(names, point_of, strict=True) if p == d) for d in range(len(distinct))]
    paths = [Path(f).resolve() for f in files]
    blob = b"".join(p.read_bytes() if p.is_file() else str(p).encode() for p in paths)
    exp = Experiment(path=paths[0], name="compare", description=f"compare: {', '.join(names)}", seed=int(seeds[0]),
                     replicates=len(seeds), grid={}, scenario_files=[str(p) for p in paths],
                     points=[{"scenario": n} for n in label], scenarios=list(distinct),
                     timeseries_every=tasks[0].every, timeseries_columns=TRACE,
                     file_hash=hashlib.sha256(blob).hexdigest(), seeds=[int(x) for x in seeds])
    run_sweep(exp, out, workers=workers, dask=dask, progress=progress, csv=False, command=command,
              runner=with_time_use, dask_timeout=DASK_TIMEOUT if dask_timeout is None else dask_timeout)
    store = Store(Path(out))
    done = {}
    for t in exp.tasks():
        rec = store.read(t.run_id)
        if rec is not None:
            done[(t.point, t.seed)] = rec
    return _regroup(scenarios, point_of, seeds, done)


def summaries(results: list[tuple[int, int, dict[str, float]]], names: Sequence[str],
              scenarios: Sequence[Scenario] | None = None) -> pd.DataFrame:
    """One row per run in the shared per-run schema (sim.io.tables): run_id, point, scenario, replicate, seed,
    status, then every `<outcome>_before/_after`; counts as integers."""
    from sim.exploration.sweep import run_id

    seeds = sorted({seed for _, seed, _ in results})
    rows = []
    for i, seed, out in results:
        rid = run_id(scenarios[i].fields(), seed) if scenarios is not None else f"{names[i]}-{seed}"
        rows.append({"run_id": rid, "point": i, "scenario": names[i], "replicate": seeds.index(seed), "seed": seed,
                     "status": "ok", "reform": has_reform(scenarios[i]) if scenarios is not None else True, **out})
    return integers(pd.DataFrame(rows))


def split_runs(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-run table as the sweep stores it: `runs` (who ran) and `summary` (run_id and outcomes)."""
    meta = [c for c in table.columns if c in ("run_id", "point", "scenario", "replicate", "seed", "status", "reform")]
    outcomes = [c for c in table.columns if c not in meta]
    return table[meta].copy(), table[["run_id", *outcomes]].copy()


def paired_differences(runs: pd.DataFrame, outcomes: Sequence[str] = ALL_OUTCOMES, reference: str | None = None,
                       level: float = LEVEL) -> pd.DataFrame:
    """Each scenario minus the reference (the first scenario in `runs` unless named), seed by seed, for every
    outcome and window, in the shared long schema (sim.io.tables.differences): difference, ci_low, ci_high,
    ci_level, ci_method, sd, n, both means. The reference's own rows are left out; `significant` is True when the
    interval excludes 0."""
    names = list(dict.fromkeys(runs["scenario"]))
    ref = reference if reference is not None else names[0]
    if ref not in names:
        raise ValueError(f"reference scenario {ref!r} is not among {names}")
    return differences(runs, ["scenario"], outcomes, reference={"scenario": ref}, level=level)


def compare(scenarios: Sequence[str | Path | dict | Scenario], replicates: int, seed: int = 0,
            days: int | None = None, workers: int = 1, outcomes: Sequence[str] = ALL_OUTCOMES,
            progress: Callable[[int, int], None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run scenarios on seeds seed..seed+replicates-1 and return (per-run table, paired differences)."""
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    names = unique_names([s.name for s in loaded])
    seeds = list(range(seed, seed + replicates))
    results = run_many(loaded, seeds, days, workers, progress)
    runs = summaries(results, names, loaded)
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


# --------------------------------------------------------------------------------------------------------------
# Robust comparison over a calibrated ensemble (`sim compare ... --ensemble DIR`): parameter uncertainty (the
# ensemble's scenario files) x chance (replicates), every reform paired with the reference on the same member
# and seed. Runs go through the sweep engine (sim.exploration.design.run_points): resumable, local or Dask.

# Which way is better for each outcome (+1 higher, -1 lower; absent: no direction, e.g. tasks_returned).
BETTER = {"service_resolved_share": 1, "on_time_share": 1, "visit_coverage": 1, "problems_found": 1,
          **{o: -1 for o in ("response_days_mean", "service_backlog_mean", "exhaustion_mean", "burnout_share",
                             "formalism_share", "overtime_hours_per_cadre_week", "meetings_per_village_cadre_week",
                             "fake_completion_share", "quits", "complaints", "form_app_hours_village_day",
                             "exhaustion_township", "exhaustion_village", "burnout_township", "burnout_village",
                             "incidents")}}


def better_sign(column: str) -> int:
    """+1 if a higher value of `<outcome>_<window>` is better, -1 if lower, 0 if neither."""
    return BETTER.get(column.rsplit("_", 1)[0], 0)


def member_fields(path: str | Path) -> dict[str, Any]:
    """The parameter values an ensemble member file sets (everything but extends, name and description)."""
    from sim.io.toml import read_toml

    data = read_toml(Path(path))
    return {k: v for k, v in data.items() if k not in ("extends", "name", "description")}


def run_ensemble(scenario_files: Sequence[str | Path], member_files: Sequence[str | Path], replicates: int,
                 out: str | Path, seed: int = 0, days: int | None = None, outcomes: Sequence[str] | None = None,
                 **backend: Any) -> pd.DataFrame:
    """Every scenario with every member's parameter values, on seeds seed..seed+replicates-1, through the sweep
    engine into `out`. One row per scenario x member x replicate: scenario, member, replicate, seed, status and
    the outcome columns."""
    import hashlib

    from sim.exploration.design import Base, run_points
    from sim.io.loader import read_fields

    scen = [read_fields(p) for p in scenario_files]
    names = unique_names([str(f.get("name", Path(p).stem)) for f, p in zip(scen, scenario_files, strict=True)])
    members = [member_fields(m) for m in member_files]
    points, keys = [], []
    for si, f in enumerate(scen):
        for mi, m in enumerate(members):
            points.append({**f, **m, **({"days": days} if days is not None else {}), "name": names[si]})
            keys.append((names[si], Path(member_files[mi]).stem))
    blob = json.dumps([str(p) for p in (*scenario_files, *member_files)]).encode()
    base = Base(path=Path(scenario_files[0]), name="ensemble", fields={}, seed=seed,
                seeds=list(range(seed, seed + replicates)), file_hash=hashlib.sha256(blob).hexdigest())
    frame = run_points("compare_ensemble", base, points, out, outcomes=outcomes, **backend)
    frame.insert(0, "scenario", [keys[p][0] for p in frame["point"]])
    frame.insert(1, "member", [keys[p][1] for p in frame["point"]])
    return frame.drop(columns=["point"])


def ensemble_effects(runs: pd.DataFrame, outcomes: Sequence[str], level: float = 0.90) -> pd.DataFrame:
    """Each scenario minus the first, paired by member and seed: mean effect, the `level` interval of the
    effect over members x replicates (quantiles), and the share of members whose mean effect improves the
    outcome (NaN for outcomes without a better direction)."""
    names = list(dict.fromkeys(runs["scenario"]))
    ref = runs[runs["scenario"] == names[0]].set_index(["member", "seed"])
    rows = []
    for name in names[1:]:
        other = runs[runs["scenario"] == name].set_index(["member", "seed"])
        idx = ref.index.intersection(other.index)
        for o in outcomes:
            d = (other.loc[idx, o] - ref.loc[idx, o]).astype(float)
            d = d[np.isfinite(d)]
            per_member = d.groupby(level="member").mean()
            sign = better_sign(o)
            lo, hi = (np.quantile(d, [(1 - level) / 2, (1 + level) / 2]) if len(d) else (math.nan, math.nan))
            rows.append({"scenario": name, "reference": names[0], "outcome": o, "mean": float(d.mean()) if len(d) else math.nan,
                         "low": float(lo), "high": float(hi), "level": level,
                         "share_improves": float((sign * per_member > 0).mean()) if sign and len(per_member) else math.nan,
                         "members": int(per_member.size), "runs": int(len(d))})
    return pd.DataFrame(rows)


def ranking_stability(runs: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """How stable the ranking of the scenarios (reference included) is across the ensemble: per outcome and
    scenario, its mean rank over members (1 = best, from each member's mean over replicates), the share of
    members in which it ranks first, and Kendall's W, the members' agreement on the whole ranking (1 = all rank
    alike, 0 = no agreement)."""
    rows = []
    for o in outcomes:
        sign = better_sign(o)
        if not sign:
            continue
        means = runs.groupby(["member", "scenario"])[o].mean().unstack("scenario")
        means = means[list(dict.fromkeys(runs["scenario"]))].dropna()
        if means.empty:
            continue
        ranks = (-sign * means).rank(axis=1, method="average")
        m, n = ranks.shape
        s = ((ranks.sum(axis=0) - m * (n + 1) / 2) ** 2).sum()
        w = float(12 * s / (m * m * (n ** 3 - n))) if n > 1 and m > 1 else math.nan
        for name in ranks.columns:
            rows.append({"outcome": o, "scenario": name, "mean_rank": float(ranks[name].mean()),
                         "share_first": float((ranks[name] == 1).mean()), "kendall_w": w, "members": m})
    return pd.DataFrame(rows)
