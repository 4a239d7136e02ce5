"""Figures of a sweep folder, to the house style (docs/figures.md): outcome curves against each swept field (mean
and 95% t-interval band over replicates), time series (mean and 95% band, at most six grid points a figure, the
rest in further files: nothing dropped) and paired differences from the first grid point.
Tables in, matplotlib figures out; `plot_sweep` saves them as SVG and 300-dpi PNG."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from sim.core.record import HEADLINE
from sim.figures.compare import figure as difference_figure
from sim.figures.style import (
    CI_TEXT,
    OKABE_ITO,
    field_label,
    field_name,
    mark_reform,
    point_text,
    save_all,
    setup,
    tr,
    value_text,
    wrap,
    zero_based,
)
from sim.io import tables
from sim.io.tables import t_interval
from sim.presentation.labels import label

TS_COLUMNS = ("service_backlog", "exhaustion_mean", "burnout_share", "formalism_share")
LINES_PER_FIGURE = 6  # more grid points go to further files (timeseries_2of3, ...), never dropped
STYLES = ("-", "--", ":", "-.")


def mean_ci(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and its 95% t interval (NaNs dropped; interval NaN for fewer than 2 values)."""
    return t_interval(values)[:3]


def load_sweep(folder: str | Path) -> dict[str, Any]:
    """The tables of a finished sweep (or compare / run) folder: runs, summary, timeseries (if any), manifest,
    and the long tables estimates and differences (rebuilt from the runs when the folder predates them)."""
    folder = Path(folder)
    out: dict[str, Any] = {"manifest": json.loads((folder / "manifest.json").read_text(encoding="utf-8"))}
    for n in ("runs", "summary", "timeseries"):
        p = folder / f"{n}.parquet"
        out[n] = pd.read_parquet(p) if p.is_file() else pd.DataFrame()
    keys = keys_of(out["manifest"], out["runs"])
    out["keys"] = keys
    if (folder / "estimates.parquet").is_file() and (folder / "differences.parquet").is_file():
        out["estimates"] = pd.read_parquet(folder / "estimates.parquet")
        out["differences"] = pd.read_parquet(folder / "differences.parquet")
    else:
        out.update(tables.long_tables(out["runs"], out["summary"], keys))
    return out


def keys_of(manifest: dict[str, Any], runs: pd.DataFrame) -> list[str]:
    keys = manifest.get("keys") or manifest.get("swept") or ["scenario"]
    return [k for k in keys if k in runs.columns] or ["scenario"]


def _numeric(values: list[Any]) -> bool:
    return all(isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)
               for v in values)


def curves(est: pd.DataFrame, field: str, keys: list[str], lang: str = "en",
           outcomes: tuple[str, ...] = HEADLINE, series_values: list[Any] | None = None,
           averaged_over: list[str] | None = None) -> plt.Figure:
    """Each outcome (after the reform day) against `field`, mean and 95% t-interval band over replicates. With one
    other key in `est`, one line per value of it (`series_values`, default all). `averaged_over` names swept
    fields `est` was averaged over (within each replicate) beforehand; the title says so."""
    setup()
    after = est[est["window"] == "after"]
    values = list(dict.fromkeys(after[field]))
    numeric = _numeric(values)
    others = [k for k in keys if k != field]
    series = others[0] if len(others) == 1 else None
    averaged_over = averaged_over or []
    if series is not None:
        groups = [(v, after[after[series] == v]) for v in (series_values or list(dict.fromkeys(after[series])))]
    else:
        groups = [(None, after)]
    outcomes = tuple(o for o in outcomes if o in set(after["outcome"]))
    nc = 3
    nr = math.ceil(len(outcomes) / nc)
    fig, axes = plt.subplots(nr, nc, figsize=(10, 2.6 * nr + 1.2), squeeze=False)
    xs = np.asarray(values, float) if numeric else np.arange(len(values))
    for ax, o in zip(axes.flat, outcomes, strict=False):
        for j, (gv, g) in enumerate(groups):
            part = g[g["outcome"] == o].set_index(field).reindex(values)
            colour = OKABE_ITO[j % len(OKABE_ITO)]
            ax.plot(xs, part["mean"].to_numpy(float), marker="o", ms=3, color=colour, ls=STYLES[j % len(STYLES)],
                    label=None if gv is None else f"{field_name(series, lang)} = {value_text(series, gv, lang)}")
            ax.fill_between(xs, part["ci_low"].to_numpy(float), part["ci_high"].to_numpy(float), color=colour,
                            alpha=0.2, lw=0)
        ax.set_ylabel(wrap(label(o, lang), 30, lang))
        if numeric:
            ax.set_xlabel(field_label(field, lang))
        else:
            ax.set_xticks(xs, [wrap(value_text(field, v, lang), 14, lang) for v in values])
            ax.set_xlabel(field_name(field, lang))
        zero_based(ax, share=tables_is_share(o))
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    n = int(after["n"].max()) if len(after) else 0
    title = tr(("Outcomes after the reform day", "改革实施后的结果"), lang) + ("：" if lang == "zh" else ": ")
    title += tr(CI_TEXT["mean_ci"], lang, n=n)
    if averaged_over:
        title += "\n" + tr(("mean over {f} within each replicate", "每次重复内对{f}取平均"), lang,
                           f=("、" if lang == "zh" else ", ").join(field_name(k, lang) for k in averaged_over))
    if series is not None:
        axes.flat[0].legend(loc="best")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def tables_is_share(outcome: str) -> bool:
    from sim.presentation.labels import SHARES

    return outcome in SHARES


