"""`python -m sim attribute SCENARIO.toml --out DIR [--replicates N] [--days N] [--workers N | --dask ADDRESS]`

Shapley attribution of a package reform's effect (the scenario against itself with every lever off) to its
levers, on common seeds: exact over all 2^k lever subsets up to k = 10, sampled orders above. Writes
DIR/shapley.csv (lever, outcome, value, ci_low, ci_high; `lever = "total"` is the package's effect),
DIR/interactions.csv (pairs, strongest first), DIR/subsets.parquet, DIR/figures/waterfall_<outcome>.png,
DIR/runs/ (the sweep folder: rerun to resume) and DIR/attribution.json (written last). See docs/exploration.md.
"""

from __future__ import annotations

import argparse

from sim.cli import UserError
from sim.cli.backend import add_backend_arguments, check_backend, check_out, command_line, provenance, write_provenance


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.io.shipped import scenario_arg  # a shipped scenario by name, from any folder

    p.add_argument("scenario", type=scenario_arg,
                   help="a package reform scenario (several levers on), e.g. scenarios/all_reforms.toml or all_reforms")
    p.add_argument("--out", required=True, help="output folder (rerun the same command to resume)")
    p.add_argument("--replicates", type=int, default=10, help="common seeds per subset (default 10)")
    p.add_argument("--seed", type=int, default=0, help="master seed of the replicate seeds (default 0)")
    p.add_argument("--days", type=int, default=None, help="run length (default: the scenario's)")
    p.add_argument("--outcomes", default=None,
                   help="comma-separated outcomes (default: the headline outcomes after the reform day)")
    p.add_argument("--levers", default=None, help="comma-separated levers to attribute to (default: all that are on)")
    p.add_argument("--permutations", type=int, default=64,
                   help="lever orders sampled when more than 10 levers are on (default 64)")
    add_backend_arguments(p)


def main(args: argparse.Namespace) -> int:
    from sim.exploration import attribution as at
    from sim.figures.sensitivity import save, waterfall

    backend = check_backend(args)
    if not 2 <= args.replicates <= 10_000:
        raise UserError(f"--replicates: must be an integer in [2, 10000] (intervals need two), got {args.replicates}")
    if not 2 <= args.permutations <= 100_000:
        raise UserError(f"--permutations: must be an integer in [2, 100000], got {args.permutations}")
    if args.seed < 0:
        raise UserError(f"--seed: must be a non-negative integer, got {args.seed}")
    split = (lambda s: [x.strip() for x in s.split(",") if x.strip()] if s else None)  # noqa: E731
    package = at.load(args.scenario, replicates=args.replicates, seed=args.seed, days=args.days,
                      outcomes=split(args.outcomes), levers=split(args.levers))
    out = check_out(args.out, "attribute")
    (out / "attribution.json").unlink(missing_ok=True)
    plan = at.sample(package, args.permutations, args.seed)
    how = "exact, every subset" if plan.exact else f"{len(plan.orders or [])} sampled orders"
    print(f"{package.base.name}: {len(package.levers)} levers ({', '.join(package.levers)}); {how}: "
          f"{len(plan.masks)} subsets x {args.replicates} replicates")
    v = at.run(package, plan, out / "runs", command=command_line(), **backend)
    shap, inter = at.analyze(package, plan, v)
    for name, df in (("shapley.csv", shap), ("interactions.csv", inter)):
        tmp = out / f".tmp-{name}"
        df.to_csv(tmp, index=False)
        tmp.replace(out / name)
    at.subsets_table(package, plan, v).to_parquet(out / "subsets.parquet", index=False)
    (out / "figures").mkdir(exist_ok=True)
    for o in package.outcomes:
        save(waterfall(shap, o), str(out / "figures" / f"waterfall_{o}"))
    write_provenance(out / "attribution.json", provenance(
        analysis="attribute", scenario=args.scenario, scenario_sha256=package.base.file_hash,
        levers=package.levers, exact=plan.exact, permutations=None if plan.exact else len(plan.orders or []),
        subsets=len(plan.masks), replicates=args.replicates, seed=args.seed, replicate_seeds=package.base.seeds,
        outcomes=package.outcomes, days=package.base.fields.get("days")))
    for o in package.outcomes[:3]:
        part = shap[shap["outcome"] == o].set_index("lever")["value"]
        top = part.drop("total").abs().sort_values(ascending=False).index[:3]
        print(f"  {o}: total {part['total']:+.4g}; " + ", ".join(f"{lv} {part[lv]:+.4g}" for lv in top))
    strong = inter.dropna(subset=["share_of_total"])
    strong = strong.reindex(strong["share_of_total"].abs().sort_values(ascending=False).index).head(3)
    for _, r in strong.iterrows():
        print(f"  interaction {r['lever_a']} x {r['lever_b']} on {r['outcome']}: {r['value']:+.4g} "
              f"({r['share_of_total']:+.0%} of the total effect)")
    print(f"-> {out}/shapley.csv, {out}/interactions.csv, {out}/figures/")
    return 0
