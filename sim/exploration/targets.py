"""Observed patterns as data (pattern-oriented modelling, Grimm et al. 2005): a targets file names, for each
pattern the sources report, a model outcome, the level it is observed at, a range and its source in BRIEF.md.

The verbs, one job each (the format is in `scenarios/targets.toml` and docs/targets.md):
- `load_targets(path)` reads and checks a targets file into a `TargetSet` (bad input: one-line ScenarioError);
- `run(target_set)` runs its scenario on seeds 0..N-1 and returns one row per run (the summary outcomes);
- `evaluate(target_set, runs)` gives one row per target: the model's value, the range, pass or fail;
- `distance(target_set, summary)` says how far one run lies outside the ranges (0 inside all of them), the
  distance ABC calibration (`sim calibrate`) uses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.record import summary_names
from sim.core.scenario import FIELDS, Scenario, ScenarioError, make_scenario
from sim.io.loader import fit_days, load_scenario
from sim.io.safe_read import check_named
from sim.io.toml import read_toml

LEVELS = ("secretary", "village cadre", "township cadre", "county")
STATISTICS = ("mean", "median")
TOP_KEYS = ("scenario", "replicates", "days", "targets", "parameters")
TARGET_KEYS = ("name", "outcome", "level", "low", "high", "source", "statistic")
MAX_REPLICATES = 10_000
COLUMNS = ("name", "outcome", "level", "value", "low", "high", "passed", "source")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Target:
    """One observed pattern: the model's `outcome` (a summary key) must lie in [low, high]."""

    name: str
    outcome: str
    level: str
    low: float
    high: float
    source: str
    statistic: str = "mean"

    def width(self) -> float:
        """The range's width, the unit of `distance` (a point target counts in units of its own size)."""
        w = self.high - self.low
        return w if w > 0 else max(abs(self.low), 1e-9)


@dataclass
class TargetSet:
    """A targets file, loaded: the scenario the targets are checked on, the run settings, the targets and (for
    calibration) uniform priors over scenario fields."""

    path: Path
    scenario: Scenario
    replicates: int
    days: int | None
    targets: list[Target]
    parameters: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def outcomes(self) -> list[str]:
        """The summary keys the targets read, each once, in file order."""
        return list(dict.fromkeys(t.outcome for t in self.targets))


