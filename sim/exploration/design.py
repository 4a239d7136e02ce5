"""Designs: many parameter points over one base scenario, each run on the same replicate seeds through the sweep
engine (local pool or Dask, resumable, with provenance).

Every analysis in this package (sensitivity, calibration, attribution, ensemble comparison) draws its points,
hands them to `run_points`, and reads back one row per (point, replicate). `run_points` builds a sweep
`Experiment` of the distinct points and calls `sweep.run_sweep`: finished runs live in `OUT/parts/` and a
killed command, run again, only runs what is missing. Points are matched to runs by run id (scenario fields +
seed + model version), so two equal points share their runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core.record import summary_names
from sim.core.scenario import FIELDS, MAX_DAYS, Scenario, ScenarioError, field_info, make_scenario
from sim.exploration.sweep import Experiment, replicate_seeds, run_id, run_sweep
from sim.io.loader import fit_days, read_fields
from sim.io.safe_read import check_named, read_capped
from sim.io.toml import read_toml

OUTCOME_NAMES = tuple(n for n in summary_names() if n not in ("policy_start_day", "days"))
TRACE_COLUMN = ("exhaustion_mean",)  # the one time-series column kept per run (one row: the whole-run mean)


class DesignError(ScenarioError):
    """Bad design input (an experiment or targets file, a parameter range); one line naming file and field."""


@dataclass
class Base:
    """The scenario every point starts from (file fields + `set` + `days`) and the replicate seeds."""

    path: Path
    name: str
    fields: dict[str, Any]
    seed: int
    seeds: list[int]
    file_hash: str


def numeric_field(name: str) -> bool:
    """True for the scenario fields a range can be put on (int or float, not bool)."""
    if name not in FIELDS:
        return False
    ann = Scenario.model_fields[name].annotation
    return ann in (int, float) or ann == float | None


def integer_field(name: str) -> bool:
    return Scenario.model_fields[name].annotation is int


def assumption_fields() -> list[str]:
    """The numeric fields whose source says "assumption" (the numbers BRIEF.md does not give)."""
    return [f for f in FIELDS if numeric_field(f) and "assumption" in str(field_info(f).get("source", ""))]


def check_outcomes(where: str, key: str, outcomes: Any) -> list[str]:
    if not isinstance(outcomes, list) or not outcomes or not all(isinstance(o, str) for o in outcomes):
        raise DesignError(f"{where}: field {key!r}: must be a non-empty list of outcome names like "
                          "'exhaustion_mean_after' (docs/outcomes.md)")
    for o in outcomes:
        if o not in OUTCOME_NAMES:
            raise DesignError(f"{where}: field {key!r}: unknown outcome {o!r} (allowed: <outcome>_before or "
                              "<outcome>_after for an outcome of sim.OUTCOMES, docs/outcomes.md)")
    if len(set(outcomes)) != len(outcomes):
        raise DesignError(f"{where}: field {key!r}: names an outcome twice")
    return list(outcomes)


def check_parameters(where: str, key: str, table: Any, base: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """`field = [low, high]` ranges over numeric scenario fields, both ends valid scenarios over `base`."""
    if not isinstance(table, dict) or not table:
        raise DesignError(f"{where}: field {key!r}: must be a table of scenario field = [low, high]")
    out: dict[str, tuple[float, float]] = {}
    for name, rng in table.items():
        at = f"{key}.{name}"
        if not numeric_field(name) or name == "days":
            raise DesignError(f"{where}: field {at!r}: not a numeric scenario field (allowed: the int and float "
                              "fields of docs/scenario.md, not days)")
        ok = (isinstance(rng, list) and len(rng) == 2
              and all(isinstance(v, int | float) and not isinstance(v, bool) for v in rng))
        if not ok or not float(rng[0]) < float(rng[1]):
            raise DesignError(f"{where}: field {at!r}: must be [low, high] with low < high (got {rng!r})")
        lo, hi = float(rng[0]), float(rng[1])
        for v in (lo, hi):
            try:
                make_scenario({**base, name: round(v) if integer_field(name) else v}, where)
            except ScenarioError as err:
                msg = str(err).removeprefix(f"{where}: ")
                raise DesignError(f"{where}: field {at!r}: {v:g} is out of range ({msg})") from None
        out[name] = (lo, hi)
    return out


def read_base(where: str, path: Path, data: dict[str, Any], key: str = "base") -> tuple[Path, dict[str, Any]]:
    """The base scenario file named by `data[key]` (relative to `path`), with `set` and `days` applied."""
    if not isinstance(data.get(key), str):
        raise DesignError(f"{where}: field {key!r}: missing (a scenario file, relative to this file)")
    p = (path.parent / data[key]).resolve()
    check_named(where, key, data[key], p, "scenario TOML file", DesignError)
    fields = read_fields(p)
    fields.setdefault("name", p.stem)
    fixed = data.get("set", {})
    if not isinstance(fixed, dict):
        raise DesignError(f"{where}: field 'set': must be a table of scenario field = value")
    for k in fixed:
        if k not in FIELDS:
            raise DesignError(f"{where}: field 'set.{k}': unknown scenario field (allowed fields: docs/scenario.md)")
    if "days" in data:
        d = data["days"]
        if isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= MAX_DAYS:
            raise DesignError(f"{where}: field 'days': must be an integer in [1, {MAX_DAYS}] (got {d!r})")
        if "days" in fixed:
            raise DesignError(f"{where}: field 'set.days': give days once, at the top level")
        # the reform day follows `days` unless the scenario or `set` puts it elsewhere (sim.io.loader.fit_days)
        fields = fit_days(where, fields, d, fixed=fixed, error=DesignError)
    fields.update(fixed)
    make_scenario(fields, where)  # validates the base itself
    return p, fields


def read_int(where: str, data: dict[str, Any], key: str, default: int | None, lo: int, hi: int) -> int:
    v = data.get(key, default)
    if v is None:
        raise DesignError(f"{where}: field {key!r}: missing (an integer in [{lo}, {hi}])")
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise DesignError(f"{where}: field {key!r}: must be an integer in [{lo}, {hi}] (got {v!r})")
    return v


def load_table(path: str | Path, allowed: Sequence[str]) -> tuple[Path, dict[str, Any]]:
    """Read a TOML file and refuse keys outside `allowed`."""
    path = Path(path)
    data = read_toml(path, "experiment", DesignError)
    for k in data:
        if k not in allowed:
            raise DesignError(f"{path}: unknown field {k!r} (allowed: {', '.join(allowed)})")
    return path, data


def make_base(path: Path, base_path: Path, fields: dict[str, Any], seed: int, replicates: int) -> Base:
    return Base(path=path, name=str(fields.get("name", base_path.stem)), fields=fields, seed=seed,
                seeds=replicate_seeds(seed, replicates),
                file_hash=hashlib.sha256(read_capped(path, "design TOML file", DesignError)).hexdigest())


def point_fields(base: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Base fields with the point's values (integer fields rounded)."""
    out = dict(base)
    for k, v in values.items():
        if isinstance(v, float | np.floating) and k in FIELDS and integer_field(k):
            v = int(round(float(v)))
        elif isinstance(v, np.generic):
            v = v.item()
        out[k] = v
    return out


