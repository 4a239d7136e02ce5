"""`python -m sim run SCENARIO.toml --out DIR [--seed N] [--days N]`"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from sim.cli import UserError
from sim.core.blas import blas_info
from sim.core.record import HEADLINE
from sim.io.loader import load_scenario
from sim.io.outputs import staged_dir, write_json


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario TOML file (see scenarios/)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--days", type=int, default=None, help="run only this many days")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="figure labels")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")


def main(args: argparse.Namespace) -> int:
    from sim.figures import run as figures
    from sim.io.run import run_scenario

    scenario = load_scenario(args.scenario)
    if args.days is not None and not 1 <= args.days <= scenario.days:
        raise UserError(f"--days: must be between 1 and the scenario's days ({scenario.days}), got {args.days}")
    if args.seed < 0:
        raise UserError(f"--seed: must be a non-negative integer, got {args.seed}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out: {out} exists and is not a folder")
    bar = tqdm(total=args.days or scenario.days, desc=scenario.name, unit="day", file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        bar.update(done - bar.n)

    result = run_scenario(scenario, seed=args.seed, days=args.days, progress=progress)
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
        write_json(stage / "manifest.json", _manifest(scenario.name, args.seed, result.days))
        write_json(stage / "summary.json", {"scenario": scenario.name, "seed": args.seed, **result.summary})
    s = result.summary
    print(f"{scenario.name}  seed {args.seed}  {result.days} days  ->  {out}")
    print(f"{'outcome':34s} {'before':>10s} {'after':>10s}")
    for k in HEADLINE:
        print(f"{k:34s} {s[f'{k}_before']:10.3f} {s[f'{k}_after']:10.3f}")
    return 0


def _manifest(name: str, seed: int, days: int) -> dict:
    """Provenance of one run: tool, Python, numpy, platform and the BLAS libraries with their kernel and
    thread count (the model makes no BLAS calls; this records that the process ran pinned to one thread)."""
    import platform

    import numpy as np

    from sim import __version__

    return {"tool": "grassroots-sim", "version": __version__, "scenario": name, "seed": seed, "days": days,
            "python": sys.version.split()[0], "numpy": np.__version__, "platform": platform.platform(),
            "blas": blas_info()}
