"""`python -m sim sweep EXPERIMENT.toml --out DIR [--workers N] [--dask local|slurm|ADDRESS]`"""

from __future__ import annotations

import argparse
import os

from sim.cli import UserError


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.io.shipped import experiment_arg  # a shipped experiment by name, from any folder

    p.add_argument("experiment", type=experiment_arg,
                   help="experiment TOML file, or the name of a shipped one (see experiments/ and docs/sweeps.md)")
    p.add_argument("--out", required=True, help="output folder (rerun the same command to resume)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run on Dask: 'local' starts a LocalCluster, 'slurm' a SLURM cluster (dask-jobqueue, "
                   "--workers N worker jobs; docs/sweeps.md), tcp://host:port uses a running scheduler")
    p.add_argument("--dask-timeout", type=float, default=60.0, metavar="SECONDS",
                   help="seconds to reach the Dask scheduler, and again to see its first worker (default 60)")
    p.add_argument("--retry-failed", action="store_true", help="run again the runs recorded as failed")
    p.add_argument("--no-csv", action="store_true", help="skip runs.csv and summary.csv")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def main(args: argparse.Namespace) -> int:
    import sys

    from sim.exploration.engine import check_dask, probe
    from sim.exploration.sweep import SweepError, load_experiment, run_sweep
    from sim.io.outputs import claim_output_dir

    if args.workers is not None and not 1 <= args.workers <= 4096:
        raise UserError(f"--workers: must be an integer in [1, 4096], got {args.workers}")
    if args.dask is not None:
        from sim.cli.extras import require

        require("dask", "--dask")
    if args.dask is not None and (why := check_dask(args.dask)):
        raise UserError(f"--dask: {why}")
    if not 0 < args.dask_timeout <= 86_400:
        raise UserError(f"--dask-timeout: must be a number of seconds in (0, 86400], got {args.dask_timeout}")
    exp = load_experiment(args.experiment)  # every grid point is validated before anything is written
    if args.dask is not None:
        try:
            probe(args.dask, args.dask_timeout)  # an address where nothing listens: one line, --out untouched
        except SweepError as err:
            print(f"error: {exp.name}: {err}", file=sys.stderr)
            return 1
    out = claim_output_dir(args.out, "sweep")  # writable, before any run
    command = ["python", "-m", "sim", "sweep", args.experiment, "--out", args.out]
    for flag, value in (("--workers", args.workers), ("--dask", args.dask)):
        if value is not None:
            command += [flag, str(value)]
    command += [f for f, on in (("--retry-failed", args.retry_failed), ("--no-csv", args.no_csv),
                                ("--quiet", args.quiet)) if on]
    try:
        report = run_sweep(exp, out, workers=args.workers, dask=args.dask, progress=not args.quiet,
                           retry_failed=args.retry_failed, csv=not args.no_csv, command=list(command),
                           dask_timeout=args.dask_timeout)
    except SweepError as err:
        print(f"error: {exp.name}: {err}", file=sys.stderr)
        return 1
    print(f"{exp.name}: {report.total} runs ({len(exp.scenarios)} points x {exp.replicates} replicates); "
          f"{report.skipped} already done, {report.ran} run now ({report.ok} ok, {report.failed} failed) "
          f"in {report.seconds:.1f} s -> {out}{os.sep}")
    if report.missing:
        print(f"error: {exp.name}: {report.missing} runs have no readable result in {out / 'parts'} even after "
              "running them again; the tables are incomplete (manifest status 'incomplete'); run the same command "
              "again", file=sys.stderr)
        return 1
    return 1 if report.failed else 0
