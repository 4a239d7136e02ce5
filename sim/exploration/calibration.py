"""Calibration of scenario fields to observed patterns by ABC population Monte Carlo (Beaumont et al. 2009,
Biometrika 96:983: the ABC-SMC sampler of Toni et al. 2009, J R Soc Interface 6:187, with importance weights
and a Gaussian kernel of twice the weighted covariance), the tolerance adapted as the median of the last
generation's accepted distances (Drovandi and Pettitt 2011's quantile rule; pyabc's default MedianEpsilon).

Priors are the uniform ranges of a targets file's `[parameters]`; the distance is `targets.distance` of a
particle's summary averaged over the replicate seeds (0 when every target lies in its range). Generation 0
draws from the prior; each later one draws from the weighted last population, moved by a Gaussian kernel with
twice its weighted covariance, and keeps particles closer than the tolerance.

Every batch of proposals is drawn from `SeedSequence([seed, generation, batch])` and run through the sweep
engine into one run folder: the algorithm is deterministic given its runs, so a killed calibration, run again,
redraws the same particles, finds their finished runs on disk and only runs what is missing.

Verbs: `sample` (one batch of proposals), `run` (a batch on the sweep engine), `analyze` (weights, tolerance);
`calibrate` loops them into generations, then `ensemble` resamples the posterior into scenario files.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.scenario import Scenario, ScenarioError, make_scenario
from sim.exploration.design import Base, DesignError, integer_field, make_base, run_points
from sim.exploration.sweep import MAX_RUNS
from sim.exploration.targets import TargetSet, distance
from sim.io.loader import fit_days
from sim.io.toml import read_toml

MAX_WEIGHT_BYTES = 1_000_000_000  # the (new x old x parameters) array of `analyze`: 1 GB at most


@dataclass
class Generation:
    """One accepted population: parameter rows, weights (sum 1), distances, the tolerance it was accepted at."""

    t: int
    theta: np.ndarray
    weights: np.ndarray
    distances: np.ndarray
    epsilon: float
    proposed: int
    runs: int
    outcomes: pd.DataFrame  # the target outcomes of each particle (mean over replicates)


@dataclass
class Calibration:
    """The problem: priors, targets, base scenario and seeds, and the algorithm's settings."""

    targets: TargetSet
    base: Base
    priors: dict[str, tuple[float, float]]
    population: int = 100
    generations: int = 5
    quantile: float = 0.5
    min_epsilon: float = 0.0
    max_proposals: int = 20  # per generation: at most this many times the population
    history: list[Generation] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return list(self.priors)

    @property
    def bounds(self) -> np.ndarray:
        return np.array([self.priors[n] for n in self.names], dtype=float)


def base_scenario_path(target_set: TargetSet) -> Path:
    """The scenario file the targets file names (relative to it)."""
    data = read_toml(target_set.path, "targets")
    return (target_set.path.parent / str(data.get("scenario", ""))).resolve()


def setup(target_set: TargetSet, *, seed: int = 0, replicates: int | None = None, population: int = 100,
          generations: int = 5, base_path: Path | None = None) -> Calibration:
    """A calibration of the target set's `[parameters]` against its targets."""
    if not target_set.parameters:
        raise DesignError(f"{target_set.path}: field 'parameters': missing; calibration needs priors as "
                          "[parameters] field = [low, high]")
    flat = [n for n, (lo, hi) in target_set.parameters.items() if not lo < hi]
    if flat:
        raise DesignError(f"{target_set.path}: field 'parameters.{flat[0]}': a prior needs low < high")
    where = str(target_set.path)
    reps = replicates or target_set.replicates
    # sizes before anything is allocated: one generation runs at most max_proposals x population particles on
    # every replicate seed, and the importance weights hold a population x population x parameters array
    runs = Calibration.max_proposals * population * reps
    if runs > MAX_RUNS:
        raise DesignError(f"{where}: population {population} x {reps} replicates could need {runs} runs in one "
                          f"generation ({Calibration.max_proposals} proposals per particle); at most {MAX_RUNS}")
    cells = population * population * len(target_set.parameters)
    if cells * 8 > MAX_WEIGHT_BYTES:
        raise DesignError(f"{where}: population {population} with {len(target_set.parameters)} parameters needs "
                          f"{cells * 8 / 1e9:.1f} GB for the importance weights; at most {MAX_WEIGHT_BYTES / 1e9:g} GB "
                          "(a smaller --population)")
    # `days` in the targets file: the reform day follows it unless the scenario sets policy_start_day (the one
    # rule of sim.io.loader.fit_days, already checked by load_targets); the base is validated before any folder
    fields = target_set.scenario.fields()
    if target_set.days is not None:
        fields = fit_days(where, fields, target_set.days, hint="in the scenario file", error=DesignError)
    try:
        make_scenario(fields, where)
    except ScenarioError as err:
        raise DesignError(str(err)) from None
    path = base_path if base_path is not None else target_set.path
    base = make_base(target_set.path, path, fields, seed, reps)
    return Calibration(targets=target_set, base=base, priors=dict(target_set.parameters), population=population,
                       generations=generations)


