"""`python -m sim calibrate TARGETS.toml --out DIR [--population N] [--generations N] [--workers N | --dask ADDRESS]`

ABC-SMC calibration of the targets file's `[parameters]` (uniform priors) against its targets. Writes
DIR/posterior.parquet (the last generation: one row per accepted parameter set, with weight and distance),
DIR/populations.parquet (every generation), DIR/ensemble/member_NNN.toml (scenario files that `extends` the
base, an equally weighted resample of the posterior), DIR/targets.csv (each target against the model's values
over prior and posterior), DIR/figures/{prior_posterior,targets}.png, DIR/runs/ (the sweep folder: rerun the
same command to resume) and DIR/calibration.json (written last). See docs/exploration.md.
"""

from __future__ import annotations

import argparse

from sim.cli import UserError
from sim.cli.backend import (
    add_backend_arguments,
    check_backend,
    check_out,
    command_line,
    one_cluster,
    provenance,
    write_provenance,
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.io.shipped import experiment_arg  # a shipped file by name, from any folder

    p.add_argument("targets", type=experiment_arg, help="targets TOML with a [parameters] table of priors "
                   "(docs/targets.md), or a shipped one by name (calibrate_burnout)")
    p.add_argument("--out", required=True, help="output folder (rerun the same command to resume)")
    p.add_argument("--population", type=int, default=100, help="particles per generation (default 100)")
    p.add_argument("--generations", type=int, default=5, help="at most this many generations (default 5)")
    p.add_argument("--replicates", type=int, default=None, help="seeds per particle (default: the file's)")
    p.add_argument("--seed", type=int, default=0, help="master seed of the proposals and replicate seeds")
    p.add_argument("--ensemble-size", type=int, default=20, help="scenario files written to DIR/ensemble")
    add_backend_arguments(p)


def main(args: argparse.Namespace) -> int:
    from sim.exploration import calibration as ca
    from sim.exploration.targets import load_targets
    from sim.figures.sensitivity import prior_posterior, save, targets_check

    backend = check_backend(args)
    for flag, v, lo, hi in (("--population", args.population, 4, 100_000), ("--generations", args.generations, 1, 100),
                            ("--ensemble-size", args.ensemble_size, 1, 100_000), ("--seed", args.seed, 0, 2**32 - 1)):
        if not lo <= v <= hi:
            raise UserError(f"{flag}: must be an integer in [{lo}, {hi}], got {v}")
    if args.replicates is not None and not 1 <= args.replicates <= 10_000:
        raise UserError(f"--replicates: must be an integer in [1, 10000], got {args.replicates}")
    ts = load_targets(args.targets)
    scenario_path = ca.base_scenario_path(ts)
    cal = ca.setup(ts, seed=args.seed, replicates=args.replicates, population=args.population,
                   generations=args.generations, base_path=scenario_path)
    out = check_out(args.out, "calibrate")
    (out / "calibration.json").unlink(missing_ok=True)
    print(f"calibrate {', '.join(cal.names)} against {len(ts.targets)} targets: population {cal.population}, "
          f"up to {cal.generations} generations, {len(cal.base.seeds)} replicates per particle")
    with one_cluster(backend) as where:
        ca.calibrate(cal, out / "runs", report=print, command=command_line(), **where)
    if not cal.history:
        raise UserError(f"{args.targets}: no particle could be evaluated (every run failed: see {out}/runs)")
    post = ca.posterior(cal)
    post.to_parquet(out / "posterior.parquet", index=False)
    ca.populations(cal).to_parquet(out / "populations.parquet", index=False)
    members = ca.ensemble(cal, post, out / "ensemble", scenario_path, args.ensemble_size)
    checks = ca.target_check(cal, cal.history[0].outcomes, cal.history[-1].outcomes, cal.history[-1].weights)
    checks.to_csv(out / "targets.csv", index=False)
    (out / "figures").mkdir(exist_ok=True)
    save(prior_posterior(post, cal.priors), str(out / "figures" / "prior_posterior"))
    save(targets_check(checks), str(out / "figures" / "targets"))
    w = post["weight"].to_numpy(float)
    summary = {n: {"q05": ca.weighted_quantile(post[n].to_numpy(float), w, 0.05),
                   "median": ca.weighted_quantile(post[n].to_numpy(float), w, 0.5),
                   "q95": ca.weighted_quantile(post[n].to_numpy(float), w, 0.95)} for n in cal.names}
    write_provenance(out / "calibration.json", provenance(
        analysis="calibrate", method="ABC-SMC (Beaumont et al. 2009; adaptive median tolerance)",
        targets=args.targets, scenario=str(scenario_path), priors={k: list(v) for k, v in cal.priors.items()},
        population=cal.population, seed=args.seed, replicate_seeds=cal.base.seeds,
        generations=[{"t": g.t, "epsilon": g.epsilon, "accepted": len(g.weights), "proposed": g.proposed,
                      "runs": g.runs} for g in cal.history],
        posterior=summary, ensemble=[p.name for p in members]))
    for n, q in summary.items():
        lo, hi = cal.priors[n]
        print(f"  {n}: posterior median {q['median']:.4g}, 90% [{q['q05']:.4g}, {q['q95']:.4g}] (prior [{lo:g}, {hi:g}])")
    print("  targets inside their range over the posterior: "
          + ", ".join(f"{r['name']} {r['posterior_inside']:.0%}" for _, r in checks.iterrows()))
    print(f"-> {out}/posterior.parquet, {out}/ensemble/ ({len(members)} files), {out}/figures/")
    return 0
