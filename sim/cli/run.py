"""`python -m sim run SCENARIO.toml --out DIR [--seed N] [--days N]`

Writes summary.json (every outcome before and after the reform day), timeseries.parquet (one row a day), the
shared tables (sim/io/tables.py) estimates and runs/summary as .csv and .parquet, scenario.json (the resolved
scenario), the figures as .svg and 300-dpi .png, and manifest.json (the provenance record; written last)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from sim.cli import UserError

if TYPE_CHECKING:
    from sim.core.scenario import Scenario


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.io.shipped import scenario_arg  # a shipped scenario by name, from any folder

    p.add_argument("scenario", type=scenario_arg,
                   help="scenario TOML file, or the name of a shipped scenario (baseline, all_reforms, ...)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--days", type=int, default=None,
                   help="run this many days (the field `days`; the reform day follows unless the file sets it)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="figure labels")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")


def scenario_with_days(path: str, days: int | None) -> Scenario:
    """The scenario file, with `--days` applied as the field `days` (the reform day and warm-up follow it unless
    the file sets them: one rule for the field and the flag). A conflict names --days. Imports only the scenario
    and its loader (pydantic), not the model: a bad file is reported at once."""
    from sim.core.scenario import MAX_DAYS, ScenarioError
    from sim.io.loader import load_scenario

    scenario = load_scenario(path)  # errors in the file itself name the file, not --days
    if days is None:
        return scenario
    if not 2 <= days <= MAX_DAYS:
        raise UserError(f"--days: must be an integer in [2, {MAX_DAYS}], got {days}")
    try:
        return load_scenario(path, days=days)
    except ScenarioError as err:
        raise UserError(f"--days {days}: {err}") from None


def main(args: argparse.Namespace) -> int:
    from sim.io.outputs import claim_output_dir, staged_dir, write_json

    scenario = scenario_with_days(args.scenario, args.days)  # bad input is found before the model loads
    out = claim_output_dir(args.out, "run")  # before the run: a bad folder is found in a second, not an hour

    import pandas as pd
    from tqdm import tqdm

    from sim.core.record import HEADLINE
    from sim.core.scenario import ScenarioError
    from sim.exploration.sweep import run_id
    from sim.figures import run as figures
    from sim.figures.style import has_reform, save_all
    from sim.io import provenance, tables
    from sim.io.run import check_seed, run_scenario

    try:
        check_seed(args.seed, "--seed")
    except ScenarioError as err:
        raise UserError(str(err)) from None
    record = provenance.collect("run", getattr(args, "argv", None), [args.seed], [args.scenario])
    bar = tqdm(total=scenario.days, desc=scenario.name[:40], unit="day", file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        bar.update(done - bar.n)

    result = run_scenario(scenario, seed=args.seed, progress=progress)
    bar.close()
    summary = {k: int(v) if k in tables.INTEGER_COLUMNS else v for k, v in result.summary.items()}
    rid = run_id(scenario.fields(), args.seed)
    runs = tables.integers(pd.DataFrame([{"run_id": rid, "point": 0, "scenario": scenario.name, "replicate": 0,
                                          "seed": args.seed, "status": "ok",
                                          "reform": has_reform(scenario)}]))
    per_run = tables.integers(pd.DataFrame([{"run_id": rid, **summary}]))
    with staged_dir(out, last="manifest.json") as stage:
        tables.write(result.timeseries, stage / "timeseries", csv=False)  # flags bool, counts int64, units
        tables.write(runs, stage / "runs")
        tables.write(per_run, stage / "summary")
        tables.write(tables.estimates(runs.merge(per_run, on="run_id"), ["scenario"]), stage / "estimates")
        if not args.no_figures:
            save_all(figures.figures(result.timeseries, scenario.policy_start_day, has_reform(scenario), args.lang),
                     stage)
        write_json(stage / "scenario.json", scenario.fields())
        write_json(stage / "summary.json", {"scenario": scenario.name, "seed": args.seed, **summary})
        write_json(stage / "manifest.json", {
            "command": "run", "keys": ["scenario"], "scenarios": [{"name": scenario.name, "file": args.scenario,
                                                                   "description": scenario.description}],
            "seeds": [args.seed], "days": result.days, "policy_start_day": scenario.policy_start_day,
            "reform": has_reform(scenario), "lang": args.lang, "tables": ["estimates", "runs", "summary"],
            "provenance": provenance.finish(record),
        })
    s = result.summary
    print(f"{scenario.name}  seed {args.seed}  {result.days} days  ->  {out}")
    print(f"{'outcome':34s} {'before':>10s} {'after':>10s}")
    for k in HEADLINE:
        print(f"{k:34s} {s[f'{k}_before']:10.3f} {s[f'{k}_after']:10.3f}")
    return 0
