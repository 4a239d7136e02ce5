"""Which lever of a package reform earns its effect: Shapley attribution over the package's levers.

The package is a scenario file with several levers on; its reference is the same scenario with every lever off
(each lever field at its default). The value of a set S of levers is an outcome with the levers in S on and the
others off, minus the reference, run on the same replicate seeds. A lever's Shapley value is its marginal
contribution averaged over every order in which the levers could be switched on: exact over all 2^k subsets
for k <= 10 levers, over sampled orders (antithetic pairs) above. Per replicate the values add up to the
package's total effect, and two levers that do the same thing get the same share. Pairwise interactions: the
Shapley interaction index (exact) or, above 10 levers, the pair's interaction measured from the reference
(v(ij) - v(i) - v(j) + v(0)).

Verbs: `sample` (the lever subsets to run), `run` (sweep engine, resumable), `analyze` (shapley + interactions).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.record import HEADLINE
from sim.core.scenario import LEVERS, Scenario
from sim.exploration.design import Base, DesignError, check_outcomes, make_base, run_points
from sim.io.loader import fit_days, read_fields
from sim.io.tables import t_interval

EXACT_MAX = 10  # levers up to which every subset is run
DEFAULT_OUTCOMES = tuple(f"{o}_after" for o in HEADLINE)
GROUPS = {"duty_list": ("duty_shares", "duty_list_file")}  # fields that travel with a lever (off: defaults)


@dataclass
class Package:
    """A package reform: its fields, the levers it switches on, and the replicate seeds."""

    base: Base
    levers: list[str]
    on: dict[str, dict[str, Any]]   # lever -> its fields in the package
    off: dict[str, dict[str, Any]]  # lever -> its fields when off (the defaults)
    outcomes: list[str]


@dataclass
class Plan:
    """The subsets to run (bitmasks over `levers`) and, when sampled, the lever orders."""

    masks: list[int]
    orders: list[list[int]] | None  # None: exact over all subsets

    @property
    def exact(self) -> bool:
        return self.orders is None


def levers_of(fields: dict[str, Any]) -> list[str]:
    """The lever fields whose value differs from their default (off)."""
    defaults = Scenario.model_fields
    return [k for k in LEVERS if k in fields and fields[k] != defaults[k].default]


def load(path: str | Path, *, replicates: int = 10, seed: int = 0, days: int | None = None,
         outcomes: Sequence[str] | None = None, levers: Sequence[str] | None = None) -> Package:
    """A package scenario file; its levers are the lever fields it sets away from off (or `levers`)."""
    path = Path(path)
    fields = read_fields(path)
    fields.setdefault("name", path.stem)
    if days is not None:  # the one rule for a `days` set outside the scenario (sim.io.loader.fit_days)
        fields = fit_days(str(path), fields, days, key="--days", hint="in the scenario file", error=DesignError)
    from sim.core.scenario import make_scenario

    make_scenario(fields, str(path))
    found = levers_of(fields)
    if levers is not None:
        bad = [k for k in levers if k not in found]
        if bad:
            raise DesignError(f"{path}: lever {bad[0]!r} is not switched on in this package (on: {', '.join(found)})")
        found = [k for k in found if k in levers]
    if len(found) < 2:
        raise DesignError(f"{path}: a package needs at least two levers switched on to attribute its effect "
                          f"(found {len(found)}: {', '.join(found) or 'none'}; lever fields: docs/levers.md)")
    defaults = {k: f.default for k, f in Scenario.model_fields.items()}
    on, off = {}, {}
    for k in found:
        group = (k, *GROUPS.get(k, ()))
        on[k] = {g: fields[g] for g in group if g in fields}
        off[k] = {g: defaults[g] for g in group}
    outs = check_outcomes(str(path), "--outcomes", list(outcomes)) if outcomes else list(DEFAULT_OUTCOMES)
    return Package(base=make_base(path, path, fields, seed, replicates), levers=found, on=on, off=off,
                   outcomes=outs)


def sample(package: Package, permutations: int = 64, seed: int = 0) -> Plan:
    """Every subset (k <= 10), or the prefixes of `permutations` sampled orders (antithetic: each order and its
    reverse) plus every single lever and pair (for the interactions)."""
    k = len(package.levers)
    if k <= EXACT_MAX:
        return Plan(list(range(2**k)), None)
    rng = np.random.default_rng(seed)
    orders: list[list[int]] = []
    while len(orders) < permutations:
        p = [int(i) for i in rng.permutation(k)]
        orders += [p, p[::-1]]
    orders = orders[:permutations]
    masks = {0, 2**k - 1}
    for p in orders:
        m = 0
        for i in p:
            m |= 1 << i
            masks.add(m)
    for i in range(k):
        for j in range(i, k):
            masks.add((1 << i) | (1 << j))
    return Plan(sorted(masks), orders)


def points(package: Package, plan: Plan) -> list[dict[str, Any]]:
    out = []
    for m in plan.masks:
        p: dict[str, Any] = {}
        for i, lever in enumerate(package.levers):
            p.update(package.on[lever] if m >> i & 1 else package.off[lever])
        out.append(p)
    return out


def run(package: Package, plan: Plan, out: str | Path, *, workers: int | None = None, dask: str | None = None,
        progress: bool = False, command: list[str] | None = None,
        runner: Callable[..., Any] | None = None) -> dict[int, np.ndarray]:
    """Run every subset on every replicate seed; returns mask -> (replicates x outcomes) array."""
    frame = run_points(f"attribute_{package.base.name}", package.base, points(package, plan), out, workers=workers,
                       dask=dask, progress=progress, command=command, runner=runner, outcomes=package.outcomes)
    failed = frame["status"] != "ok"
    if failed.any():
        raise DesignError(f"{package.base.path}: {int(failed.sum())} runs failed (see {out}/runs.parquet); "
                          "Shapley values need every subset")
    n_rep = len(package.base.seeds)
    values = frame.sort_values(["point", "replicate"])[package.outcomes].to_numpy(float)
    return {m: values[i * n_rep:(i + 1) * n_rep] for i, m in enumerate(plan.masks)}


def shapley_per_replicate(k: int, plan: Plan, v: dict[int, np.ndarray]) -> np.ndarray:
    """(levers x replicates x outcomes) Shapley values of v - v(0), per replicate."""
    shape = v[0].shape
    phi = np.zeros((k, *shape))
    if plan.exact:
        w = [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)]
        for m in range(2**k):
            s = m.bit_count()
            for i in range(k):
                if not m >> i & 1:
                    phi[i] += w[s] * (v[m | 1 << i] - v[m])
        return phi
    for order in plan.orders or []:
        m = 0
        for i in order:
            phi[i] += v[m | 1 << i] - v[m]
            m |= 1 << i
    return phi / len(plan.orders or [1])


def interactions_per_replicate(k: int, plan: Plan, v: dict[int, np.ndarray]) -> dict[tuple[int, int], np.ndarray]:
    """Pairwise interaction per replicate: the Shapley interaction index (exact) or the pair's interaction
    from the reference, v(ij) - v(i) - v(j) + v(0) (sampled)."""
    out = {}
    for i in range(k):
        for j in range(i + 1, k):
            bi, bj = 1 << i, 1 << j
            if plan.exact:
                acc = np.zeros(v[0].shape)
                for m in range(2**k):
                    if m & (bi | bj):
                        continue
                    s = m.bit_count()
                    w = math.factorial(s) * math.factorial(k - s - 2) / math.factorial(k - 1)
                    acc += w * (v[m | bi | bj] - v[m | bi] - v[m | bj] + v[m])
                out[(i, j)] = acc
            else:
                out[(i, j)] = v[bi | bj] - v[bi] - v[bj] + v[0]
    return out


def _row(values: np.ndarray) -> tuple[float, float, float]:
    mean, lo, hi, _ = t_interval(values)
    return mean, lo, hi


def analyze(package: Package, plan: Plan, v: dict[int, np.ndarray]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(shapley, interactions). shapley: lever, outcome, value, ci_low, ci_high (95% t-interval over replicates),
    plus `lever = "total"` rows (the package minus the reference). interactions: lever_a, lever_b, outcome,
    value, ci_low, ci_high, method, share_of_total (value / |total effect|); per outcome, strongest first."""
    k = len(package.levers)
    phi = shapley_per_replicate(k, plan, v)
    total = v[2**k - 1] - v[0]
    rows = []
    for j, o in enumerate(package.outcomes):
        for i, lever in enumerate(package.levers):
            rows.append((lever, o, *_row(phi[i, :, j])))
        rows.append(("total", o, *_row(total[:, j])))
    shap = pd.DataFrame(rows, columns=["lever", "outcome", "value", "ci_low", "ci_high"])
    method = "shapley_interaction_index" if plan.exact else "pair_from_reference"
    rows = []
    for (a, b), x in interactions_per_replicate(k, plan, v).items():
        for j, o in enumerate(package.outcomes):
            rows.append((package.levers[a], package.levers[b], o, *_row(x[:, j]), method))
    inter = pd.DataFrame(rows, columns=["lever_a", "lever_b", "outcome", "value", "ci_low", "ci_high", "method"])
    totals = shap[shap["lever"] == "total"].set_index("outcome")["value"].abs()
    inter["share_of_total"] = inter["value"] / inter["outcome"].map(totals).replace(0.0, np.nan)
    order = {o: n for n, o in enumerate(package.outcomes)}
    inter = inter.assign(_o=inter["outcome"].map(order), _a=-inter["value"].abs())
    inter = inter.sort_values(["_o", "_a"], kind="stable").drop(columns=["_o", "_a"])
    return shap, inter.reset_index(drop=True)


def subsets_table(package: Package, plan: Plan, v: dict[int, np.ndarray]) -> pd.DataFrame:
    """One row per subset x replicate: the levers on (0/1 columns), the seed and the outcomes."""
    rows = []
    for m in plan.masks:
        for r, seed in enumerate(package.base.seeds):
            rows.append({**{lv: int(m >> i & 1) for i, lv in enumerate(package.levers)}, "replicate": r,
                         "seed": seed, **dict(zip(package.outcomes, v[m][r], strict=True))})
    return pd.DataFrame(rows)
