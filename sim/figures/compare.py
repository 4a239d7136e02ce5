"""The compare figure: each scenario's difference from the reference after the reform day, with its paired 95%
interval as a bar, one panel per outcome. Before the reform day the difference is drawn only when it is not 0
everywhere (same seeds and rules give identical runs); the figure says which it is."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.core.record import HEADLINE
from sim.figures.style import CI_TEXT, OKABE_ITO, scenario_name, setup, tr, wrap
from sim.presentation.labels import name, unit, with_unit

FIGURE_OUTCOMES = HEADLINE + ("hours_document_cadre_day", "hours_meeting_cadre_day", "hours_inspection_cadre_day",
                              "hours_form_cadre_day")
NCOL = 4


def outcome_label(outcome: str, lang: str = "en") -> str:
    """An outcome's name with its unit."""
    return with_unit(name(outcome, lang), unit(outcome, lang), lang)


def figure(diffs: pd.DataFrame, outcomes: Sequence[str] = FIGURE_OUTCOMES, lang: str = "en",
           descriptions: dict[str, str] | None = None, by: str = "scenario", reference: str | None = None,
           axis_label: str | None = None) -> plt.Figure:
    """One panel per outcome: each scenario (or grid point: the column `by`, shown as is) minus the reference,
    after the reform day, with its paired 95% t-interval (bars); the before-window difference too (hollow) when
    it is not 0 everywhere."""
    setup()
    descriptions = descriptions or {}
    outcomes = [o for o in outcomes if o in set(diffs["outcome"])]
    names = list(dict.fromkeys(diffs[by]))
    shown = [scenario_name(n, lang, descriptions.get(n)) if by == "scenario" else str(n) for n in names]
    before = diffs[diffs["window"] == "before"]
    draw_before = bool(len(before)) and bool((before["difference"].abs().fillna(0) > 1e-12).any())
    nrow = max(1, math.ceil(len(outcomes) / NCOL))
    fig, axes = plt.subplots(nrow, NCOL, figsize=(11, 0.32 * len(names) * nrow + 1.5 * nrow + 1.0),
                             squeeze=False, sharey=True)
    y = np.arange(len(names))
    windows = [("after", 0.0, dict(color=OKABE_ITO[5]))]
    if draw_before:
        windows = [("after", -0.15, dict(color=OKABE_ITO[5])), ("before", 0.15, dict(mfc="white", color=OKABE_ITO[0]))]
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        part = diffs[diffs["outcome"] == outcome]
        for w, dy, style in windows:
            p = part[part["window"] == w].set_index(by).reindex(names)
            d = p["difference"].to_numpy(float)
            err = np.vstack([d - p["ci_low"].to_numpy(float), p["ci_high"].to_numpy(float) - d])
            ax.errorbar(d, y + dy, xerr=np.nan_to_num(err), fmt="o", ms=4, capsize=2, lw=1.2,
                        label=tr(("After the reform day", "改革实施后"), lang) if w == "after" else
                        tr(("Before the reform day", "改革实施前"), lang), **style)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(wrap(name(outcome, lang), 28, lang))
        ax.set_xlabel(with_unit(tr(("Difference", "差值"), lang), unit(outcome, lang), lang))
        ax.grid(axis="x", color="0.9")
    axes[0, 0].set_yticks(y, [wrap(s, 24, lang) for s in shown])
    axes[0, 0].invert_yaxis()
    for row in axes:
        row[0].set_ylabel(axis_label or tr(("Scenario", "情景"), lang))
    for ax in list(axes.flat)[len(outcomes):]:
        ax.axis("off")
    ref = diffs["reference"].iloc[0] if len(diffs) else ""
    n = int(diffs["n"].max()) if len(diffs) else 0
    ref = reference if reference is not None else scenario_name(ref, lang, descriptions.get(ref))
    title = f"{tr(('Difference from', '相对于'), lang)} {ref}"
    title += "：" if lang == "zh" else ": "
    title += tr(CI_TEXT["paired_ci"], lang, n=n)
    if not draw_before:
        title += "\n" + tr(("Before the reform day every difference is 0 (same seeds, same rules): not drawn.",
                            "改革实施前各项差值均为0（同一种子、同一规则），不再绘出。"), lang)
    fig.suptitle(title)
    if draw_before:
        axes.flat[0].legend(loc="best")
    fig.tight_layout()
    return fig


def figures(diffs: pd.DataFrame, lang: str = "en", descriptions: dict[str, str] | None = None) -> dict[str, plt.Figure]:
    """Every figure of a compare folder, by file name."""
    return {"compare": figure(diffs, lang=lang, descriptions=descriptions)}
