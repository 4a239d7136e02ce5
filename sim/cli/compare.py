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
from sim.cli.run import scenario_with_days
from sim.core.record import HEADLINE
from sim.io.outputs import check_output_dir, staged_dir, write_json

MAX_REPLICATES = 10_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                   help="scenario TOML files; the first is the reference the others are compared with")
    p.add_argument("--replicates", type=int, required=True, help="seeds per scenario (the same seeds for all)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0); seeds are S..S+N-1")
    p.add_argument("--days", type=int, default=None,
                   help="run this many days (the field `days`; the reform day follows unless a file sets it)")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores, at most 8)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="figure labels")
    p.add_argument("--no-figure", action="store_true", help="skip compare.png")


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

    if len(args.scenarios) < 2:
        raise UserError("compare: give at least two scenarios (the first is the reference)")
    if not 2 <= args.replicates <= MAX_REPLICATES:
        raise UserError(f"--replicates: must be between 2 and {MAX_REPLICATES} (paired intervals need two), "
                        f"got {args.replicates}")
    if args.seed < 0:
        raise UserError(f"--seed: must be a non-negative integer, got {args.seed}")
    workers = default_workers() if args.workers is None else args.workers
    if not 1 <= workers <= 4096:
        raise UserError(f"--workers: must be an integer in [1, 4096], got {workers}")
    scenarios = [scenario_with_days(path, args.days) for path in args.scenarios]  # --days is the field `days`
    starts = {s.policy_start_day for s in scenarios}
    if len(starts) > 1:
        raise UserError(f"compare: scenarios differ in policy_start_day ({sorted(starts)}); before/after windows "
                        "would not line up")
    out = check_output_dir(args.out, "--out")  # before any run

    names = unique_names([s.name for s in scenarios])
    seeds = list(range(args.seed, args.seed + args.replicates))
    bar = tqdm(total=len(scenarios) * len(seeds), desc="compare", unit="run", file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        bar.update(done - bar.n)

    results = run_many(scenarios, seeds, None, workers, progress)
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
            "days": [s.days for s in scenarios] if len({s.days for s in scenarios}) > 1 else scenarios[0].days,
            "policy_start_day": scenarios[0].policy_start_day, "level": 0.95,
            "version": __version__, "commit": _commit(), "command": _command(args, workers),
        })
    print(f"compare: {len(names)} scenarios x {len(seeds)} seeds ({seeds[0]}..{seeds[-1]})  ->  {out}")
    print(format_table(diffs, (*HEADLINE, *DISPLACEMENT)))
    return 0
