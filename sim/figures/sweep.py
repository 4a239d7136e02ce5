"""Figures of a sweep: outcome curves against each swept field (mean and 95% band over replicates), time series
with envelopes and the reform day, and paired differences from the first grid point (paired by replicate seed).
Tables in, matplotlib figures out; `plot_sweep` saves them as PNG and SVG."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.core.record import HEADLINE  # noqa: E402
from sim.io.tables import t_interval  # noqa: E402
from sim.presentation.fonts import use_cjk  # noqa: E402
from sim.presentation.labels import label  # noqa: E402
from sim.presentation.texts import LEVER_TEXT  # noqa: E402

FIELD_LABELS = {  # swept fields: the levers by their classroom names (one table for the dashboard and the plots)
    "scenario": ("Scenario", "情景"), "displacement": ("Displaced work (share)", "转移负担比例"),
    **{name: (en, zh) for name, (en, zh, *_explanations) in LEVER_TEXT.items()},
}
TS_COLUMNS = ("service_backlog", "exhaustion_mean", "burnout_share", "formalism_share")
EXTRA_TEXT = {
    "mean_band": ("mean and 95% CI over replicates", "均值及95%置信区间（重复实验）"),
    "envelope": ("mean and 5-95% envelope over replicates", "均值及5%-95%区间（重复实验）"),
    "paired": ("paired difference from the first point, 95% CI", "与首个情景的配对差值（95%置信区间）"),
    "outcome_curves": ("Outcomes after the reform day", "改革后结果"),
    "time_series": ("Time series", "时间序列"),
}


def mean_ci(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and its 95% t interval (NaNs dropped; interval NaN for fewer than 2 values)."""
    return t_interval(values)[:3]


def text(key: str, lang: str) -> str:
    i = 1 if lang == "zh" else 0
    for table in (FIELD_LABELS, EXTRA_TEXT):
        if key in table:
            return table[key][i]
    return label(key, lang)


def load_sweep(folder: str | Path) -> dict[str, Any]:
    """The tables of a finished sweep folder (runs, summary, timeseries, manifest)."""
    folder = Path(folder)
    out: dict[str, Any] = {"manifest": json.loads((folder / "manifest.json").read_text(encoding="utf-8"))}
    for name in ("runs", "summary", "timeseries"):
        out[name] = pd.read_parquet(folder / f"{name}.parquet")
    return out


def _point_labels(runs: pd.DataFrame, swept: list[str]) -> dict[int, str]:
    pts = runs.drop_duplicates("point").sort_values("point")
    if not swept:
        return {int(p): str(s) for p, s in zip(pts["point"], pts["scenario"], strict=True)}
    return {int(r["point"]): ", ".join(f"{k}={r[k]}" if k != "scenario" else str(r[k]) for k in swept)
            for _, r in pts.iterrows()}


def paired_differences(runs: pd.DataFrame, summary: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """Per point and outcome: mean of (point - first point) over replicates paired by seed, with 95% CI."""
    ok = runs[runs["status"] == "ok"][["run_id", "point", "seed"]].merge(summary, on="run_id")
    first = int(runs["point"].min())
    ref = ok[ok["point"] == first].set_index("seed")
    rows = []
    for p, g in ok.groupby("point", sort=True):
        g = g.set_index("seed")
        common = g.index.intersection(ref.index)
        for o in outcomes:
            d = (g.loc[common, o] - ref.loc[common, o]).to_numpy(float)
            m, lo, hi = mean_ci(d)
            rows.append({"point": int(p), "outcome": o, "mean": m, "lo": lo, "hi": hi, "n": int(np.isfinite(d).sum())})
    return pd.DataFrame(rows)


def _grid(n: int) -> tuple[int, int]:
    cols = min(4, n)
    return math.ceil(n / cols), cols


def curves(runs: pd.DataFrame, summary: pd.DataFrame, field: str, swept: list[str], lang: str = "en",
           outcomes: tuple[str, ...] = HEADLINE) -> plt.Figure:
    """Each outcome (after the reform day) against `field`; one line per value of a second swept field when there
    is exactly one, else averaged over the other fields within each replicate."""
    use_cjk()  # CJK glyphs appear in English labels too (信访)
    ok = runs[runs["status"] == "ok"].merge(summary, on="run_id")
    values = list(dict.fromkeys(runs.sort_values("point")[field]))
    others = [f for f in swept if f != field]
    series = [f for f in others if len(others) == 1 and runs[f].nunique() <= 6]
    nr, nc = _grid(len(outcomes))
    fig, axes = plt.subplots(nr, nc, figsize=(4 * nc, 3 * nr), squeeze=False)
    x = np.arange(len(values))
    groups = [(None, ok)] if not series else [(v, ok[ok[series[0]] == v]) for v in dict.fromkeys(runs.sort_values("point")[series[0]])]
    for ax, o in zip(axes.flat, outcomes, strict=False):
        col = f"{o}_after"
        for gv, g in groups:
            per_rep = g.groupby([field, "replicate"], sort=False)[col].mean().reset_index()
            stats = [mean_ci(per_rep.loc[per_rep[field] == v, col].to_numpy()) for v in values]
            m, lo, hi = (np.array(s) for s in zip(*stats, strict=True))
            name = None if gv is None else f"{text(series[0], lang)} = {gv}"
            (line,) = ax.plot(x, m, marker="o", ms=3, label=name)
            ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
        ax.set_title(label(o, lang), fontsize=9)
        ax.set_xticks(x, [str(v) for v in values], fontsize=7, rotation=30 if field == "scenario" else 0,
                      ha="right" if field == "scenario" else "center")
        ax.set_xlabel(text(field, lang), fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    if series:
        axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"{text('outcome_curves', lang)}: {text('mean_band', lang)}", fontsize=11)
    fig.tight_layout()
    return fig


def time_series(runs: pd.DataFrame, ts: pd.DataFrame, policy_start_day: float, labels: dict[int, str],
                lang: str = "en", columns: tuple[str, ...] = TS_COLUMNS, max_points: int = 6) -> plt.Figure:
    """Mean and 5-95% envelope over replicates of a few daily columns, one line per grid point (at most
    `max_points`, evenly chosen, first and last included), the reform day marked."""
    use_cjk()  # CJK glyphs appear in English labels too (信访)
    cols = [c for c in columns if c in ts.columns] or [c for c in ts.columns if c not in ("run_id", "day")][:4]
    points = sorted(labels)
    if len(points) > max_points:
        points = [points[i] for i in np.unique(np.linspace(0, len(points) - 1, max_points).round().astype(int))]
    data = ts.merge(runs[["run_id", "point"]], on="run_id")
    nr, nc = _grid(len(cols))
    nc = min(nc, 2)
    nr = math.ceil(len(cols) / nc)
    fig, axes = plt.subplots(nr, nc, figsize=(6 * nc, 3.2 * nr), squeeze=False, sharex=True)
    for ax, c in zip(axes.flat, cols, strict=False):
        for p in points:
            g = data[data["point"] == p].groupby("day")[c]
            m, lo, hi = g.mean(), g.quantile(0.05), g.quantile(0.95)
            (line,) = ax.plot(m.index, m.to_numpy(), lw=1.3, label=labels[p])
            ax.fill_between(m.index, lo.to_numpy(), hi.to_numpy(), color=line.get_color(), alpha=0.15, lw=0)
        if 0 < policy_start_day < data["day"].max():
            ax.axvline(policy_start_day, color="black", ls="--", lw=1)
            ax.text(policy_start_day, ax.get_ylim()[1], " " + label("reform_day", lang), va="top", fontsize=8)
        ax.set_title(label(c, lang), fontsize=9)
        ax.set_xlabel(label("day", lang), fontsize=8)
    for ax in list(axes.flat)[len(cols):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"{text('time_series', lang)}: {text('envelope', lang)}", fontsize=11)
    fig.tight_layout()
    return fig


def differences(diffs: pd.DataFrame, labels: dict[int, str], lang: str = "en") -> plt.Figure:
    """Paired differences from the first point with 95% CIs, one panel per outcome."""
    use_cjk()  # CJK glyphs appear in English labels too (信访)
    outcomes = list(dict.fromkeys(diffs["outcome"]))
    points = sorted(labels)
    nr, nc = _grid(len(outcomes))
    fig, axes = plt.subplots(nr, nc, figsize=(4.2 * nc, 0.35 * len(points) * nr + 1.2 * nr), squeeze=False)
    y = np.arange(len(points))[::-1]
    for ax, o in zip(axes.flat, outcomes, strict=False):
        d = diffs[diffs["outcome"] == o].set_index("point").reindex(points)
        m = d["mean"].to_numpy(float)
        err = np.vstack([m - d["lo"].to_numpy(float), d["hi"].to_numpy(float) - m])
        ax.errorbar(m, y, xerr=np.nan_to_num(err), fmt="o", ms=3, capsize=2, color="#1f77b4")
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(y, [labels[p] for p in points], fontsize=6)
        ax.set_title(label(o.removesuffix("_after"), lang), fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    fig.suptitle(f"{text('paired', lang)} ({labels[points[0]]})", fontsize=10)
    fig.tight_layout()
    return fig


def plot_sweep(folder: str | Path, out: str | Path | None = None, lang: str = "en",
               formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Draw every figure of a sweep folder into `out` (default: FOLDER/figures); returns the files written."""
    data = load_sweep(folder)
    runs, summary, ts, manifest = data["runs"], data["summary"], data["timeseries"], data["manifest"]
    out = Path(out) if out is not None else Path(folder) / "figures"
    out.mkdir(parents=True, exist_ok=True)
    swept = [f for f in manifest.get("swept", []) if f in runs.columns]
    labels = _point_labels(runs, swept)
    policy = float(summary["policy_start_day"].iloc[0]) if len(summary) else math.nan
    figs: dict[str, plt.Figure] = {}
    for f in swept:
        figs[f"curves_{f}"] = curves(runs, summary, f, swept, lang)
    if len(ts):
        figs["timeseries"] = time_series(runs, ts, policy, labels, lang)
    if len(labels) > 1 and len(summary):
        diffs = paired_differences(runs, summary, [f"{o}_after" for o in HEADLINE])
        diffs.to_csv(out / "paired_differences.csv", index=False)
        figs["differences"] = differences(diffs, labels, lang)
    written = []
    for name, fig in figs.items():
        for ext in formats:
            p = out / f"{name}.{ext}"
            fig.savefig(p, dpi=120)
            written.append(p)
        plt.close(fig)
    return written
