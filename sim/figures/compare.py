"""The compare figure: each scenario's difference from the reference, with its interval, one panel per outcome."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.core.record import HEADLINE

FIGURE_OUTCOMES = HEADLINE + ("hours_document_cadre_day", "hours_meeting_cadre_day", "hours_inspection_cadre_day",
                              "hours_form_cadre_day")
WINDOWS = ("before", "after")


def outcome_label(outcome: str, lang: str = "en") -> str:
    from sim.presentation.labels import label

    if outcome.startswith("hours_") and outcome.endswith("_cadre_day"):
        kind = outcome.removeprefix("hours_").removesuffix("_cadre_day")
        return f"{label(kind, lang)} ({'人均每日小时' if lang == 'zh' else 'h per cadre-day'})"
    return label(outcome, lang)


def figure(diffs: pd.DataFrame, outcomes: Sequence[str] = FIGURE_OUTCOMES, lang: str = "en"):
    """One panel per outcome: each scenario's difference from the reference with its 95% interval, before
    (hollow, grey) and after (filled) the reform day. Before the reform day the difference should be ~0."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.presentation.fonts import use_cjk
    from sim.presentation.labels import label

    use_cjk()
    outcomes = [o for o in outcomes if o in set(diffs["outcome"])]
    names = list(dict.fromkeys(diffs["scenario"]))
    ncol = 4
    nrow = max(1, math.ceil(len(outcomes) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 0.35 * len(names) * nrow + 1.6 * nrow + 0.8),
                             squeeze=False)
    y = np.arange(len(names))
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        part = diffs[diffs["outcome"] == outcome]
        for w, dy, style in (("before", 0.18, dict(mfc="white", color="0.55")), ("after", -0.18, dict(color="C3"))):
            p = part[part["window"] == w].set_index("scenario").reindex(names)
            d = p["difference"].to_numpy(float)
            err = np.vstack([d - p["ci_low"].to_numpy(float), p["ci_high"].to_numpy(float) - d])
            ax.errorbar(d, y + dy, xerr=np.nan_to_num(err), fmt="o", ms=4, capsize=2, lw=1,
                        label=label(w, lang), **style)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(names, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(outcome_label(outcome, lang), fontsize=9)
        ax.tick_params(axis="x", labelsize=8)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.axis("off")
    ref = diffs["reference"].iloc[0] if len(diffs) else ""
    n = int(diffs["n"].max()) if len(diffs) else 0
    title = (f"{label('difference', lang)} {ref}: " + ("配对种子差值，95%置信区间" if lang == "zh" else
             f"paired by seed, 95% t-interval, n = {n}"))
    fig.suptitle(title, fontsize=11)
    axes.flat[0].legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig
