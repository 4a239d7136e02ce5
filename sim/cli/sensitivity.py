"""`python -m sim sensitivity EXPERIMENT.toml --out DIR [--method morris|sobol] [--workers N | --dask ADDRESS]`

Global sensitivity (SALib) of the experiment's outcomes over its `[parameters]` ranges, every point on the same
replicate seeds. Writes DIR/indices.csv (method, parameter, outcome, index, value, conf), DIR/points.parquet
(the sample and each point's outcomes), DIR/figures/<method>_<outcome>.png, DIR/runs/ (the sweep folder: rerun
the same command to resume) and DIR/sensitivity.json (provenance, written last). See docs/exploration.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.backend import add_backend_arguments, check_backend, check_out, command_line, provenance, write_provenance


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.io.shipped import experiment_arg  # a shipped experiment by name, from any folder

    p.add_argument("experiment", type=experiment_arg,
                   help="sensitivity experiment TOML, or a shipped one by name (small_morris, sensitivity_morris, ...)")
    p.add_argument("--out", required=True, help="output folder (rerun the same command to resume)")
    p.add_argument("--method", choices=("morris", "sobol"), default=None, help="default: the file's `method`")
    add_backend_arguments(p)


def main(args: argparse.Namespace) -> int:
    import pandas as pd

    from sim.exploration import sensitivity as sa
    from sim.figures.sensitivity import morris_plane, save, sobol_bars

    backend = check_backend(args)
    design = sa.load(args.experiment, args.method)
    out = check_out(args.out, "sensitivity")
    (out / "sensitivity.json").unlink(missing_ok=True)
    X = sa.sample(design)
    print(f"{design.name}: {design.method}, {len(design.parameters)} fields x {len(design.outcomes)} outcomes, "
          f"{len(X)} points x {len(design.base.seeds)} replicates = {len(X) * len(design.base.seeds)} runs")
    Y, frame = sa.run(design, X, out / "runs", command=command_line(), **backend)
    indices = sa.analyze(design, X, Y)
    tmp = out / ".tmp-indices.csv"
    indices.to_csv(tmp, index=False)
    tmp.replace(out / "indices.csv")
    points = pd.DataFrame(X, columns=list(design.parameters))
    points.insert(0, "point", range(len(X)))
    for j, o in enumerate(design.outcomes):
        points[o] = Y[:, j]
    points.to_parquet(out / "points.parquet", index=False)
    (out / "figures").mkdir(exist_ok=True)
    for o in design.outcomes:
        fig = morris_plane(indices, o) if design.method == "morris" else sobol_bars(indices, o)
        save(fig, str(out / "figures" / f"{design.method}_{o}"))
    write_provenance(out / "sensitivity.json", provenance(
        analysis="sensitivity", method=design.method, experiment=str(Path(args.experiment)),
        experiment_sha256=design.base.file_hash, seed=design.base.seed, replicate_seeds=design.base.seeds,
        parameters={k: list(v) for k, v in design.parameters.items()}, outcomes=design.outcomes,
        points=len(X), runs=len(frame), failed=int((frame["status"] != "ok").sum()),
        trajectories=design.trajectories, levels=design.levels, samples=design.samples,
        second_order=design.second_order))
    for o in design.outcomes:
        top = sa.ranking(indices, o)[:5]
        print(f"  {o}: most influential {', '.join(top)}")
    print(f"-> {out}/indices.csv, {out}/figures/")
    return 0