def _rng(cal: Calibration, t: int, batch: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([cal.base.seed, t, batch]))


def _kernel(prev: Generation) -> np.ndarray:
    """Cholesky factor of twice the weighted covariance of the last population (Beaumont et al. 2009)."""
    x, w = prev.theta, prev.weights
    mean = (w[:, None] * x).sum(axis=0)
    cov = 2.0 * ((w[:, None] * (x - mean)).T @ (x - mean)) / max(1.0 - float((w * w).sum()), 1e-12)
    cov += np.eye(len(mean)) * 1e-12 * (1 + np.abs(mean) ** 2)
    return np.linalg.cholesky(cov)


def sample(cal: Calibration, t: int, batch: int, size: int) -> np.ndarray:
    """`size` proposals of generation t: from the prior (t = 0) or the perturbed last population; only
    proposals inside the prior's support are returned (those outside need no run)."""
    rng = _rng(cal, t, batch)
    lo, hi = cal.bounds[:, 0], cal.bounds[:, 1]
    if t == 0:
        return lo + (hi - lo) * rng.random((size, len(lo)))
    prev = cal.history[-1]
    L = _kernel(prev)
    idx = rng.choice(len(prev.weights), size=size, p=prev.weights)
    x = prev.theta[idx] + rng.standard_normal((size, len(lo))) @ L.T
    for j, n in enumerate(cal.names):
        if integer_field(n):
            x[:, j] = np.round(x[:, j])
    inside = np.all((x >= lo) & (x <= hi), axis=1)
    return x[inside]


def run(cal: Calibration, theta: np.ndarray, out: str | Path, *, name: str = "calibrate",
        runner: Callable[..., Any] | None = None, **kw: Any) -> tuple[np.ndarray, pd.DataFrame]:
    """Run each particle on the replicate seeds; return its distance (of the mean summary over replicates) and
    the per-particle mean outcomes of the targets."""
    points = [dict(zip(cal.names, map(float, row), strict=True)) for row in theta]
    outcomes = cal.targets.outcomes
    frame = run_points(name, cal.base, points, out, runner=runner, outcomes=outcomes, **kw)
    means = frame.groupby("point")[outcomes].mean().reindex(range(len(points)))
    failed = frame.groupby("point")["status"].apply(lambda s: bool((s != "ok").any())).reindex(range(len(points)))
    d = np.array([math.inf if failed.iloc[i] else distance(cal.targets, means.iloc[i].to_dict())
                  for i in range(len(points))], dtype=float)
    return d, means


def analyze(cal: Calibration, theta: np.ndarray) -> np.ndarray:
    """Normalised importance weights of accepted particles: prior density over the mixture of kernels around
    the last population (uniform prior: constant inside the support)."""
    if not cal.history:
        return np.full(len(theta), 1.0 / len(theta))
    prev = cal.history[-1]
    L = _kernel(prev)
    inv = np.linalg.inv(L)
    z = (theta[:, None, :] - prev.theta[None, :, :]) @ inv.T  # (new, old, dims)
    k = np.exp(-0.5 * (z * z).sum(axis=2))
    denom = k @ prev.weights
    w = 1.0 / np.maximum(denom, 1e-300)
    return w / w.sum()


def calibrate(cal: Calibration, out: str | Path, *, report: Callable[[str], None] | None = None,
              runner: Callable[..., Any] | None = None, **kw: Any) -> list[Generation]:
    """Run generations until `generations` are done or the tolerance reaches `min_epsilon`; runs go to
    `out` (one sweep folder for all generations)."""
    cal.history = []
    eps = math.inf
    for t in range(cal.generations):
        acc_x: list[np.ndarray] = []
        acc_d: list[float] = []
        acc_m: list[pd.DataFrame] = []
        proposed = runs = batch = 0
        rate = 1.0 if t == 0 else 0.4
        while sum(map(len, acc_x)) < cal.population and proposed < cal.max_proposals * cal.population:
            need = cal.population - sum(map(len, acc_x))
            x = sample(cal, t, batch, max(need, math.ceil(1.2 * need / rate)))
            batch += 1
            if len(x) == 0:
                continue
            d, means = run(cal, x, out, name=f"calibrate_g{t}_b{batch - 1}", runner=runner, **kw)
            proposed += len(x)
            runs += len(x) * len(cal.base.seeds)
            keep = np.isfinite(d) & (d <= eps)
            acc_x.append(x[keep])
            acc_d += list(d[keep])
            acc_m.append(means[keep])
            rate = max(float(keep.mean()), 0.02)
        n = min(sum(map(len, acc_x)), cal.population)
        if n < 2:
            if report:
                report(f"generation {t}: {n} particles within tolerance {eps:.4g} after {proposed} proposals; "
                         "stopping")
            break
        x = np.concatenate(acc_x)[:n]
        d = np.array(acc_d)[:n]
        m = pd.concat(acc_m, ignore_index=True).iloc[:n].reset_index(drop=True)
        g = Generation(t, x, analyze(cal, x), d, eps, proposed, runs, m)
        cal.history.append(g)
        if report:
            report(f"generation {t}: tolerance {eps:.4g}, {n} accepted of {proposed} proposed ({runs} runs), "
                     f"median distance {np.median(d):.4g}")
        if eps <= cal.min_epsilon:
            break
        eps = float(np.quantile(d, cal.quantile))
    return cal.history


