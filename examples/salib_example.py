"""Global sensitivity of the reform outcomes to the levers with SALib, calling `sim.run_scenario` as a plain
function with lever values as keywords.

    python examples/salib_example.py                       # Morris screening, small county (~1 min)
    python examples/salib_example.py --method sobol -n 64  # Sobol indices (n x (2k+2) runs)

Each sample row is a set of lever values; `evaluate` runs the small county once per row on a fixed seed
(common random numbers: the seed is not a factor being analysed) and returns the outcome after the reform day.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
import sim  # noqa: E402

# The county every sample runs in: small and short, so a sweep of hundreds of runs takes a minute.
COUNTY = {"n_townships": 3, "days": 240, "policy_start_day": 120, "warmup_days": 30}

# Levers and their ranges (each inside the scenario field's valid range; see docs/levers.md).
PROBLEM = {
    "num_vars": 5,
    "names": ["document_cut", "meeting_cut", "form_dedup", "training", "displacement"],
    "bounds": [[0.0, 0.5], [0.0, 0.5], [0.0, 1.0], [0.0, 1.0], [0.0, 1.0]],
}
OUTCOMES = ("exhaustion_mean_after", "service_resolved_share_after", "formalism_share_after")


def evaluate(X: np.ndarray, seed: int = 0, days: int | None = None) -> np.ndarray:
    """One row of outcomes per sample row: a plain loop over sim.run_scenario."""
    Y = np.empty((len(X), len(OUTCOMES)))
    for i, row in enumerate(X):
        levers = dict(zip(PROBLEM["names"], map(float, row), strict=True))
        s = sim.run_scenario(COUNTY, seed=seed, days=days, **levers).summary
        Y[i] = [s[o] for o in OUTCOMES]
    return Y


def morris(n: int = 8, seed: int = 0, days: int | None = None) -> dict[str, dict]:
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    X = sample.sample(PROBLEM, n, num_levels=4, seed=seed)
    Y = evaluate(X, seed, days)
    return {o: analyze.analyze(PROBLEM, X, Y[:, j], num_levels=4, seed=seed) for j, o in enumerate(OUTCOMES)}


def sobol(n: int = 64, seed: int = 0, days: int | None = None) -> dict[str, dict]:
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    X = sample.sample(PROBLEM, n, calc_second_order=False, seed=seed)
    Y = evaluate(X, seed, days)
    return {o: analyze.analyze(PROBLEM, Y[:, j], calc_second_order=False, seed=seed) for j, o in enumerate(OUTCOMES)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--method", choices=("morris", "sobol"), default="morris")
    p.add_argument("-n", type=int, default=None, help="trajectories (Morris, default 8) or base samples (Sobol, 64)")
    a = p.parse_args()
    if a.method == "morris":
        res = morris(a.n or 8)
        for o, r in res.items():
            print(f"\n{o}  (Morris: mu_star = mean |elementary effect|, sigma = its spread)")
            for name, mu, sd in zip(PROBLEM["names"], r["mu_star"], r["sigma"], strict=True):
                print(f"  {name:14s} mu_star {mu:9.4f}  sigma {sd:9.4f}")
    else:
        res = sobol(a.n or 64)
        for o, r in res.items():
            print(f"\n{o}  (Sobol: S1 first order, ST total)")
            for name, s1, st in zip(PROBLEM["names"], r["S1"], r["ST"], strict=True):
                print(f"  {name:14s} S1 {s1:7.3f}  ST {st:7.3f}")


if __name__ == "__main__":
    main()