def _band(g: pd.core.groupby.SeriesGroupBy) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Daily mean and 95% t-interval of the mean over replicates."""
    m, sd, n = g.mean(), g.std(ddof=1), g.count()
    half = pd.Series(stats.t.ppf(0.975, np.maximum(n - 1, 1)), index=n.index) * sd / np.sqrt(n)
    half[n < 2] = np.nan
    return m, m - half, m + half


def time_series(runs: pd.DataFrame, ts: pd.DataFrame, policy_start_day: float, labels: dict[int, str],
                lang: str = "en", columns: tuple[str, ...] = TS_COLUMNS, points: list[int] | None = None,
                part: tuple[int, int] = (1, 1)) -> plt.Figure:
    """Mean and 95% t-interval band over replicates of a few daily columns, one line per grid point in
    `points` (all by default), the reform day marked when a point has a reform."""
    setup()
    cols = [c for c in columns if c in ts.columns]
    points = sorted(labels) if points is None else points
    data = ts.merge(runs[["run_id", "point"]], on="run_id")
    reform = bool(runs.loc[runs["point"].isin(points), "reform"].any()) if "reform" in runs.columns else True
    nc = 2
    nr = math.ceil(len(cols) / nc)
    fig, axes = plt.subplots(nr, nc, figsize=(10, 3.2 * nr + 1.4), squeeze=False, sharex=True)
    for ax, c in zip(axes.flat, cols, strict=False):
        for j, p in enumerate(points):
            m, lo, hi = _band(data[data["point"] == p].groupby("day")[c])
            colour = OKABE_ITO[j % len(OKABE_ITO)]
            ax.plot(m.index, m.to_numpy(), lw=1.3, color=colour, ls=STYLES[j % len(STYLES)], label=labels[p])
            ax.fill_between(m.index, lo.to_numpy(), hi.to_numpy(), color=colour, alpha=0.12, lw=0)
        ax.set_ylabel(wrap(label(c, lang), 30, lang))
        ax.set_xlabel(label("day", lang))
        zero_based(ax, share=tables_is_share(c))
        if reform and 0 < policy_start_day < data["day"].max():
            mark_reform(ax, policy_start_day, lang)
    for ax in list(axes.flat)[len(cols):]:
        ax.set_visible(False)
    n = int(runs["replicate"].nunique()) if "replicate" in runs.columns else 0
    title = tr(("Time series", "时间序列"), lang) + ("：" if lang == "zh" else ": ") + tr(CI_TEXT["mean_ci"], lang, n=n)
    if part[1] > 1:
        title += tr((" (grid points, part {i} of {k})", "（情景第{i}部分，共{k}部分）"), lang, i=part[0], k=part[1])
    fig.suptitle(title)
    fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="lower center", ncol=min(3, len(points)),
               bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.025 * math.ceil(len(points) / 3) + 0.01, 1, 1))
    return fig


def figures(folder: str | Path, lang: str = "en") -> tuple[dict[str, plt.Figure], dict[str, Any]]:
    """Every figure of a sweep folder by file name, and the loaded tables."""
    data = load_sweep(folder)
    runs, summary, ts, keys = data["runs"], data["summary"], data["timeseries"], data["keys"]
    est, diffs = data["estimates"], data["differences"]
    points = runs.drop_duplicates("point").sort_values("point")
    labels = {int(r["point"]): point_text({k: r[k] for k in keys}, lang) for _, r in points.iterrows()}
    policy = float(summary["policy_start_day"].iloc[0]) if len(summary) else math.nan
    figs: dict[str, plt.Figure] = {}
    per = tables.per_run(runs, summary)
    for f in keys:
        others = [k for k in keys if k != f]
        if len(others) > 1:  # average over the other fields within each replicate, then the interval
            cols = [c for c in per.columns if c.endswith(("_before", "_after"))]
            avg = per.groupby([f, "seed"], sort=False)[cols].mean().reset_index()
            figs[f"curves_{f}"] = curves(tables.estimates(avg, [f], HEADLINE), f, [f], lang, averaged_over=others)
            continue
        series = list(dict.fromkeys(est[others[0]])) if others else [None]
        chunks = [series[i:i + len(OKABE_ITO)] for i in range(0, len(series), len(OKABE_ITO))]
        for i, chunk in enumerate(chunks, 1):
            suffix = "" if len(chunks) == 1 else f"_{i}of{len(chunks)}"
            figs[f"curves_{f}{suffix}"] = curves(est, f, keys, lang, series_values=None if chunk == [None] else chunk)
    if len(ts):
        order = sorted(labels)
        chunks = [order[i:i + LINES_PER_FIGURE] for i in range(0, len(order), LINES_PER_FIGURE)]
        for i, chunk in enumerate(chunks, 1):
            suffix = "" if len(chunks) == 1 else f"_{i}of{len(chunks)}"
            figs[f"timeseries{suffix}"] = time_series(runs, ts, policy, labels, lang, points=chunk,
                                                      part=(i, len(chunks)))
    if len(diffs):
        d = diffs.copy()
        d["point_label"] = [point_text({k: r[k] for k in keys}, lang) for _, r in d.iterrows()]
        ref = labels[min(labels)]
        by_label = ", ".join(field_name(k, lang) for k in keys)
        figs["differences"] = difference_figure(d, HEADLINE, lang, by="point_label", reference=ref,
                                                axis_label=by_label)
    return figs, data


def plot_sweep(folder: str | Path, out: str | Path | None = None, lang: str = "en",
               formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Draw every figure of a sweep folder into `out` (default: FOLDER/figures); returns the files written."""
    figs, _ = figures(folder, lang)
    out = Path(out) if out is not None else Path(folder) / "figures"
    return save_all(figs, out, formats)