def run_points(name: str, base: Base, points: Sequence[dict[str, Any]], out: str | Path, *,
               workers: int | None = None, dask: str | None = None, progress: bool = False,
               command: list[str] | None = None, runner: Callable[..., Any] | None = None,
               outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Run every point (a dict of field values over `base.fields`) on every replicate seed through the sweep
    engine into `out`; return one row per (point, replicate): `point`, `replicate`, `seed`, `run_id`, `status`
    and the outcome columns (all of the summary unless `outcomes` names some). Points that are the same scenario
    share their runs. A failed run gives NaN outcomes and `status = "failed"`."""
    where = str(base.path)
    scenarios: list[Scenario] = []
    index: dict[str, int] = {}  # json of fields -> distinct scenario
    point_of: list[int] = []
    for p in points:
        s = make_scenario(point_fields(base.fields, p), where)
        key = json.dumps(s.fields(), sort_keys=True, default=str)
        if key not in index:
            index[key] = len(scenarios)
            scenarios.append(s)
        point_of.append(index[key])
    exp = Experiment(
        path=base.path, name=name, description=f"{name}: {len(points)} points over {base.name}", seed=base.seed,
        replicates=len(base.seeds), grid={}, scenario_files=[base.name],
        points=[{"scenario": base.name, "design_point": i} for i in range(len(scenarios))], scenarios=scenarios,
        timeseries_every=MAX_DAYS, timeseries_columns=TRACE_COLUMN, file_hash=base.file_hash, seeds=list(base.seeds))
    run_sweep(exp, out, workers=workers, dask=dask, progress=progress, csv=False, command=command, runner=runner)
    out = Path(out)
    runs = pd.read_parquet(out / "runs.parquet", columns=["run_id", "status"])
    summary = pd.read_parquet(out / "summary.parquet")
    if outcomes is not None:
        summary = summary[["run_id", *[c for c in outcomes if c in summary.columns]]]
    table = runs.merge(summary, on="run_id", how="left").set_index("run_id")
    ids = [[run_id(s.fields(), seed) for seed in base.seeds] for s in scenarios]
    rows = []
    for i, d in enumerate(point_of):
        for r, seed in enumerate(base.seeds):
            rows.append((i, r, seed, ids[d][r]))
    frame = pd.DataFrame(rows, columns=["point", "replicate", "seed", "run_id"])
    frame = frame.join(table, on="run_id")
    frame["status"] = frame["status"].fillna("missing")
    return frame


def replicate_means(frame: pd.DataFrame, outcomes: Sequence[str], n_points: int) -> np.ndarray:
    """Outcome per point, averaged over replicates (the common seeds): an (n_points, n_outcomes) array."""
    means = frame.groupby("point")[list(outcomes)].mean().reindex(range(n_points))
    return means.to_numpy(dtype=float)
