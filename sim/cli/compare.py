"""`python -m sim compare SCENARIO... --replicates N --out DIR [--seed S] [--days D] [--workers W]`

Runs every scenario on the same seeds S..S+N-1 (common random numbers) and writes, into DIR:
  differences.csv / differences.parquet  each scenario minus the first, per outcome and window (before/after the
                                         reform day): mean paired difference, 95% t-interval, both means, n
  runs.parquet                           every run's outcomes (one row per scenario x seed)
  compare.png                            the headline differences with their intervals (and time use by kind)
  compare.json                           what was run (scenarios, seeds, days, version); written last
and prints the table of headline outcomes and time use by kind.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from tqdm import tqdm

from sim.cli import UserError
from sim.core.record import HEADLINE
from sim.io.loader import load_scenario
from sim.io.outputs import staged_dir, write_json

MAX_REPLICATES = 10_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                   help="scenario TOML files; the first is the reference the others are compared with")
    p.add_argument("--replicates", type=int, required=True, help="seeds per scenario (the same seeds for all)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0); seeds are S..S+N-1")
    p.add_argument("--days", type=int, default=None, help="run only this many days")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores, at most 8)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="figure labels")
    p.add_argument("--no-figure", action="store_true", help="skip compare.png")
    p.add_argument("--ensemble", default=None, metavar="DIR", help="run over a calibrated ensemble (DIR/ensemble of "
                   "`sim calibrate`): effects over parameter uncertainty x chance (sim/cli/compare_ensemble.py)")
    p.add_argument("--dask", default=None, metavar="ADDRESS", help="with --ensemble: run on Dask (local or tcp://...)")


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def _command(args: argparse.Namespace, workers: int) -> str:
    parts = ["python -m sim compare", *args.scenarios, f"--replicates {args.replicates}", f"--seed {args.seed}"]
    if args.days is not None:
        parts.append(f"--days {args.days}")
    return " ".join([*parts, f"--workers {workers}", f"--out {args.out}"])


def main(args: argparse.Namespace) -> int:
    from sim import __version__
    from sim.exploration.compare import (
        DISPLACEMENT,
        default_workers,
        format_table,
        paired_differences,
        run_many,
        summaries,
        unique_names,
    )
    from sim.figures.compare import figure

    if args.ensemble is not None:
        from sim.cli.compare_ensemble import main as ensemble_main

        return ensemble_main(args)
    if len(args.scenarios) < 2:
        raise UserError("compare: give at least two scenarios (the first is the reference)")
    if not 2 <= args.replicates <= MAX_REPLICATES:
        raise UserError(f"--replicates: must be between 2 and {MAX_REPLICATES} (paired intervals need two), "
                        f"got {args.replicates}")
    if args.seed < 0:
        raise UserError(f"--seed: must be a non-negative integer, got {args.seed}")
    workers = default_workers() if args.workers is None else args.workers
    if workers < 1:
        raise UserError(f"--workers: must be at least 1, got {workers}")
    scenarios = [load_scenario(path) for path in args.scenarios]
    if args.days is not None:
        shortest = min(s.days for s in scenarios)
        if not 1 <= args.days <= shortest:
            raise UserError(f"--days: must be between 1 and the shortest scenario's days ({shortest}), got {args.days}")
    starts = {s.policy_start_day for s in scenarios}
    if len(starts) > 1:
        raise UserError(f"compare: scenarios differ in policy_start_day ({sorted(starts)}); before/after windows "
                        "would not line up")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out: {out} exists and is not a folder")

    names = unique_names([s.name for s in scenarios])
    seeds = list(range(args.seed, args.seed + args.replicates))
    bar = tqdm(total=len(scenarios) * len(seeds), desc="compare", unit="run", file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        bar.update(done - bar.n)

    results = run_many(scenarios, seeds, args.days, workers, progress)
    bar.close()
    runs = summaries(results, names)
    diffs = paired_differences(runs)
    with staged_dir(out, last="compare.json") as stage:
        diffs.to_csv(stage / "differences.csv", index=False)
        diffs.to_parquet(stage / "differences.parquet", index=False)
        runs.to_parquet(stage / "runs.parquet", index=False)
        if not args.no_figure:
            import matplotlib.pyplot as plt

            fig = figure(diffs, lang=args.lang)
            fig.savefig(stage / "compare.png", dpi=110)
            plt.close(fig)
        write_json(stage / "compare.json", {
            "reference": names[0], "scenarios": names, "files": [str(p) for p in args.scenarios], "seeds": seeds,
            "days": args.days if args.days is not None else scenarios[0].days,
            "policy_start_day": scenarios[0].policy_start_day, "level": 0.95,
            "version": __version__, "commit": _commit(), "command": _command(args, workers),
        })
    print(f"compare: {len(names)} scenarios x {len(seeds)} seeds ({seeds[0]}..{seeds[-1]})  ->  {out}")
    print(format_table(diffs, (*HEADLINE, *DISPLACEMENT)))
    return 0
