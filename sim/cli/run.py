"""`python -m sim run SCENARIO.toml --out DIR [--seed N] [--days N]`"""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from sim.cli import UserError
from sim.core.record import HEADLINE
from sim.core.scenario import MAX_DAYS, Scenario, ScenarioError
from sim.io.loader import load_scenario
from sim.io.outputs import check_output_dir, staged_dir, write_json


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario TOML file (see scenarios/)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--days", type=int, default=None,
                   help="run this many days (the field `days`; the reform day follows unless the file sets it)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="figure labels")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")


def scenario_with_days(path: str, days: int | None) -> Scenario:
    """The scenario file, with `--days` applied as the field `days` (the reform day and warm-up follow it unless
    the file sets them: one rule for the field and the flag). A conflict names --days."""
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
    from sim.figures import run as figures
    from sim.io.run import check_seed, run_scenario

    scenario = scenario_with_days(args.scenario, args.days)
    try:
        check_seed(args.seed, "--seed")
    except ScenarioError as err:
        raise UserError(str(err)) from None
    out = check_output_dir(args.out, "--out")  # before the run: a bad folder is found in a second, not an hour
    bar = tqdm(total=scenario.days, desc=scenario.name[:40], unit="day", file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        bar.update(done - bar.n)

    result = run_scenario(scenario, seed=args.seed, progress=progress)
    bar.close()
    with staged_dir(out, last="summary.json") as stage:
        result.timeseries.to_parquet(stage / "timeseries.parquet", index=False)
        if not args.no_figures:
            import matplotlib.pyplot as plt

            for name, fn in figures.FIGURES.items():
                fig = fn(result.timeseries, scenario.policy_start_day, args.lang)
                fig.savefig(stage / f"{name}.png", dpi=120)
                plt.close(fig)
        write_json(stage / "scenario.json", scenario.fields())
        write_json(stage / "summary.json", {"scenario": scenario.name, "seed": args.seed, **result.summary})
    s = result.summary
    print(f"{scenario.name}  seed {args.seed}  {result.days} days  ->  {out}")
    print(f"{'outcome':34s} {'before':>10s} {'after':>10s}")
    for k in HEADLINE:
        print(f"{k:34s} {s[f'{k}_before']:10.3f} {s[f'{k}_after']:10.3f}")
    return 0
