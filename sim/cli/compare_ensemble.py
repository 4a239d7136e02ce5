"""`python -m sim compare A.toml B.toml ... --replicates N --out DIR --ensemble ENSEMBLE_DIR [--workers N | --dask ADDRESS]`

The robust comparison: every scenario run with every ensemble member's parameter values (the scenario files
`grassroots calibrate` writes to DIR/ensemble) on the same seeds, through the sweep engine (resumable). Writes, into
DIR: ensemble_effects.csv (each scenario minus the first per outcome after the reform day: mean, 90% interval
over members x replicates, share of members in which it improves the outcome), ranking.csv (how stable the
ranking of the scenarios is across members: mean rank, share ranked first, Kendall's W), ensemble_runs.parquet,
ensemble.png, runs/ (the sweep folder) and compare.json (written last).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli import UserError
from sim.cli.backend import check_out, command_line, provenance, write_provenance


def main(args: argparse.Namespace) -> int:
    from sim.core.record import HEADLINE, OUTCOMES
    from sim.exploration.compare import ensemble_effects, ranking_stability, run_ensemble
    from sim.figures.sensitivity import ensemble_effects_figure, save
    from sim.io.loader import load_scenario

    folder = Path(args.ensemble)
    members = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if not members:
        raise UserError(f"--ensemble: {folder} has no scenario files (*.toml); give the ensemble folder "
                        "`grassroots calibrate` wrote (DIR/ensemble)")
    if len(args.scenarios) < 2:
        raise UserError("compare: give at least two scenarios (the first is the reference)")
    if not 1 <= args.replicates <= 10_000:
        raise UserError(f"--replicates: must be an integer in [1, 10000], got {args.replicates}")
    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers: must be at least 1, got {args.workers}")
    if args.dask is not None:
        from sim.cli.extras import require

        require("dask", "--dask")
    for p in args.scenarios:
        load_scenario(p)  # bad files fail here, before any run
    for m in members:  # every member applied to every scenario must be a valid scenario
        for p in args.scenarios:
            from sim.exploration.compare import member_fields

            load_scenario(p, **member_fields(m))
    out = check_out(args.out, "compare --ensemble")
    (out / "compare.json").unlink(missing_ok=True)
    outcomes = [f"{o}_after" for o in OUTCOMES]
    print(f"compare over an ensemble: {len(args.scenarios)} scenarios x {len(members)} members x "
          f"{args.replicates} replicates = {len(args.scenarios) * len(members) * args.replicates} runs")
    runs = run_ensemble(args.scenarios, members, args.replicates, out / "runs", seed=args.seed, days=args.days,
                        outcomes=outcomes, workers=args.workers, dask=args.dask, progress=True,
                        command=command_line())
    effects = ensemble_effects(runs, outcomes)
    ranking = ranking_stability(runs, outcomes)
    effects.to_csv(out / "ensemble_effects.csv", index=False)
    ranking.to_csv(out / "ranking.csv", index=False)
    runs.to_parquet(out / "ensemble_runs.parquet", index=False)
    if not args.no_figure:
        save(ensemble_effects_figure(effects, [f"{o}_after" for o in HEADLINE]), str(out / "ensemble"))
    write_provenance(out / "compare.json", provenance(
        analysis="compare --ensemble", scenarios=list(args.scenarios), ensemble=str(folder),
        members=[m.name for m in members], seeds=list(range(args.seed, args.seed + args.replicates)),
        days=args.days, level=0.90, failed=int((runs["status"] != "ok").sum())))
    ref = effects["reference"].iloc[0]
    print(f"\neffect against {ref} after the reform day: mean [90% over members x replicates]; share of members improved")
    for name in dict.fromkeys(effects["scenario"]):
        print(f"\n{name}")
        for o in (f"{h}_after" for h in HEADLINE[:6]):
            r = effects[(effects["scenario"] == name) & (effects["outcome"] == o)].iloc[0]
            print(f"  {o:36s} {r['mean']:+10.4g} [{r['low']:+.4g}, {r['high']:+.4g}]  improves in {r['share_improves']:.0%}")
    w = ranking.drop_duplicates("outcome").set_index("outcome")["kendall_w"]
    print("\nranking agreement across members (Kendall's W): "
          + ", ".join(f"{o.removesuffix('_after')} {w[o]:.2f}" for o in w.index[:6]))
    return 0
