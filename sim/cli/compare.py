"""`python -m sim compare SCENARIO... --replicates N --out DIR [--seed S] [--days D] [--workers W | --dask ADDRESS]`

Runs every scenario on the same seeds S..S+N-1 (common random numbers) through the sweep engine (local worker
processes, or Dask: `local`, `slurm` or a scheduler address), each run stored in DIR/runs/ as it finishes: the
same command run again after a kill runs only what is missing. Then writes, into DIR, the tables of the
shared schema (sim/io/tables.py, docs/outcomes.md), each as .csv and .parquet:
  differences   each scenario minus the first, per outcome and window (before/after the reform day): mean paired
                difference, ci_low, ci_high, ci_level, ci_method, sd, n, both means
  estimates     each scenario's mean per outcome and window with its 95% t-interval
  runs, summary one row per run (scenario x seed): who ran, and every outcome
and compare.svg / compare.png (the differences with their intervals), scenarios.json (the resolved scenarios)
and manifest.json (what was run, and the provenance record; written last). Prints the table of headline
outcomes and time use by kind.
"""

from __future__ import annotations

import argparse

from sim.cli import UserError
from sim.cli.run import scenario_with_days

MAX_REPLICATES = 10_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.io.shipped import scenario_arg  # a shipped scenario by name, from any folder

    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", type=scenario_arg,
                   help="scenario TOML files; the first is the reference the others are compared with")
    p.add_argument("--replicates", type=int, required=True, help="seeds per scenario (the same seeds for all)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0); seeds are S..S+N-1")
    p.add_argument("--days", type=int, default=None,
                   help="run this many days (the field `days`; the reform day follows unless a file sets it)")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores, at most 8)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="figure labels")
    p.add_argument("--no-figure", action="store_true", help="skip compare.svg and compare.png")
    p.add_argument("--ensemble", default=None, metavar="DIR", help="run over a calibrated ensemble (DIR/ensemble of "
                   "`grassroots calibrate`): effects over parameter uncertainty x chance (sim/cli/compare_ensemble.py)")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run on Dask: 'local' starts a LocalCluster, 'slurm' a SLURM cluster (dask-jobqueue, "
                   "--workers N worker jobs; docs/sweeps.md), tcp://host:port uses a running scheduler")


def main(args: argparse.Namespace) -> int:

    from sim.core.record import HEADLINE
    from sim.exploration.compare import (
        DISPLACEMENT,
        default_workers,
        format_table,
        paired_differences,
        run_stored,
        split_runs,
        summaries,
        unique_names,
    )
    from sim.exploration.engine import check_dask, probe
    from sim.figures.compare import figures
    from sim.figures.style import save_all
    from sim.io import provenance, tables
    from sim.io.outputs import claim_output_dir, staged_dir, write_json

    if args.dask is not None:
        if why := check_dask(args.dask):
            raise UserError(f"--dask: {why}")
        probe(args.dask)  # an address where nothing listens: one line (SweepError), before --out is created
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
    if not 1 <= workers <= 4096:
        raise UserError(f"--workers: must be an integer in [1, 4096], got {workers}")
    scenarios = [scenario_with_days(path, args.days) for path in args.scenarios]  # --days is the field `days`
    starts = {s.policy_start_day for s in scenarios}
    if len(starts) > 1:
        raise UserError(f"compare: scenarios differ in policy_start_day ({sorted(starts)}); before/after windows "
                        "would not line up")
    out = claim_output_dir(args.out, "compare")  # before any run

    names = unique_names([s.name for s in scenarios])
    seeds = list(range(args.seed, args.seed + args.replicates))
    record = provenance.collect("compare", getattr(args, "argv", None), seeds, args.scenarios)
    results = run_stored(scenarios, names, args.scenarios, seeds, out / "runs", workers=workers, dask=args.dask,
                         progress=True, command=getattr(args, "argv", None))
    table = summaries(results, names, scenarios)
    diffs = paired_differences(table)
    runs, summary = split_runs(table)
    descriptions = {n: s.description for n, s in zip(names, scenarios, strict=True)}
    with staged_dir(out, last="manifest.json") as stage:
        tables.write(diffs, stage / "differences")
        tables.write(tables.estimates(table, ["scenario"]), stage / "estimates")
        tables.write(runs, stage / "runs")
        tables.write(summary, stage / "summary")
        if not args.no_figure:
            save_all(figures(diffs, args.lang, descriptions), stage)
        write_json(stage / "scenarios.json", [s.fields() for s in scenarios])
        write_json(stage / "manifest.json", {
            "command": "compare", "keys": ["scenario"], "reference": {"scenario": names[0]},
            "scenarios": [{"name": n, "file": str(p), "description": s.description}
                          for n, p, s in zip(names, args.scenarios, scenarios, strict=True)],
            "seeds": seeds, "replicates": len(seeds), "workers": workers,
            "backend": f"dask:{args.dask}" if args.dask else f"local:{workers}", "runs_folder": "runs",
            "days": args.days if args.days is not None else scenarios[0].days,
            "policy_start_day": scenarios[0].policy_start_day, "ci_level": tables.LEVEL,
            "ci_method": tables.CI_METHOD, "lang": args.lang,
            "tables": ["differences", "estimates", "runs", "summary"],
            "provenance": provenance.finish(record),
        })
    print(f"compare: {len(names)} scenarios x {len(seeds)} seeds ({seeds[0]}..{seeds[-1]})  ->  {out}")
    print(format_table(diffs, (*HEADLINE, *DISPLACEMENT)))
    return 0
