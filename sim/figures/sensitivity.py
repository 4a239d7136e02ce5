"""Figures of the exploration tables, drawn only from the tables (indices.csv, shapley.csv, posterior and
target tables): Morris mu*-sigma plane, Sobol bars, Shapley waterfall, prior vs posterior, targets."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


def morris_plane(indices: pd.DataFrame, outcome: str, label: int = 12) -> Figure:
    """Morris screening of one outcome: mu* (mean |elementary effect|, with its 95% bootstrap half-width)
    against sigma (their spread: interaction or non-linearity); the `label` strongest fields are named."""
    part = indices[(indices["outcome"] == outcome) & (indices["method"] == "morris")]
    wide = part.pivot_table(index="parameter", columns="index", values="value")
    conf = part[part["index"] == "mu_star"].set_index("parameter")["conf"].reindex(wide.index)
    wide = wide.sort_values("mu_star", ascending=False)
    fig, ax = plt.subplots(figsize=(7.5, 5.5), layout="constrained")
    ax.errorbar(wide["mu_star"], wide["sigma"], xerr=conf.reindex(wide.index).fillna(0).to_numpy(), fmt="o",
                ms=4, color="#1f77b4", ecolor="#9ecae1", elinewidth=1, capsize=0)
    top = float(max(wide["mu_star"].max(), wide["sigma"].max(), 0) or 1.0)
    ax.plot([0, top], [0, top], ls=":", color="grey", lw=0.8, label="sigma = mu*")
    for name, row in wide.head(label).iterrows():
        ax.annotate(str(name), (row["mu_star"], row["sigma"]), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("mu* (mean |elementary effect|, 95% bootstrap interval)")
    ax.set_ylabel("sigma (spread of elementary effects)")
    ax.set_title(f"Morris screening: {outcome}")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return fig


def sobol_bars(indices: pd.DataFrame, outcome: str) -> Figure:
    """Sobol first-order (S1) and total (ST) indices of one outcome with their 95% bootstrap half-widths."""
    part = indices[(indices["outcome"] == outcome) & (indices["index"].isin(["S1", "ST"]))]
    val = part.pivot_table(index="parameter", columns="index", values="value").sort_values("ST")
    conf = part.pivot_table(index="parameter", columns="index", values="conf").reindex(val.index)
    y = np.arange(len(val))
    fig, ax = plt.subplots(figsize=(7, 1.2 + 0.35 * len(val)), layout="constrained")
    ax.barh(y + 0.2, val["ST"], 0.4, xerr=conf["ST"].fillna(0), color="#ff7f0e", label="ST (total)", capsize=2)
    ax.barh(y - 0.2, val["S1"], 0.4, xerr=conf["S1"].fillna(0), color="#1f77b4", label="S1 (first order)", capsize=2)
    ax.set_yticks(y, val.index, fontsize=8)
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel("share of the outcome's variance (95% bootstrap interval)")
    ax.set_title(f"Sobol indices: {outcome}")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    return fig


def waterfall(shapley: pd.DataFrame, outcome: str) -> Figure:
    """Shapley attribution of a package's effect on one outcome: each lever's share (95% interval over
    replicates) stacked from 0 to the package's total effect."""
    part = shapley[shapley["outcome"] == outcome]
    total = part[part["lever"] == "total"].iloc[0]
    levers = part[part["lever"] != "total"].reindex(
        part[part["lever"] != "total"]["value"].abs().sort_values(ascending=False).index)
    fig, ax = plt.subplots(figsize=(7.5, 1.6 + 0.4 * (len(levers) + 1)), layout="constrained")
    start = 0.0
    for i, (_, r) in enumerate(levers.iterrows()):
        color = "#2ca02c" if r["value"] >= 0 else "#d62728"
        ax.barh(i, r["value"], left=start, color=color, height=0.6)
        mid = start + r["value"]
        if np.isfinite(r["ci_low"]):
            ax.plot([start + r["ci_low"], start + r["ci_high"]], [i, i], color="black", lw=1)
        start = mid
    n = len(levers)
    ax.barh(n, total["value"], color="#555555", height=0.6)
    if np.isfinite(total["ci_low"]):
        ax.plot([total["ci_low"], total["ci_high"]], [n, n], color="black", lw=1)
    ax.set_yticks(range(n + 1), [*levers["lever"], "total (package)"], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel(f"effect on {outcome} vs. all levers off (95% interval over replicates)", fontsize=8)
    ax.set_title(f"Shapley attribution: {outcome}")
    return fig


def prior_posterior(posterior: pd.DataFrame, priors: dict[str, tuple[float, float]],
                    truth: dict[str, float] | None = None) -> Figure:
    """Per calibrated field: the uniform prior and the weighted posterior histogram of the last generation."""
    names = list(priors)
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), layout="constrained", squeeze=False)
    w = posterior["weight"].to_numpy(float)
    for ax, name in zip(axes.flat, names, strict=False):
        lo, hi = priors[name]
        bins = np.linspace(lo, hi, 21)
        ax.hist(posterior[name], bins=bins, weights=w, density=True, color="#1f77b4", alpha=0.7, label="posterior")
        ax.plot([lo, lo, hi, hi], [0, 1 / (hi - lo), 1 / (hi - lo), 0], color="grey", ls="--", label="prior")
        if truth and name in truth:
            ax.axvline(truth[name], color="#d62728", label="true")
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=7, frameon=False)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.suptitle("Calibration: prior (dashed) and posterior")
    return fig


