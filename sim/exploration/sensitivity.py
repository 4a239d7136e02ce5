"""Global sensitivity analysis with SALib: Morris screening and Sobol variance indices of named outcomes over
the `[parameters]` ranges of a sensitivity experiment file, every sample point run on the same replicate seeds.

Verbs as in SALib: `sample` (the design matrix), `run` (every point x replicate on the sweep engine, resumable),
`analyze` (a long table `method, parameter, outcome, index, value, conf`). `screen` does all three. The outcome
of a point is its mean over the replicates (common random numbers: a field's effect is not blurred by chance
that differs from point to point). See docs/exploration.md.

File format (`experiments/sensitivity_*.toml`):

    base = "../scenarios/baseline.toml"   # scenario every point starts from
    replicates = 2                       # seeds per point (common to all points)
    seed = 1                             # master seed: replicate seeds and the SALib sample
    days = 730                           # optional; `set = {...}` optional fixed fields
    method = "morris"                    # or "sobol" (the command's --method wins)
    trajectories = 10                    # Morris: trajectories; levels = 4
    samples = 64                         # Sobol: base samples N (a power of two); second_order = false
    outcomes = ["exhaustion_mean_after", "service_resolved_share_after"]
    [parameters]
    recovery = [0.0096, 0.0144]          # field = [low, high]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.exploration.design import (
    Base,
    DesignError,
    check_outcomes,
    check_parameters,
    load_table,
    make_base,
    read_base,
    read_int,
    replicate_means,
    run_points,
)
from sim.exploration.sweep import MAX_POINTS, MAX_RUNS, check_plain_text

METHODS = ("morris", "sobol")
KEYS = ("name", "description", "base", "replicates", "seed", "days", "set", "method", "trajectories", "levels",
        "samples", "second_order", "outcomes", "parameters")
COLUMNS = ("method", "parameter", "outcome", "index", "value", "conf")


@dataclass
class Design:
    """A validated sensitivity experiment."""

    base: Base
    name: str
    description: str
    method: str
    parameters: dict[str, tuple[float, float]]
    outcomes: list[str]
    trajectories: int = 10
    levels: int = 4
    samples: int = 64
    second_order: bool = False

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem: names and bounds of the parameters."""
        return {"num_vars": len(self.parameters), "names": list(self.parameters),
                "bounds": [list(b) for b in self.parameters.values()]}

    def runs(self) -> int:
        k = len(self.parameters)
        n = self.trajectories * (k + 1) if self.method == "morris" else \
            self.samples * (2 * k + 2 if self.second_order else k + 2)
        return n * len(self.base.seeds)


def load(path: str | Path, method: str | None = None) -> Design:
    """Read and validate a sensitivity experiment file (every range end is checked as a scenario)."""
    path, data = load_table(path, KEYS)
    where = str(path)
    base_path, fields = read_base(where, path, data)
    replicates = read_int(where, data, "replicates", None, 1, 10_000)
    seed = read_int(where, data, "seed", None, 0, 2**32 - 1)
    m = method or data.get("method", "morris")
    if m not in METHODS:
        raise DesignError(f"{where}: field 'method': must be one of {', '.join(METHODS)} (got {m!r})")
    so = data.get("second_order", False)
    if not isinstance(so, bool):
        raise DesignError(f"{where}: field 'second_order': must be true or false (got {so!r})")
    samples = read_int(where, data, "samples", 64, 2, 2**20)
    if samples & (samples - 1):
        raise DesignError(f"{where}: field 'samples': must be a power of two (Sobol sequence), got {samples}")
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        raise DesignError(f"{where}: field 'name': must be a non-empty string (got {name!r})")
    if "outcomes" not in data:
        raise DesignError(f"{where}: field 'outcomes': missing (a list of outcome names like 'exhaustion_mean_after')")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise DesignError(f"{where}: field 'description': must be a string")
    check_plain_text(where, name, description, DesignError)
    design = Design(
        base=make_base(path, base_path, fields, seed, replicates), name=name,
        description=description, method=m,
        parameters=check_parameters(where, "parameters", data.get("parameters"), fields),
        outcomes=check_outcomes(where, "outcomes", data["outcomes"]),
        trajectories=read_int(where, data, "trajectories", 10, 2, 10_000),
        levels=read_int(where, data, "levels", 4, 2, 100), samples=samples, second_order=so)
    # sizes before SALib draws the matrix: points x parameters floats, and points x replicates runs
    points = design.runs() // replicates
    if design.runs() > MAX_RUNS or points > MAX_POINTS:
        what = "trajectories" if m == "morris" else "samples"
        raise DesignError(f"{where}: field {what!r}: {points} points x {replicates} replicates = {design.runs()} runs; "
                          f"at most {MAX_RUNS} runs and {MAX_POINTS} points in one design")
    return design


