"""Does every reform keep the direction of its effect when an assumption moves +-20%? (issue 9)

For each shipped reform scenario and each of the assumptions the outcomes are most sensitive to (the local
screen of examples/screen_assumptions.py), the reform's effect (reform minus baseline, `_after` window, common
seeds) on resident service and on burnout is measured at the assumption's value x0.8, x1.0 and x1.2. A sign
that differs from the x1.0 sign is a flip: a finding to report (docs/levers.md), not to tune away.

    .venv/bin/python examples/direction_robustness.py --seeds 3 --townships 4 --workers 2 --out results/directions.csv
"""

from __future__ import annotations

import argparse
import math
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.run import simulate
from sim.core.scenario import Scenario, field_info, make_scenario
from sim.io.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
# the screen's top five over every headline outcome (examples/screen_assumptions.py, re-run after the warm start
# and `recovery` were recalibrated; docs/levers.md), as tests/test_robustness.py moves them
ASSUMPTIONS = ("amplification", "severe_threshold", "recovery", "effort_form", "meetings_per_dept_week")
REFORMS = ("gansu_2019_cuts", "video_conferencing", "one_form_and_apps", "no_video_ppt_inspections",
           "duty_lists_2024", "plaques_and_secondment", "tolerant_accountability", "empowerment",
           "rongcheng_grid_reform", "hire_more_staff", "all_reforms")
OUTCOMES = ("service_resolved_share", "burnout_share")


def moved_value(name: str, value, factor: float):
    """`value` x `factor`, kept within the field's bounds (integers rounded)."""
    info = field_info(name)
    v = value * factor
    lo, hi = info.get("ge", info.get("gt", -math.inf)), info.get("le", info.get("lt", math.inf))
    v = min(max(v, lo), hi)
    return int(round(v)) if Scenario.model_fields[name].annotation is int else float(v)


def _one(args: tuple[dict, int]) -> dict:
    fields, seed = args
    r = simulate(make_scenario(fields), seed=seed)
    return {k: r.summary[f"{k}_after"] for k in OUTCOMES}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--townships", type=int, default=4)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--assumptions", nargs="+", default=list(ASSUMPTIONS), help="fields to move +-20%%")
    a = ap.parse_args(argv)
    base = load_scenario(ROOT / "scenarios" / "baseline.toml").fields()
    small = {"n_townships": a.townships}
    reforms = {name: load_scenario(ROOT / "scenarios" / f"{name}.toml").fields() for name in REFORMS}
    jobs, keys = [], []
    for assumption in a.assumptions:
        for factor in (0.8, 1.0, 1.2):
            value = moved_value(assumption, base[assumption], factor)
            moved = {assumption: value, **small}
            for name, fields in {"baseline": base, **reforms}.items():
                f = {**fields, **moved, "duty_list_file": ""}
                for seed in range(a.seeds):
                    jobs.append((f, seed))
                    keys.append((assumption, factor, name, seed))
    with ProcessPoolExecutor(a.workers) as ex:
        results = list(ex.map(_one, jobs, chunksize=4))
    df = pd.DataFrame([{**dict(zip(("assumption", "factor", "scenario", "seed"), k, strict=True)), **v} for k, v in zip(keys, results, strict=True)])
    base_rows = df[df.scenario == "baseline"].set_index(["assumption", "factor", "seed"])
    eff = df[df.scenario != "baseline"].join(base_rows[list(OUTCOMES)].add_suffix("_base"), on=["assumption", "factor", "seed"])
    for k in OUTCOMES:
        eff[f"effect_{k}"] = eff[k] - eff[f"{k}_base"]
    table = eff.groupby(["scenario", "assumption", "factor"])[[f"effect_{k}" for k in OUTCOMES]].mean().reset_index()
    rows = []
    for (scen, assumption), g in table.groupby(["scenario", "assumption"]):
        g = g.set_index("factor")
        for k in OUTCOMES:
            col = f"effect_{k}"
            signs = np.sign(g[col].round(4))
            rows.append({"scenario": scen, "assumption": assumption, "outcome": k, "x0.8": g.loc[0.8, col],
                         "x1.0": g.loc[1.0, col], "x1.2": g.loc[1.2, col], "flips": bool((signs != signs.loc[1.0]).any())})
    out = pd.DataFrame(rows)
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        out.to_csv(a.out, index=False)
    pd.set_option("display.width", 200)
    print(out[out.flips].to_string(index=False) if out.flips.any() else "no reform's direction flips")
    print(f"{int(out.flips.sum())} of {len(out)} (reform, assumption, outcome) directions flip")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
