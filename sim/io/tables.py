"""The table schema every command shares (run, compare, sweep and the exploration commands).

Per-run tables, one row per run:
  runs     `run_id`, `point`, the named keys (`scenario` and any swept field), `replicate`, `seed`, `status`,
           `reform` (a lever is set), ...
  summary  `run_id` and every outcome as `<outcome>_<window>` (as the model reports it)
Long tables of estimates, one row per key values x outcome x window, keyed by the named swept values (never by a
point index), with the interval and its method named in the same columns everywhere:
  estimates    KEYS..., outcome, window, mean, ci_low, ci_high, ci_level, ci_method, sd, n
  differences  KEYS..., reference, outcome, window, difference, ci_low, ci_high, ci_level, ci_method, sd, n,
               reference_mean, mean, significant
Counts (`n`, `seed`, `replicate`, `point`, `days`, `policy_start_day`) are integers; `for_readers` and
`arrow_table` give every table its storage types (flags as booleans, whole counts as int64, `seed_text`) and
the parquet schema its units (sim/io/units.py). See docs/outcomes.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95  # confidence level of every interval
CI_METHOD = "paired t-interval"  # differences: seed by seed (common random numbers)
CI_METHOD_MEAN = "t-interval of the mean over replicates"
CI_METHOD_NONE = "none (one run)"
WINDOWS = ("before", "after")

STAT_COLUMNS = ("ci_low", "ci_high", "ci_level", "ci_method", "sd", "n")
ESTIMATE_COLUMNS = ("outcome", "window", "mean", *STAT_COLUMNS)
DIFFERENCE_COLUMNS = ("reference", "outcome", "window", "difference", *STAT_COLUMNS, "reference_mean", "mean",
                      "significant")
RUN_COLUMNS = ("run_id", "point", "replicate", "seed", "status", "reform")  # plus the keys after `point`
INTEGER_COLUMNS = ("n", "seed", "replicate", "point", "days", "policy_start_day")


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


def has_reform(fields: Any) -> bool:
    """Whether any lever is set away from its default (off) in a Scenario or a dict of fields: only then is
    there a reform from `policy_start_day` on (the `reform` column of the runs table)."""
    from sim.core.scenario import LEVERS, Scenario

    get = (lambda k: getattr(fields, k)) if isinstance(fields, Scenario) else fields.get
    return any(get(k) is not None and get(k) != Scenario.model_fields[k].default for k in LEVERS)


def integers(df: pd.DataFrame) -> pd.DataFrame:
    """The count columns of `df` as int64 (nullable Int64 where a value is missing)."""
    for c in INTEGER_COLUMNS:
        if c in df.columns and df[c].dtype.kind in "fO":
            vals = pd.to_numeric(df[c], errors="coerce")
            whole = vals.dropna()
            if len(whole) and not (whole == whole.round()).all():
                continue
            df[c] = vals.astype("int64") if not vals.isna().any() else vals.astype("Int64")
    return df


def outcome_names(summary_columns: Sequence[str]) -> list[str]:
    """The outcomes of a wide per-run table (`<outcome>_before` / `<outcome>_after` column pairs), in order."""
    cols = set(summary_columns)
    return [c.removesuffix("_before") for c in summary_columns
            if c.endswith("_before") and f"{c.removesuffix('_before')}_after" in cols]


def estimates(per_run: pd.DataFrame, keys: Sequence[str], outcomes: Sequence[str] | None = None,
              level: float = LEVEL) -> pd.DataFrame:
    """Mean of every outcome and window over the runs at each combination of `keys`, with its t-interval.
    `per_run` is one row per run with the key columns and `<outcome>_<window>` columns."""
    keys = list(keys)
    outcomes = outcome_names(list(per_run.columns)) if outcomes is None else list(outcomes)
    rows: list[dict[str, Any]] = []
    groups = per_run.groupby(keys, sort=False, dropna=False) if keys else [((), per_run)]
    for kv, g in groups:
        kv = kv if isinstance(kv, tuple) else (kv,)
        for o in outcomes:
            for w in WINDOWS:
                col = f"{o}_{w}"
                if col not in g.columns:
                    continue
                x = g[col].to_numpy(float)
                m, lo, hi, sd = t_interval(x, level)
                n = int(np.isfinite(x).sum())
                rows.append({**dict(zip(keys, kv, strict=True)), "outcome": o, "window": w, "mean": m,
                             "ci_low": lo, "ci_high": hi, "ci_level": level,
                             "ci_method": CI_METHOD_MEAN if n > 1 else CI_METHOD_NONE, "sd": sd, "n": n})
    return frame(rows, [*keys, *ESTIMATE_COLUMNS])


def point_label(values: dict[str, Any]) -> str:
    """A grid point as text, e.g. 'meeting_cut=0.3, duty_list=True' (the scenario name alone when that is all)."""
    return ", ".join(str(v) if k == "scenario" else f"{k}={v}" for k, v in values.items())


def differences(per_run: pd.DataFrame, keys: Sequence[str], outcomes: Sequence[str] | None = None,
                reference: dict[str, Any] | None = None, level: float = LEVEL) -> pd.DataFrame:
    """Every key combination minus the reference one (the first row's unless given), seed by seed (common random
    numbers), for every outcome and window: mean paired difference with its t-interval, and both means. The
    reference's own rows are left out; `reference` names it (`point_label`); `significant` when the interval
    excludes 0."""
    keys = list(keys)
    if not keys:
        return frame([], [*DIFFERENCE_COLUMNS])
    outcomes = outcome_names(list(per_run.columns)) if outcomes is None else list(outcomes)
    ref_values = dict(reference) if reference is not None else {k: per_run[keys].iloc[0][k] for k in keys}
    mask = np.ones(len(per_run), bool)
    for k, v in ref_values.items():
        mask &= (per_run[k] == v).to_numpy()
    if not mask.any():
        raise ValueError(f"reference {point_label(ref_values)!r} is not among the runs")
    base = per_run[mask].set_index("seed")
    ref_name = point_label(ref_values)
    rows: list[dict[str, Any]] = []
    for kv, g in per_run[~mask].groupby(keys, sort=False, dropna=False):
        kv = kv if isinstance(kv, tuple) else (kv,)
        other = g.set_index("seed")
        seeds = base.index.intersection(other.index)
        for o in outcomes:
            for w in WINDOWS:
                col = f"{o}_{w}"
                if col not in base.columns:
                    continue
                a, b = base.loc[seeds, col].to_numpy(float), other.loc[seeds, col].to_numpy(float)
                ok = np.isfinite(a) & np.isfinite(b)
                mean, lo, hi, sd = t_interval(b[ok] - a[ok], level)
                n = int(ok.sum())
                rows.append({
                    **dict(zip(keys, kv, strict=True)), "reference": ref_name, "outcome": o, "window": w,
                    "difference": mean, "ci_low": lo, "ci_high": hi, "ci_level": level,
                    "ci_method": CI_METHOD if n > 1 else CI_METHOD_NONE, "sd": sd, "n": n,
                    "reference_mean": float(a[ok].mean()) if ok.any() else math.nan,
                    "mean": float(b[ok].mean()) if ok.any() else math.nan,
                    "significant": bool(np.isfinite(lo) and (lo > 0 or hi < 0)),
                })
    return frame(rows, [*keys, *DIFFERENCE_COLUMNS])


def frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """Rows as a DataFrame with exactly `columns`, in order, counts as integers."""
    df = pd.DataFrame(rows, columns=list(columns))
    if "n" in df.columns:
        df["n"] = df["n"].astype("int64")
    for c in ("ci_level", "mean", "difference", "ci_low", "ci_high", "sd", "reference_mean"):
        if c in df.columns:
            df[c] = df[c].astype("float64")
    if "significant" in df.columns:
        df["significant"] = df["significant"].astype(bool)
    return integers(df)


def per_run(runs: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """The runs that finished (status ok) joined to their outcomes: one row per run, keys and outcomes."""
    ok = runs[runs["status"] == "ok"] if "status" in runs.columns else runs
    drop = [c for c in summary.columns if c in ok.columns and c != "run_id"]
    return ok.merge(summary.drop(columns=drop), on="run_id")


def _whole(values: pd.Series) -> bool:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return bool((v == v.round()).all())


def for_readers(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """`df` (one of the tables `table`: timeseries, runs, summary, estimates, differences) with the storage types
    every reader gets: daily flags as booleans, whole-number counts as int64 (nullable where a window is empty),
    the other counts as integers (`integers`), and in `runs` a `seed_text` column beside `seed`: the seed as
    decimal text, exact in any reader (seeds reach 2**63, past the 2**53 a double holds exactly). A count column
    that is not whole (a thinned time series: block means) keeps float64."""
    from sim.io.units import COUNT_OUTCOMES, COUNT_SERIES, FLAG_SERIES

    df = integers(df.copy())
    if table == "timeseries":
        for c in FLAG_SERIES:
            if c in df.columns and df[c].notna().all() and df[c].isin([0, 1]).all():
                df[c] = df[c].astype(bool)
        counts = [c for c in COUNT_SERIES if c in df.columns]
    elif table == "summary":
        counts = [f"{c}_{w}" for c in COUNT_OUTCOMES for w in WINDOWS if f"{c}_{w}" in df.columns]
    else:
        counts = []
    for c in counts:
        if df[c].dtype.kind == "f" and _whole(df[c]):
            df[c] = df[c].astype("int64") if df[c].notna().all() else df[c].astype("Int64")
    if table == "runs":
        if "reform" in df.columns:
            df["reform"] = df["reform"].astype(bool)
        if "seed" in df.columns and "seed_text" not in df.columns:
            df.insert(list(df.columns).index("seed") + 1, "seed_text", [str(int(v)) for v in df["seed"]])
    return df


def arrow_table(df: pd.DataFrame, table: str) -> Any:
    """`for_readers(df, table)` as an Arrow table whose fields carry their unit as metadata `unit`
    (sim/io/units.py); the long tables also carry `outcome_units` (outcome -> unit) in the schema metadata."""
    import json

    import pyarrow as pa

    from sim.io.units import OUTCOME_UNITS, unit

    tab = pa.Table.from_pandas(for_readers(df, table), preserve_index=False)
    fields = []
    for f in tab.schema:
        u = unit(f.name, table)
        fields.append(f.with_metadata({"unit": u}) if u else f)
    meta = dict(tab.schema.metadata or {})
    if table in ("estimates", "differences"):
        meta[b"outcome_units"] = json.dumps(OUTCOME_UNITS).encode()
    return pa.Table.from_arrays(tab.columns, schema=pa.schema(fields, metadata=meta))


def write(df: pd.DataFrame, stem: Any, csv: bool = True, table: str | None = None) -> None:
    """`df` as STEM.parquet (and STEM.csv): the same columns and types in both (`for_readers`), units in the
    parquet schema. `table` is the kind of table (default: the file name: runs, summary, estimates, ...)."""
    from pathlib import Path

    import pyarrow.parquet as pq

    stem = Path(stem)
    table = table or stem.name
    pq.write_table(arrow_table(df, table), stem.with_suffix(".parquet"))
    if csv:
        for_readers(df, table).to_csv(stem.with_suffix(".csv"), index=False)


def long_tables(runs: pd.DataFrame, summary: pd.DataFrame, keys: Sequence[str],
                reference: dict[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """The long tables of a folder of runs: `estimates` always, `differences` when there are two key values."""
    data = per_run(runs, summary)
    out = {"estimates": estimates(data, keys)}
    if keys and len(data) and len(data.drop_duplicates(list(keys))) > 1:
        out["differences"] = differences(data, keys, reference=reference)
    else:
        out["differences"] = frame([], [*keys, *DIFFERENCE_COLUMNS])
    return out
