"""Exploratory modelling in the style of the EMA Workbench: the model is a plain Python function of lever and
uncertainty keywords that returns a dict of outcomes.

    python examples/ema_example.py        # uses ema_workbench if installed, else a Latin hypercube via scipy

With the EMA Workbench installed (`pip install ema-workbench`; it is in the `dev` extra), `ema_model` plugs in as
`ema_workbench.Model("grassroots", function=ema_model)`, with real, integer (`extra_staff`) and categorical
(`duty_list`) levers; without it, the same function is sampled here over the real-valued inputs with a Latin
hypercube, which is what `perform_experiments` does by default.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
import sim  # noqa: E402

COUNTY = {"n_townships": 3, "days": 240, "policy_start_day": 120, "warmup_days": 30}
LEVERS = {"meeting_cut": (0.0, 0.5), "video_conferencing": (0.0, 1.0), "form_dedup": (0.0, 1.0)}
UNCERTAINTIES = {"displacement": (0.0, 1.0), "requests_per_household_year": (1.0, 4.0)}
OUTCOMES = ("exhaustion_mean_after", "service_resolved_share_after", "formalism_share_after")


def ema_model(seed: int = 0, **kw: float) -> dict[str, float]:
    """Lever and uncertainty values in, outcomes out: what EMA Workbench's function Model expects. No casts: EMA's
    numpy floats, integers (IntegerParameter) and booleans are taken as the values they hold."""
    s = sim.run_scenario(COUNTY, seed=seed, **kw).summary
    return {o: s[o] for o in OUTCOMES}


def with_ema(n: int):
    from ema_workbench import (
        CategoricalParameter,
        IntegerParameter,
        Model,
        RealParameter,
        ScalarOutcome,
        perform_experiments,
    )

    model = Model("grassroots", function=ema_model)
    model.levers = [*(RealParameter(k, *b) for k, b in LEVERS.items()),
                    IntegerParameter("extra_staff", 0, 2), CategoricalParameter("duty_list", [False, True])]
    model.uncertainties = [RealParameter(k, *b) for k, b in UNCERTAINTIES.items()]
    model.outcomes = [ScalarOutcome(o) for o in OUTCOMES]
    return perform_experiments(model, scenarios=n, policies=2)


def without_ema(n: int, seed: int = 0) -> pd.DataFrame:
    from scipy.stats import qmc

    space = {**LEVERS, **UNCERTAINTIES}
    lo, hi = zip(*space.values(), strict=True)
    X = qmc.scale(qmc.LatinHypercube(d=len(space), seed=seed).random(n), lo, hi)
    rows = []
    for x in X:
        kw = dict(zip(space, map(float, x), strict=True))
        rows.append({**kw, **ema_model(**kw)})
    return pd.DataFrame(rows)


def main() -> None:
    pd.set_option("display.width", 160)
    try:
        experiments, outcomes = with_ema(8)
        print(pd.concat([experiments, pd.DataFrame(outcomes)], axis=1))
    except ImportError:
        df = without_ema(16)
        print(df.round(3).to_string(index=False))
        print("\ncorrelation of each input with each outcome:")
        print(df.corr().loc[[*LEVERS, *UNCERTAINTIES], list(OUTCOMES)].round(2))


if __name__ == "__main__":
    main()