def targets_check(checks: pd.DataFrame) -> Figure:
    """Every target's range (grey bar) against the model's values over the posterior ensemble (median and
    5-95% interval), each in units of its range (0 = low, 1 = high)."""
    n = len(checks)
    fig, ax = plt.subplots(figsize=(7.5, 1.4 + 0.45 * n), layout="constrained")
    width = (checks["high"] - checks["low"]).replace(0, 1.0)
    for i, (_, r) in enumerate(checks.iterrows()):
        w = width.iloc[i]
        ax.barh(i, 1.0, left=0.0, color="#dddddd", height=0.6)
        for col, style in (("prior", dict(color="grey", marker="|")), ("posterior", dict(color="#1f77b4", marker="o"))):
            if f"{col}_median" in r and np.isfinite(r[f"{col}_median"]):
                lo, mid, hi = ((r[f"{col}_{q}"] - r["low"]) / w for q in ("q05", "median", "q95"))
                off = 0.15 if col == "prior" else -0.15
                ax.plot([lo, hi], [i + off, i + off], color=style["color"], lw=1.5)
                ax.plot([mid], [i + off], ls="", label=col if i == 0 else None, **style)
    ax.set_yticks(range(n), checks["name"], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("model value in units of the target range (grey: the observed range, 0 = low, 1 = high)")
    ax.set_title("Targets: prior and posterior model values (median, 5-95%)")
    ax.legend(fontsize=8, frameon=False)
    return fig


def save(fig: Figure, path_stem: str, formats: Sequence[str] = ("png",)) -> None:
    for fmt in formats:
        fig.savefig(f"{path_stem}.{fmt}", dpi=110)
    plt.close(fig)


def ensemble_effects_figure(effects: pd.DataFrame, outcomes: Sequence[str]) -> Figure:
    """Each reform's effect per outcome over a calibrated ensemble: mean and 90% interval over members x
    replicates, with the share of members in which it improves the outcome."""
    outcomes = [o for o in outcomes if o in set(effects["outcome"])]
    names = list(dict.fromkeys(effects["scenario"]))
    cols = 3
    rows = math.ceil(len(outcomes) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 0.6 + (0.35 * len(names) + 0.9) * rows),
                             layout="constrained", squeeze=False)
    for ax, o in zip(axes.flat, outcomes, strict=False):
        part = effects[effects["outcome"] == o].set_index("scenario").reindex(names)
        y = np.arange(len(names))
        ax.errorbar(part["mean"], y, xerr=[part["mean"] - part["low"], part["high"] - part["mean"]], fmt="o",
                    ms=4, capsize=2, color="#1f77b4")
        for yi, (_, r) in zip(y, part.iterrows(), strict=True):
            if np.isfinite(r["share_improves"]):
                ax.annotate(f"{r['share_improves']:.0%}", (r["high"], yi), fontsize=7, xytext=(3, -3),
                            textcoords="offset points")
        ax.axvline(0, color="black", lw=0.6)
        ax.set_yticks(y, names if ax in axes[:, 0] else [], fontsize=7)
        ax.invert_yaxis()
        ax.set_title(o, fontsize=8)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    fig.suptitle(f"Effect against {effects['reference'].iloc[0]} over the ensemble: mean, 90% interval "
                 "(members x replicates); % = share of members improved", fontsize=9)
    return fig