def posterior(cal: Calibration, g: Generation | None = None) -> pd.DataFrame:
    """A generation (default: the last): one row per accepted parameter set with its weight and distance."""
    g = cal.history[-1] if g is None else g
    df = pd.DataFrame(g.theta, columns=cal.names)
    df.insert(0, "particle", range(len(df)))
    df["weight"], df["distance"], df["generation"], df["epsilon"] = g.weights, g.distances, g.t, g.epsilon
    return df


def populations(cal: Calibration) -> pd.DataFrame:
    """Every generation's population, stacked (for convergence plots)."""
    return pd.concat([posterior(cal, g) for g in cal.history], ignore_index=True)


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x, kind="stable")
    cw = np.cumsum(w[order])
    cw = cw / cw[-1]
    return float(x[order][min(np.searchsorted(cw, q), len(x) - 1)])


def resample(post: pd.DataFrame, size: int, seed: int = 0) -> pd.DataFrame:
    """`size` members drawn by systematic resampling on the weights: an equally weighted ensemble."""
    w = post["weight"].to_numpy(float)
    cw = np.cumsum(w / w.sum())
    u = (np.random.default_rng(seed).random() + np.arange(size)) / size
    idx = np.minimum(np.searchsorted(cw, u), len(w) - 1)
    return post.iloc[idx].reset_index(drop=True)


def ensemble(cal: Calibration, post: pd.DataFrame, folder: Path, scenario_path: Path, size: int = 20) -> list[Path]:
    """Write `size` scenario files `member_NNN.toml` that `extends` the base scenario with one posterior draw
    each (equally weighted: resampled by weight)."""
    folder.mkdir(parents=True, exist_ok=True)
    for p in folder.glob("member_*.toml"):
        p.unlink()
    members = resample(post, size, cal.base.seed)
    rel = os.path.relpath(scenario_path, folder)
    paths = []
    for i, row in members.iterrows():
        lines = [f"# posterior draw (particle {int(row['particle'])}, generation {int(row['generation'])}) of "
                 f"{cal.targets.path.name}; written by `grassroots calibrate`",
                 f"extends = {rel!r}".replace("'", '"'), f'name = "{cal.base.name}_posterior_{i:03d}"']
        for n in cal.names:
            v = row[n]
            ann = Scenario.model_fields[n].annotation
            lines.append(f"{n} = {int(round(v))}" if ann is int else f"{n} = {float(v)!r}")
        p = folder / f"member_{i:03d}.toml"
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(p)
    return paths


def target_check(cal: Calibration, prior_means: pd.DataFrame, post_means: pd.DataFrame,
                 post_weights: np.ndarray) -> pd.DataFrame:
    """Per target: range, and the model's values over the prior sample and over the posterior (weighted
    5%, 50%, 95%), and the share of the posterior inside the range."""
    rows = []
    for tg in cal.targets.targets:
        r: dict[str, Any] = {"name": tg.name, "outcome": tg.outcome, "level": tg.level, "low": tg.low,
                             "high": tg.high, "source": tg.source}
        for label, means, w in (("prior", prior_means, None), ("posterior", post_means, post_weights)):
            v = means[tg.outcome].to_numpy(float)
            ww = np.full(len(v), 1.0 / len(v)) if w is None else np.asarray(w, float)
            ok = np.isfinite(v)
            for q, name in ((0.05, "q05"), (0.5, "median"), (0.95, "q95")):
                r[f"{label}_{name}"] = weighted_quantile(v[ok], ww[ok], q) if ok.any() else math.nan
            r[f"{label}_inside"] = float(ww[ok & (v >= tg.low) & (v <= tg.high)].sum() / ww[ok].sum()) if ok.any() else math.nan
        rows.append(r)
    return pd.DataFrame(rows)
