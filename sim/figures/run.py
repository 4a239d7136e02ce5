"""Figures of one run: time use by kind (stacked), exhaustion and burnout, service resolved and backlog.
Pure plotting: a DataFrame in, matplotlib figures out (the caller saves them)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.core.record import FORMALISM_KINDS, TIME_KINDS  # noqa: E402
from sim.presentation.fonts import use_cjk  # noqa: E402
from sim.presentation.labels import label  # noqa: E402

PALETTE = {
    "meeting": "#d62728", "travel": "#ff9896", "app": "#9467bd", "document": "#c5b0d5", "inspection": "#e377c2",
    "form": "#f7b6d2", "trace": "#8c564b", "campaign": "#7f7f7f", "specialist": "#bcbd22",
    "service": "#2ca02c", "visit": "#98df8a", "patrol": "#17becf",
}


def _reform(ax, policy_start_day: int, days: int, lang: str) -> None:
    if 0 < policy_start_day < days:
        ax.axvline(policy_start_day, color="black", ls="--", lw=1)
        ax.text(policy_start_day, ax.get_ylim()[1], " " + label("reform_day", lang), va="top", fontsize=9)


def time_use(ts: pd.DataFrame, policy_start_day: int, lang: str = "en") -> plt.Figure:
    """Stacked area of hours per cadre per day by kind (7-day mean); formalism kinds at the bottom, hatched."""
    use_cjk()
    order = [*FORMALISM_KINDS, *(k for k in TIME_KINDS if k not in FORMALISM_KINDS)]
    per = ts[[f"hours_{k}" for k in order]].div(ts["cadres_at_work"].clip(lower=1), axis=0).rolling(7, min_periods=1).mean()
    fig, ax = plt.subplots(figsize=(10, 5))
    polys = ax.stackplot(ts["day"], per.T.values, labels=[label(k, lang) for k in order], colors=[PALETTE[k] for k in order])
    for k, poly in zip(order, polys, strict=True):
        if k in FORMALISM_KINDS:
            poly.set_hatch("//")
    ax.set_xlabel(label("day", lang))
    ax.set_ylabel(label("hours_per_cadre", lang))
    ax.set_title(label("time_use", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    _reform(ax, policy_start_day, len(ts), lang)
    fig.tight_layout()
    return fig


def burnout(ts: pd.DataFrame, policy_start_day: int, lang: str = "en") -> plt.Figure:
    use_cjk()
    fig, ax = plt.subplots(figsize=(10, 4))
    for col in ("exhaustion_mean", "exhaustion_township", "exhaustion_village", "burnout_share"):
        ax.plot(ts["day"], ts[col], label=label(col, lang), lw=2 if col in ("exhaustion_mean", "burnout_share") else 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(label("day", lang))
    ax.set_title(label("burnout", lang))
    ax.legend(fontsize=8)
    _reform(ax, policy_start_day, len(ts), lang)
    fig.tight_layout()
    return fig


def service(ts: pd.DataFrame, policy_start_day: int, lang: str = "en") -> plt.Figure:
    use_cjk()
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    a1.plot(ts["day"], ts["service_resolved"].rolling(7, min_periods=1).mean(), color="#2ca02c")
    a1.set_ylabel(label("service_resolved", lang))
    a2.plot(ts["day"], ts["service_backlog"], color="#d62728")
    a2.set_ylabel(label("service_backlog", lang))
    a2.set_xlabel(label("day", lang))
    a1.set_title(label("service", lang))
    for a in (a1, a2):
        _reform(a, policy_start_day, len(ts), lang)
    fig.tight_layout()
    return fig


FIGURES = {"time_use": time_use, "burnout": burnout, "service": service}