def sample(design: Design) -> np.ndarray:
    """The SALib design matrix (one row per point), seeded by the experiment's seed: a rerun draws the same
    points, so its runs are found in the sweep folder."""
    if design.method == "morris":
        from SALib.sample import morris

        return morris.sample(design.problem, design.trajectories, num_levels=design.levels, seed=design.base.seed)
    from SALib.sample import sobol

    return sobol.sample(design.problem, design.samples, calc_second_order=design.second_order,
                        seed=design.base.seed)


def run(design: Design, X: np.ndarray, out: str | Path, *, workers: int | None = None, dask: str | None = None,
        progress: bool = False, command: list[str] | None = None,
        runner: Callable[..., Any] | None = None) -> tuple[np.ndarray, pd.DataFrame]:
    """Run every row of X on every replicate seed (sweep folder `out`); return Y (points x outcomes, the mean
    over replicates) and the per-run table."""
    names = list(design.parameters)
    points = [dict(zip(names, map(float, row), strict=True)) for row in X]
    frame = run_points(design.name, design.base, points, out, workers=workers, dask=dask, progress=progress,
                       command=command, runner=runner, outcomes=design.outcomes)
    return replicate_means(frame, design.outcomes, len(points)), frame


def analyze(design: Design, X: np.ndarray, Y: np.ndarray) -> pd.DataFrame:
    """Sensitivity indices, long: method, parameter, outcome, index, value, conf (conf = half-width of the 95%
    bootstrap interval where SALib gives one, else NaN). Morris: mu_star, mu, sigma; Sobol: S1, ST (and S2 for
    pairs `a:b` with second_order)."""
    bad = ~np.isfinite(Y)
    if bad.any():
        cols = [design.outcomes[j] for j in np.flatnonzero(bad.any(axis=0))]
        raise DesignError(f"{design.base.path}: {int(bad.any(axis=1).sum())} of {len(Y)} points have no value for "
                          f"{', '.join(cols)} (failed runs or an empty window); indices need every point")
    problem, names, rows = design.problem, list(design.parameters), []
    for j, outcome in enumerate(design.outcomes):
        y = np.ascontiguousarray(Y[:, j])
        if design.method == "morris":
            from SALib.analyze import morris

            r = morris.analyze(problem, X, y, num_levels=design.levels, seed=design.base.seed)
            for i, p in enumerate(names):
                rows += [("morris", p, outcome, "mu_star", r["mu_star"][i], r["mu_star_conf"][i]),
                         ("morris", p, outcome, "mu", r["mu"][i], np.nan),
                         ("morris", p, outcome, "sigma", r["sigma"][i], np.nan)]
        else:
            from SALib.analyze import sobol

            if np.ptp(y) == 0:  # no variance at all: every index is 0 (SALib would divide by zero)
                rows += [("sobol", p, outcome, ix, 0.0, 0.0) for p in names for ix in ("S1", "ST")]
                continue
            r = sobol.analyze(problem, y, calc_second_order=design.second_order, seed=design.base.seed)
            for i, p in enumerate(names):
                rows += [("sobol", p, outcome, "S1", r["S1"][i], r["S1_conf"][i]),
                         ("sobol", p, outcome, "ST", r["ST"][i], r["ST_conf"][i])]
            if design.second_order:
                for a in range(len(names)):
                    for b in range(a + 1, len(names)):
                        rows.append(("sobol", f"{names[a]}:{names[b]}", outcome, "S2", r["S2"][a, b],
                                     r["S2_conf"][a, b]))
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table[["value", "conf"]] = table[["value", "conf"]].astype(float)
    return table


def ranking(indices: pd.DataFrame, outcome: str) -> list[str]:
    """Parameters from most to least influential for one outcome (mu_star for Morris, ST for Sobol)."""
    key = "mu_star" if (indices["method"] == "morris").any() else "ST"
    part = indices[(indices["outcome"] == outcome) & (indices["index"] == key)]
    return list(part.sort_values(["value", "parameter"], ascending=[False, True])["parameter"])


def screen(design: Design, out: str | Path, *, method: str | None = None, **kw: Any) -> pd.DataFrame:
    """sample -> run -> analyze; the runs go to `out/runs` (resumable). Returns the indices table."""
    if method is not None and method != design.method:
        design = replace(design, method=method)
    X = sample(design)
    Y, _ = run(design, X, Path(out) / "runs", **kw)
    return analyze(design, X, Y)