def _int(where: str, key: str, v: Any, lo: int, hi: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ScenarioError(f"{where}: field {key!r}: must be an integer in [{lo}, {hi}] (got {v!r})")
    return v


def _number(where: str, key: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ScenarioError(f"{where}: field {key!r}: must be a finite number (got {v!r})")
    return float(v)


def _target(where: str, raw: Any, known: set[str]) -> Target:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: must be a table ([[targets]] with name, outcome, level, low, high, source)")
    for key in raw:
        if key not in TARGET_KEYS:
            raise ScenarioError(f"{where}: unknown field {key!r} (allowed: {', '.join(TARGET_KEYS)})")
    for key in ("name", "outcome", "level", "low", "high", "source"):
        if key not in raw:
            raise ScenarioError(f"{where}: field {key!r} is missing")
    name, outcome, level, source = raw["name"], raw["outcome"], raw["level"], raw["source"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise ScenarioError(f"{where}: field 'name': must be a snake_case id (got {name!r})")
    if not isinstance(outcome, str) or outcome not in known:
        raise ScenarioError(f"{where}: field 'outcome': unknown outcome {outcome!r} (allowed: a summary outcome "
                            "with its window, e.g. burnout_share_before; see docs/outcomes.md)")
    if level not in LEVELS:
        raise ScenarioError(f"{where}: field 'level': must be one of {', '.join(LEVELS)} (got {level!r})")
    if not isinstance(source, str) or not source.strip():
        raise ScenarioError(f"{where}: field 'source': must name its source in BRIEF.md (a non-empty string)")
    statistic = raw.get("statistic", "mean")
    if statistic not in STATISTICS:
        raise ScenarioError(f"{where}: field 'statistic': must be one of {', '.join(STATISTICS)} (got {statistic!r})")
    low, high = _number(where, "low", raw["low"]), _number(where, "high", raw["high"])
    if low > high:
        raise ScenarioError(f"{where}: field 'low': must be at most high ({high:g}), got {low:g}")
    return Target(name, outcome, level, low, high, source.strip(), statistic)


def _parameters(where: str, raw: Any, scenario: Scenario) -> dict[str, tuple[float, float]]:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: must be a table of field = [low, high]")
    out: dict[str, tuple[float, float]] = {}
    for name, rng in raw.items():
        here = f"{where}.{name}"
        if name not in FIELDS:
            raise ScenarioError(f"{here}: unknown parameter field {name!r} (allowed: a scenario field, see docs/scenario.md)")
        ann = Scenario.model_fields[name].annotation
        if ann not in (int, float, float | None):
            raise ScenarioError(f"{here}: field {name!r} is not numeric and cannot have a prior range")
        if (not isinstance(rng, list) or len(rng) != 2
                or any(isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) for v in rng)):
            raise ScenarioError(f"{here}: must be [low, high], two finite numbers (got {rng!r})")
        lo, hi = float(rng[0]), float(rng[1])
        if lo > hi:
            raise ScenarioError(f"{here}: low must be at most high (got [{lo:g}, {hi:g}])")
        for v in (lo, hi):  # both ends must be valid values of the field
            value = int(v) if ann is int else v
            if ann is int and value != v:
                raise ScenarioError(f"{here}: field {name!r} is an integer; give integer bounds (got {v:g})")
            try:
                make_scenario({**scenario.fields(), name: value}, here)
            except ScenarioError as err:
                raise ScenarioError(str(err)) from None
        out[name] = (lo, hi)
    return out


def load_targets(path: str | Path, scenario: str | Path | Scenario | None = None) -> TargetSet:
    """Read a targets file. Its `scenario` is a scenario file named relative to the targets file; `scenario`
    given here (a path or a Scenario) overrides it. Bad input raises ScenarioError with one line."""
    path = Path(path)
    where = str(path)
    data = read_toml(path, "targets")
    for key in data:
        if key not in TOP_KEYS:
            raise ScenarioError(f"{where}: unknown field {key!r} (allowed: {', '.join(TOP_KEYS)})")
    if scenario is None:
        name = data.get("scenario")
        if not isinstance(name, str) or not name:
            raise ScenarioError(f"{where}: field 'scenario': must name a scenario file relative to this file")
        scenario_path = (path.parent / name).resolve()
        check_named(where, "scenario", name, scenario_path, "scenario TOML file", ScenarioError)
        s = load_scenario(scenario_path)
    else:
        s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    replicates = _int(where, "replicates", data.get("replicates", 5), 1, MAX_REPLICATES)
    days = data.get("days")
    if days is not None:
        days = _int(where, "days", days, 1, s.days)
        fit_days(where, s.fields(), days, hint="in the scenario file")  # the one rule of `days` (sim.io.loader)
    raw = data.get("targets")
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(f"{where}: field 'targets': needs at least one [[targets]] table")
    known = set(summary_names())
    targets = [_target(f"{where}: targets[{i}]", t, known) for i, t in enumerate(raw)]
    seen: set[str] = set()
    for i, t in enumerate(targets):
        if t.name in seen:
            raise ScenarioError(f"{where}: targets[{i}]: field 'name': {t.name!r} is used twice (names are unique ids)")
        seen.add(t.name)
    parameters = _parameters(f"{where}: parameters", data.get("parameters", {}), s)
    return TargetSet(path, s, replicates, days, targets, parameters)


def run(target_set: TargetSet, replicates: int | None = None, days: int | None = None, workers: int = 1,
        progress: Callable[[int, int], None] | None = None, dask: str | None = None) -> pd.DataFrame:
    """Run the target set's scenario on seeds 0..N-1 (N: `replicates`, else the file's) on the execution engine
    (local worker processes, or Dask): one row per run, with `seed` and every summary outcome as columns. Each
    run is the same bit for bit whatever `workers` and backend."""
    from sim.exploration.compare import run_many

    n = target_set.replicates if replicates is None else replicates
    end = target_set.days if days is None else days
    results = run_many([target_set.scenario], list(range(n)), end, workers, progress, dask=dask)
    return pd.DataFrame([{"seed": seed, **out} for _, seed, out in results])


def _statistic(values: pd.Series, statistic: str) -> float:
    v = values.to_numpy(float)
    if len(v) == 0 or not np.isfinite(v).all():  # a run without the outcome is not hidden by the others
        return math.nan
    return float(np.median(v)) if statistic == "median" else float(v.mean())


def evaluate(target_set: TargetSet, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per target: the statistic of its outcome over `runs` (one row per run), the range and whether
    the value lies in it (inclusive; NaN fails). Columns: name, outcome, level, value, low, high, passed, source."""
    rows = []
    for t in target_set.targets:
        if t.outcome not in runs.columns:
            raise ScenarioError(f"runs: no column {t.outcome!r} (target {t.name!r} needs it)")
        value = _statistic(runs[t.outcome], t.statistic)
        passed = bool(math.isfinite(value) and t.low <= value <= t.high)
        rows.append({"name": t.name, "outcome": t.outcome, "level": t.level, "value": value, "low": t.low,
                     "high": t.high, "passed": passed, "source": t.source})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def miss(t: Target, value: float) -> float:
    """How far `value` lies outside the target's range, in units of the range's width (0 inside; inf if NaN)."""
    if not math.isfinite(value):
        return math.inf
    return max(t.low - value, value - t.high, 0.0) / t.width()


def distance(target_set: TargetSet, summary: Mapping[str, float]) -> float:
    """The distance of one run's summary (or of the mean of runs) from the targets: the root of the sum of
    squared misses, each in units of its range's width; 0 when every value lies in its range, inf when an
    outcome is missing or NaN."""
    total = 0.0
    for t in target_set.targets:
        value = summary.get(t.outcome, math.nan)
        d = miss(t, float(value) if value is not None else math.nan)
        if math.isinf(d):
            return math.inf
        total += d * d
    return math.sqrt(total)
