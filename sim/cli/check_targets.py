"""`python -m sim check-targets SCENARIO_OR_TARGETS [--targets FILE] [--scenario FILE] [--replicates N]
[--days N] [--workers N | --dask ADDRESS] [--csv FILE]`

Runs a scenario on seeds 0..N-1 and checks it against observed patterns (a targets file, docs/targets.md):
prints every target with the model's value, its spread over the runs, the range and pass or miss. Exit code 0
when every target passes, 1 on a miss, 2 on bad input.

Which scenario: a targets file names its own (`scenario = "baseline.toml"`, relative to the targets file);
`--scenario FILE` overrides it. Given a scenario file instead, the targets are `--targets FILE`, or else
`targets.toml` in the scenario's folder (so `check-targets scenarios/baseline.toml` uses the shipped targets).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from sim.cli import UserError

CSV_HEADER = b"name,outcome,level,value,low,high,passed,source,"  # how the table it writes begins


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.io.shipped import scenario_arg, targets_arg  # shipped files by name, from any folder

    p.add_argument("source", metavar="SCENARIO_OR_TARGETS", type=targets_arg,
                   help="a targets file (scenarios/targets.toml, or `targets` for the shipped one) or a scenario "
                   "file to check against targets")
    p.add_argument("--targets", default=None, type=targets_arg, help="targets file when SOURCE is a scenario "
                   "(default: targets.toml next to the scenario)")
    p.add_argument("--scenario", default=None, type=scenario_arg,
                   help="scenario file overriding the one the targets file names")
    p.add_argument("--replicates", type=int, default=None, help="seeds 0..N-1 (default: the targets file's)")
    p.add_argument("--days", type=int, default=None, help="run length (default: the targets file's, else the scenario's)")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores, at most 8)")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run on Dask: 'local' starts a LocalCluster, 'slurm' a SLURM cluster (dask-jobqueue, "
                   "--workers N worker jobs; docs/sweeps.md), tcp://host:port uses a running scheduler")
    p.add_argument("--csv", default=None, help="also write the table (one row per target) to this CSV file")


def _is_targets_file(path: Path) -> bool:
    from sim.io.toml import read_toml

    return "targets" in read_toml(path, "scenario or targets")


def resolve(args: argparse.Namespace):
    """The TargetSet the arguments name (see the module docstring for which scenario is checked)."""
    from sim.exploration.targets import load_targets

    source = Path(args.source)
    if _is_targets_file(source):
        if args.targets is not None:
            raise UserError(f"--targets: {source} is already a targets file; give a scenario file to use --targets")
        return load_targets(source, scenario=args.scenario)
    if args.scenario is not None:
        raise UserError(f"--scenario: {source} is a scenario file already; use --scenario only with a targets file")
    targets = Path(args.targets) if args.targets is not None else source.parent / "targets.toml"
    if args.targets is None and not targets.is_file():
        raise UserError(f"{source}: is a scenario file and no targets file was found next to it "
                        f"(looked for {targets}); give --targets FILE")
    return load_targets(targets, scenario=source)


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "nan"
    return f"{x:.3g}" if x != 0 and (abs(x) >= 1e4 or abs(x) < 1e-2) else f"{x:.3f}" if abs(x) < 100 else f"{x:.1f}"


def main(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sim.exploration.compare import default_workers
    from sim.exploration.targets import MAX_REPLICATES, evaluate, run

    ts = resolve(args)
    if args.replicates is not None and not 1 <= args.replicates <= MAX_REPLICATES:
        raise UserError(f"--replicates: must be an integer in [1, {MAX_REPLICATES}], got {args.replicates}")
    if args.days is not None and not 1 <= args.days <= ts.scenario.days:
        raise UserError(f"--days: must be between 1 and the scenario's days ({ts.scenario.days}), got {args.days}")
    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers: must be at least 1, got {args.workers}")
    if args.dask is not None:
        from sim.exploration.engine import check_dask, probe

        if why := check_dask(args.dask):
            raise UserError(f"--dask: {why}")
        probe(args.dask)  # an address where nothing listens: one line (SweepError), at once
    replicates = args.replicates or ts.replicates
    days = args.days if args.days is not None else ts.days
    workers = args.workers or min(default_workers(), replicates)
    if args.csv is not None and (Path(args.csv).is_dir() or not Path(args.csv).resolve().parent.is_dir()):
        raise UserError(f"--csv: {args.csv} must be a file name in an existing folder")
    if args.csv is not None:
        from sim.io.outputs import check_output_file

        check_output_file(args.csv, "--csv", CSV_HEADER)  # a new file or an earlier table; never another file
    bar = tqdm(total=replicates, desc="check-targets", unit="run", file=sys.stderr, leave=False)
    runs = run(ts, replicates, days, workers, progress=lambda done, total: bar.update(done - bar.n), dask=args.dask)
    bar.close()
    table = evaluate(ts, runs)
    spread = {o: (float(runs[o].min()), float(runs[o].max())) for o in ts.outcomes}
    n_days = days if days is not None else ts.scenario.days
    print(f"targets {ts.path}  scenario {ts.scenario.name}  {replicates} replicates (seeds 0..{replicates - 1})  "
          f"{n_days} days")
    wide = max(34, *(len(t.name) for t in ts.targets))
    header = f"{'target':{wide}s} {'level':14s} {'stat':6s} {'value':>9s} {'runs min-max':>19s} {'range':>19s}  result"
    print(header)
    print("-" * len(header))
    for t, row in zip(ts.targets, table.itertuples(index=False), strict=True):
        lo, hi = spread[t.outcome]
        print(f"{t.name:{wide}s} {t.level:14s} {t.statistic:6s} {_num(row.value):>9s} "
              f"{_num(lo) + '-' + _num(hi):>19s} {'[' + _num(t.low) + ', ' + _num(t.high) + ']':>19s}  "
              f"{'pass' if row.passed else 'MISS'}")
    passed = int(table["passed"].sum())
    print(f"{passed} of {len(table)} targets pass" + ("" if passed == len(table) else
          f"; missed: {', '.join(table.loc[~table['passed'], 'name'])}"))
    if args.csv is not None:
        table.assign(statistic=[t.statistic for t in ts.targets], replicates=replicates, days=n_days).to_csv(
            args.csv, index=False)
    return 0 if passed == len(table) else 1
