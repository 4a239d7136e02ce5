"""Figures of one run: time use by kind (stacked), exhaustion and burnout, service resolved and backlog.
Pure plotting: a DataFrame in, matplotlib figures out (`figures` gives them all; the caller saves them).
The reform day is marked only when the run has a reform (a lever set)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from sim.core.record import FORMALISM_KINDS, TIME_KINDS
from sim.figures.style import KIND_COLOURS, OKABE_ITO, mark_reform, setup, zero_based
from sim.presentation.labels import label, name

PALETTE = KIND_COLOURS


def _reform(ax: plt.Axes, policy_start_day: int, days: int, reform: bool, lang: str) -> None:
    if reform and 0 < policy_start_day < days:
        mark_reform(ax, policy_start_day, lang)


def time_use(ts: pd.DataFrame, policy_start_day: int, lang: str = "en", reform: bool = True) -> plt.Figure:
    """Stacked area of hours per cadre per day by kind (7-day mean); formalism kinds at the bottom, hatched."""
    setup()
    order = [*FORMALISM_KINDS, *(k for k in TIME_KINDS if k not in FORMALISM_KINDS)]
    per = ts[[f"hours_{k}" for k in order]].div(ts["cadres_at_work"].clip(lower=1), axis=0).rolling(7, min_periods=1).mean()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    polys = ax.stackplot(ts["day"], per.T.values, labels=[name(k, lang) for k in order],
                         colors=[KIND_COLOURS[k] for k in order], edgecolor="white", lw=0.3)
    for k, poly in zip(order, polys, strict=True):
        if k in FORMALISM_KINDS:
            poly.set_hatch("//")
    ax.set_xlabel(label("day", lang))
    ax.set_ylabel(label("hours_per_cadre", lang))
    ax.set_title(name("time_use", lang) + ("（斜线：形式主义）" if lang == "zh" else " (hatched: formalism)"))
    ax.set_xlim(ts["day"].min(), ts["day"].max())
    zero_based(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), reverse=True)
    _reform(ax, policy_start_day, len(ts), reform, lang)
    fig.tight_layout()
    return fig


def burnout(ts: pd.DataFrame, policy_start_day: int, lang: str = "en", reform: bool = True) -> plt.Figure:
    """Mean exhaustion (all, township, village) and the share burned out, on one 0-1 axis."""
    setup()
    fig, ax = plt.subplots(figsize=(9, 4))
    styles = {"exhaustion_mean": (OKABE_ITO[0], "-", 2), "exhaustion_township": (OKABE_ITO[4], "--", 1.2),
              "exhaustion_village": (OKABE_ITO[2], ":", 1.5), "burnout_share": (OKABE_ITO[5], "-", 2)}
    for col, (colour, ls, lw) in styles.items():
        ax.plot(ts["day"], ts[col], label=label(col, lang), color=colour, ls=ls, lw=lw)
    ax.set_ylim(0, 1)
    ax.set_xlabel(label("day", lang))
    ax.set_ylabel(label("exhaustion_share", lang))
    ax.set_title(name("burnout", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    _reform(ax, policy_start_day, len(ts), reform, lang)
    fig.tight_layout()
    return fig


def service(ts: pd.DataFrame, policy_start_day: int, lang: str = "en", reform: bool = True) -> plt.Figure:
    """Requests resolved a day (7-day mean) and requests waiting, county-wide."""
    setup()
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
    a1.plot(ts["day"], ts["service_resolved"].rolling(7, min_periods=1).mean(), color=OKABE_ITO[2])
    a1.set_ylabel(label("service_resolved", lang) + ("\n7日均值" if lang == "zh" else "\n7-day mean"))
    a2.plot(ts["day"], ts["service_backlog"], color=OKABE_ITO[5])
    a2.set_ylabel(label("service_backlog", lang))
    a2.set_xlabel(label("day", lang))
    a1.set_title(name("service", lang))
    for a in (a1, a2):
        zero_based(a)
        _reform(a, policy_start_day, len(ts), reform, lang)
    fig.tight_layout()
    return fig


FIGURES = {"time_use": time_use, "burnout": burnout, "service": service}


def figures(ts: pd.DataFrame, policy_start_day: int, reform: bool, lang: str = "en") -> dict[str, plt.Figure]:
    """Every figure of one run, by file name."""
    return {n: fn(ts, policy_start_day, lang, reform) for n, fn in FIGURES.items()}
