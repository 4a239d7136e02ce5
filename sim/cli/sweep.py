"""`python -m sim sweep EXPERIMENT.toml --out DIR [--workers N] [--dask ADDRESS|local]`"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from sim.cli import UserError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("experiment", help="experiment TOML file (see experiments/ and docs/sweeps.md)")
    p.add_argument("--out", required=True, help="output folder (rerun the same command to resume)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run on Dask: 'local' starts a LocalCluster, tcp://host:port uses a running scheduler")
    p.add_argument("--retry-failed", action="store_true", help="run again the runs recorded as failed")
    p.add_argument("--no-csv", action="store_true", help="skip runs.csv and summary.csv")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def main(args: argparse.Namespace) -> int:
    from sim.exploration.sweep import load_experiment, run_sweep

    if args.workers is not None and not 1 <= args.workers <= 4096:
        raise UserError(f"--workers: must be an integer in [1, 4096], got {args.workers}")
    if args.dask is not None and args.dask != "local" and "://" not in args.dask:
        raise UserError(f"--dask: must be 'local' or a scheduler address like tcp://host:8786, got {args.dask!r}")
    exp = load_experiment(args.experiment)  # every grid point is validated before anything is written
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out: {out} exists and is not a folder")
    command = ["python", "-m", "sim", "sweep", args.experiment, "--out", args.out]
    for flag, value in (("--workers", args.workers), ("--dask", args.dask)):
        if value is not None:
            command += [flag, str(value)]
    command += [f for f, on in (("--retry-failed", args.retry_failed), ("--no-csv", args.no_csv),
                                ("--quiet", args.quiet)) if on]
    report = run_sweep(exp, out, workers=args.workers, dask=args.dask, progress=not args.quiet,
                       retry_failed=args.retry_failed, csv=not args.no_csv, command=list(command))
    print(f"{exp.name}: {report.total} runs ({len(exp.scenarios)} points x {exp.replicates} replicates); "
          f"{report.skipped} already done, {report.ran} run now ({report.ok} ok, {report.failed} failed) "
          f"in {report.seconds:.1f} s -> {out}{os.sep}")
    return 1 if report.failed else 0
