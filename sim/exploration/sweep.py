"""Sweeps: an experiment file (grid x scenarios x replicates) run on local cores or Dask, stored so that a
killed sweep resumes where it stopped. Where runs execute is the engine's (sim/exploration/engine.py); this
module reads experiments and stores results.

Each finished run is written at once as `DIR/parts/<run_id>.json` (+ `<run_id>.parquet`, its time series),
each file written to a temporary name and moved into place, the JSON last: a run is done iff its JSON exists.
The tables `runs.parquet`, `summary.parquet` and `timeseries.parquet` are rebuilt from the parts at the end.
See docs/sweeps.md.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import platform
import socket
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.core.blas import blas_info
from sim.core.record import COLUMNS
from sim.core.scenario import (
    FIELDS,
    MAX_DAYS,
    MAX_NAME,
    Scenario,
    ScenarioError,
    control_character,
    make_scenario,
    short_repr,
)
from sim.exploration.engine import (  # noqa: F401 - Runner, execute, thin: re-exported, as before the engine
    DASK_TIMEOUT,
    Backend,
    Runner,
    SweepError,
    Task,
    execute,
    thin,
)
from sim.io.loader import fit_days, read_fields
from sim.io.outputs import (
    OutputError,
    atomic_path,
    atomic_write_bytes,
    claim_output_dir,
    overwrite_in_place,
    with_path,
)
from sim.io.provenance import collect, finish, git, now, package_version
from sim.io.safe_read import check_named
from sim.io.tables import arrow_table, for_readers, has_reform, integers, long_tables
from sim.io.toml import read_toml_bytes
from sim.io.units import COUNT_SERIES, FLAG_SERIES, unit

EXPERIMENT_KEYS = ("name", "description", "base", "scenarios", "replicates", "seed", "days", "grid", "set",
                   "timeseries_every", "timeseries_columns")
MAX_RUNS = 1_000_000
# Grid points are each validated and held as a Scenario (about 12 KB and 0.6 ms each, measured): 50,000 points
# are 0.6 GB and half a minute before the first run, the most one sweep may build; larger designs are split.
MAX_POINTS = 50_000
TABLES = ("runs.parquet", "summary.parquet", "timeseries.parquet", "estimates.parquet", "differences.parquet")
PARTS = "parts"
LOCK = ".lock"  # the output folder's lock file (filelock): one sweep at a time writes into a folder


class ExperimentError(ScenarioError):
    """Bad experiment file; one line naming the file, the field and what is allowed."""


@dataclass
class Experiment:
    """A validated experiment: the grid points (resolved Scenarios), the replicate seeds and the output options."""

    path: Path
    name: str
    description: str
    seed: int
    replicates: int
    grid: dict[str, list[Any]]
    scenario_files: list[str]
    points: list[dict[str, Any]]  # per point: {"scenario": name, <grid field>: value, ...}
    scenarios: list[Scenario]
    timeseries_every: int
    timeseries_columns: tuple[str, ...]
    file_hash: str
    seeds: list[int] = field(default_factory=list)

    @property
    def swept(self) -> list[str]:
        """The columns that tell grid points apart (`scenario` when several scenario files are compared)."""
        return (["scenario"] if len(self.scenario_files) > 1 else []) + list(self.grid)

    def tasks(self) -> list[Task]:
        """Every run, point by point, replicate by replicate."""
        out = []
        for i, s in enumerate(self.scenarios):
            f = s.fields()
            for r, seed in enumerate(self.seeds):
                out.append(Task(run_id(f, seed), i, r, seed, f, self.timeseries_every, self.timeseries_columns))
        if len({t.run_id for t in out}) != len(out):  # load_experiment refuses equal points; never run one twice
            raise ExperimentError(f"{self.path}: two grid points resolve to the same scenario")
        return out


# --------------------------------------------------------------------------------------------------------------
# seeds and ids


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """Common random numbers: child r of `SeedSequence(seed).spawn(replicates)` as a 63-bit int (first uint64 of
    its state, shifted right by one); every grid point uses the same list."""
    children = np.random.SeedSequence(seed).spawn(replicates)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def run_id(fields: dict[str, Any], seed: int, version: str | None = None) -> str:
    """16 hex digits of SHA-256 over the resolved scenario fields, the seed and the model version."""
    if version is None:
        version = package_version()
    blob = json.dumps({"fields": fields, "seed": int(seed), "version": version}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------------------------
# experiment files


def _type_name(v: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(v), type(v).__name__)


def _int(where: str, key: str, v: Any, lo: int, hi: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ExperimentError(f"{where}: field {key!r}: must be an integer in [{lo}, {hi}] (got {v!r})")
    return v


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file; every grid point is validated as a Scenario before any run starts.
    Raises ExperimentError (one line) on bad input."""
    path = Path(path)
    where = str(path)
    data, raw = read_toml_bytes(path, "experiment", ExperimentError)  # raw: hashed into the manifest
    for k in data:
        if k not in EXPERIMENT_KEYS:
            raise ExperimentError(f"{where}: unknown field {k!r} (allowed: {', '.join(EXPERIMENT_KEYS)})")
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise ExperimentError(f"{where}: field 'name': must be a non-empty string of at most {MAX_NAME} characters "
                              f"(got {short_repr(name)})")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ExperimentError(f"{where}: field 'description': must be a string (got {short_repr(description)})")
    check_plain_text(where, name, description, ExperimentError)
    for key in ("replicates", "seed"):
        if key not in data:
            raise ExperimentError(f"{where}: field {key!r}: missing (must be a non-negative integer)")
    replicates = _int(where, "replicates", data["replicates"], 1, 100_000)
    seed = _int(where, "seed", data["seed"], 0, 2**63 - 1)
    every = _int(where, "timeseries_every", data.get("timeseries_every", 1), 1, MAX_DAYS)

    cols = data.get("timeseries_columns", None)
    if cols is None:
        columns = tuple(c for c in COLUMNS if c != "day")
    else:
        if not isinstance(cols, list) or not cols or not all(isinstance(c, str) for c in cols):
            raise ExperimentError(f"{where}: field 'timeseries_columns': must be a non-empty list of column names")
        bad = [c for c in cols if c not in COLUMNS]
        if bad:
            raise ExperimentError(f"{where}: field 'timeseries_columns': unknown column {bad[0]!r} "
                                  "(allowed: the columns of sim.COLUMNS, docs/outcomes.md)")
        columns = tuple(c for c in cols if c != "day")

    # scenario files: `scenarios = [...]` compared, or the single `base`
    files: list[str]
    if "scenarios" in data:
        sc = data["scenarios"]
        if not isinstance(sc, list) or not sc or not all(isinstance(s, str) for s in sc):
            raise ExperimentError(f"{where}: field 'scenarios': must be a non-empty list of scenario file names")
        if len(set(sc)) != len(sc):
            raise ExperimentError(f"{where}: field 'scenarios': lists a file twice")
        files = list(sc)
        if "base" in data:
            raise ExperimentError(f"{where}: field 'base': give either 'base' or 'scenarios', not both")
    elif "base" in data:
        if not isinstance(data["base"], str):
            raise ExperimentError(f"{where}: field 'base': must be a scenario file name (a string), got {data['base']!r}")
        files = [data["base"]]
    else:
        raise ExperimentError(f"{where}: field 'base': missing (a scenario file, relative to the experiment file; "
                              "or 'scenarios = [...]')")
    key = "scenarios" if "scenarios" in data else "base"
    bases: list[tuple[str, dict[str, Any]]] = []
    for f in files:
        p = (path.parent / f).resolve()
        check_named(where, key, f, p, "scenario TOML file", ExperimentError)
        try:
            fields = read_fields(p)
        except ScenarioError as err:
            raise ExperimentError(str(err)) from None
        fields.setdefault("name", p.stem)
        bases.append((fields["name"], fields))
    names = [n for n, _ in bases]
    if len(set(names)) != len(names):
        raise ExperimentError(f"{where}: field 'scenarios': two files share the scenario name {names[0]!r}")

    fixed = data.get("set", {})
    if not isinstance(fixed, dict):
        raise ExperimentError(f"{where}: field 'set': must be a table of scenario field = value")
    for k in fixed:
        if k not in FIELDS:
            raise ExperimentError(f"{where}: field 'set.{k}': unknown scenario field (allowed fields: docs/scenario.md)")
    if "days" in data:
        days = _int(where, "days", data["days"], 1, MAX_DAYS)
        if "days" in fixed:
            raise ExperimentError(f"{where}: field 'set.days': give days once, at the top level")
        # one rule for `days` in a file (sim.io.loader.fit_days): the reform day follows it unless set elsewhere
        grid_ = data.get("grid") if isinstance(data.get("grid"), dict) else None
        bases = [(n, fit_days(where, f, days, fixed=fixed, grid=grid_, error=ExperimentError)) for n, f in bases]
        fixed = {**fixed, "days": days}

    grid = data.get("grid", {})
    if not isinstance(grid, dict):
        raise ExperimentError(f"{where}: field 'grid': must be a table of scenario field = [values]")
    for k, values in grid.items():
        if k not in FIELDS or k in ("name", "description"):
            raise ExperimentError(f"{where}: field 'grid.{k}': unknown scenario field (allowed fields: docs/scenario.md)")
        if k in fixed:
            raise ExperimentError(f"{where}: field 'grid.{k}': also fixed in 'set' or 'days'; give it once")
        if not isinstance(values, list) or not values:
            raise ExperimentError(f"{where}: field 'grid.{k}': must be a non-empty list of values (got {values!r})")
        if len(values) > MAX_RUNS:
            raise ExperimentError(f"{where}: field 'grid.{k}': {len(values)} values; at most {MAX_RUNS} runs in one sweep")
        if len({json.dumps(_plus_zero(v), sort_keys=True) for v in values}) != len(values):
            raise ExperimentError(f"{where}: field 'grid.{k}': lists a value twice")

    # the size before anything is built: the product of the value counts, times scenarios and replicates
    n_points = math.prod(len(v) for v in grid.values()) * len(bases)
    if n_points * replicates > MAX_RUNS or n_points > MAX_POINTS:
        sizes = " x ".join([*(str(len(v)) for v in grid.values()), *([f"{len(bases)} scenarios"] if len(bases) > 1 else [])])
        raise ExperimentError(f"{where}: field 'grid': {sizes or 1} points x {replicates} replicates = "
                              f"{n_points * replicates} runs; at most {MAX_RUNS} runs and {MAX_POINTS} points in one sweep")
    combos = list(itertools.product(*grid.values())) if grid else [()]

    points, scenarios = [], []
    for sname, base_fields in bases:
        for combo in combos:
            values = dict(zip(grid, combo, strict=True))
            fields = {**base_fields, **fixed, **values}
            try:
                s = make_scenario(fields, where)
            except ScenarioError as err:
                label = ", ".join(f"{k} = {v!r}" for k, v in values.items())
                msg = str(err).removeprefix(f"{where}: ")
                at = f" (grid point {label}{'' if len(bases) == 1 else f', scenario {sname!r}'})" if values or len(bases) > 1 else ""
                if msg.startswith("field '") and values:
                    fname = msg.split("'")[1]
                    if fname in values:
                        msg = msg.replace(f"field {fname!r}", f"field 'grid.{fname}'", 1)
                        at = ""
                raise ExperimentError(f"{where}: {msg}{at}") from None
            points.append({"scenario": sname, **{k: getattr(s, k) for k in values}})  # as resolved: 0 -> 0.0
            scenarios.append(s)
    _refuse_equal_points(where, grid, scenarios)
    exp = Experiment(path=path, name=name, description=description, seed=seed, replicates=replicates,
                     grid={k: list(v) for k, v in grid.items()}, scenario_files=files, points=points,
                     scenarios=scenarios, timeseries_every=every, timeseries_columns=columns,
                     file_hash=hashlib.sha256(raw).hexdigest())
    exp.seeds = replicate_seeds(seed, replicates)
    return exp


def _refuse_equal_points(where: str, grid: dict[str, list[Any]], scenarios: list[Scenario]) -> None:
    """Two grid values that resolve to the same field value (`[0, 0.0]`, `[1, 1.0]`) would run every replicate
    twice and count it twice in every table: refuse them, naming the field and the two spellings."""
    combos = list(itertools.product(*grid.values()))
    for pos, (k, values) in enumerate(grid.items()):
        seen: dict[str, Any] = {}
        for v in values:
            i = next(n for n, c in enumerate(combos) if c[pos] is v)  # the first point with this value
            got = getattr(scenarios[i], k)
            key = json.dumps(_plus_zero(got), sort_keys=True, default=str)
            if key in seen:
                raise ExperimentError(f"{where}: field 'grid.{k}': lists one value twice ({seen[key]!r} and {v!r} "
                                      f"are both {got!r}); give each value once")
            seen[key] = v
    ids = [json.dumps(_plus_zero(s.fields()), sort_keys=True, default=str) for s in scenarios]
    if len(set(ids)) != len(ids):
        raise ExperimentError(f"{where}: field 'grid': two grid points resolve to the same scenario; give each once")


def _plus_zero(v: Any) -> Any:
    """`v` with every -0.0 made 0.0 (in lists and tables too): -0.0 == 0.0, and the model computes the same with
    either, but JSON writes them apart; two spellings of one value must compare equal."""
    if isinstance(v, float):
        return v + 0.0  # IEEE 754: -0.0 + 0.0 is +0.0; every other value is unchanged
    if isinstance(v, list | tuple):
        return [_plus_zero(x) for x in v]
    if isinstance(v, dict):
        return {k: _plus_zero(x) for k, x in v.items()}
    return v


def check_plain_text(where: str, name: str, description: str, error: type[Exception]) -> None:
    """Refuse a name or description holding control or text-direction characters (they would be echoed to the
    terminal and written into tables), with one line naming the field."""
    for key, text, is_name in (("name", name, True), ("description", description, False)):
        bad = control_character(text, name=is_name)
        if bad:
            raise error(f"{where}: field {key!r}: must be plain text without control or text-direction characters "
                        f"(found {bad})")



# --------------------------------------------------------------------------------------------------------------
# storage


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    atomic_write_bytes(path, data)  # no temporary file left on failure; a full disk names `path`


def _json_default(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    raise TypeError(type(v).__name__)


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


class Store:
    """The parts folder of one sweep output folder."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.parts = self.out / PARTS

    def prepare(self) -> None:
        """Create parts/ and remove the temporary files a kill mid-write leaves (in parts/ and beside the tables);
        called with the folder's lock held, so no other sweep is writing them."""
        self.parts.mkdir(parents=True, exist_ok=True)
        for folder in (self.parts, self.out):
            for p in folder.glob(".tmp-*"):
                p.unlink(missing_ok=True)

    def done(self) -> dict[str, str]:
        """run_id -> status of every finished run whose parts are all there and readable: the JSON record and, for
        a run that succeeded, its time series (its Arrow footer is read). Anything less is removed, to run again."""
        out = {}
        for p in self.parts.glob("*.json"):
            try:
                rec = json.loads(p.read_text(encoding="utf-8"))
                status = rec["status"]
                if rec.get("run_id") != p.stem or status not in ("ok", "failed"):
                    raise ValueError("not a part record")
                if status == "ok":
                    _read_part_table(self.parts / f"{p.stem}.arrow", footer_only=True)
            except (OSError, ValueError, KeyError, TypeError, pa.ArrowInvalid):
                p.unlink(missing_ok=True)  # unreadable or incomplete: run it again
                continue
            out[p.stem] = status
        return out

    def write(self, task: Task, point: dict[str, Any], result: dict[str, Any]) -> None:
        """Store one finished run: time series first, then the JSON that marks it done."""
        ts = result.get("timeseries")
        if ts is not None:
            sink = pa.BufferOutputStream()
            with pa.ipc.new_file(sink, ts.schema) as w:
                w.write_table(ts)
            _atomic_write_bytes(self.parts / f"{task.run_id}.arrow", sink.getvalue().to_pybytes())
        rec = {
            "run_id": task.run_id, "point": task.point, **point, "replicate": task.replicate, "seed": task.seed,
            "status": result["status"], "error": result["error"], "seconds": result["seconds"],
            "host": result.get("host", ""),
            "summary": None if result["summary"] is None else {k: _clean(v) for k, v in result["summary"].items()},
        }
        blob = json.dumps(rec, default=_json_default, ensure_ascii=False).encode()
        _atomic_write_bytes(self.parts / f"{task.run_id}.json", blob)

    def read(self, run_id_: str) -> dict[str, Any] | None:
        """The run's record, or None if it is missing or unreadable (then it counts as missing)."""
        try:
            rec = json.loads((self.parts / f"{run_id_}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return rec if isinstance(rec, dict) and rec.get("status") in ("ok", "failed") else None


def _write_table_atomic(path: Path, table: pa.Table) -> None:
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _read_part_table(path: Path, footer_only: bool = False) -> pa.Table | None:
    """A run's time series; with footer_only, only check that the file is whole (its footer reads)."""
    with pa.OSFile(str(path), "rb") as f:
        reader = pa.ipc.open_file(f)
        return None if footer_only else reader.read_all()


def _timeseries_schema(exp: Experiment) -> pa.Schema:
    """The consolidated time series' schema: run_id, day (int64), the columns with their units; daily flags as
    booleans and whole counts as int64 when every day is kept (thinned series are block means: float64)."""
    daily = exp.timeseries_every == 1

    def kind(c: str) -> pa.DataType:
        if daily and c in FLAG_SERIES:
            return pa.bool_()
        return pa.int64() if daily and c in COUNT_SERIES else pa.float64()

    fields = [pa.field("run_id", pa.string()), pa.field("day", pa.int64(), metadata={"unit": "day"})]
    for c in exp.timeseries_columns:
        u = unit(c, "timeseries")
        fields.append(pa.field(c, kind(c), metadata={"unit": u} if u else None))
    return pa.schema(fields)


def consolidate(exp: Experiment, out: Path, csv: bool = False, batch_rows: int = 65_536) -> dict[str, int]:
    """Rebuild runs/summary/timeseries.parquet from the parts of this experiment's runs (time series streamed in
    batches: memory does not grow with the number of runs). Returns counts of ok, failed and missing runs."""
    store = Store(out)
    tasks = exp.tasks()
    rows, summaries = [], []
    counts = {"ok": 0, "failed": 0, "missing": 0}
    ts_tmp = out / f".tmp-{uuid.uuid4().hex}-timeseries.parquet"
    writer: pq.ParquetWriter | None = None
    pending: list[pa.Table] = []
    n_pending = 0

    schema = _timeseries_schema(exp)

    def flush() -> None:
        nonlocal writer, pending, n_pending
        if not pending:
            return
        tab = pa.concat_tables(pending).select(schema.names).cast(schema)
        if writer is None:
            writer = pq.ParquetWriter(ts_tmp, schema, compression="zstd")
        writer.write_table(tab)
        pending, n_pending = [], 0

    try:
        for t in tasks:
            jp = store.parts / f"{t.run_id}.json"
            rec = store.read(t.run_id)
            if rec is None:  # lost or unreadable: never counted as done
                jp.unlink(missing_ok=True)
                counts["missing"] += 1
                continue
            summ = rec.pop("summary")
            if summ is not None:
                try:
                    tab = _read_part_table(store.parts / f"{t.run_id}.arrow")
                except (OSError, pa.ArrowInvalid):  # lost with the machine (no fsync): run it again next time
                    jp.unlink(missing_ok=True)
                    counts["missing"] += 1
                    continue
                summaries.append({"run_id": t.run_id, **summ})
                tab = tab.add_column(0, "run_id", pa.array([t.run_id] * tab.num_rows, pa.string()))
                pending.append(tab)
                n_pending += tab.num_rows
                if n_pending >= batch_rows or len(pending) >= 64:
                    flush()
            counts[rec["status"]] = counts.get(rec["status"], 0) + 1
            rows.append(rec)
        flush()
        if writer is None:
            writer = pq.ParquetWriter(ts_tmp, schema, compression="zstd")
        writer.close()
        writer = None
        runs = pd.DataFrame(rows)
        if runs.empty:
            runs = pd.DataFrame(columns=["run_id", "point", *(["scenario"] + list(exp.grid)), "replicate", "seed",
                                         "status", "error", "seconds", "host"])
        runs["seed"] = runs["seed"].astype("int64")
        summary = pd.DataFrame(summaries) if summaries else pd.DataFrame(columns=["run_id"])
        for c in summary.columns[1:]:
            summary[c] = summary[c].astype("float64")  # null (an empty window) -> NaN
        runs["reform"] = [has_reform(exp.scenarios[int(p)]) for p in runs["point"]]
        runs, summary = integers(runs), integers(summary)
        long = long_tables(runs, summary, exp.swept or ["scenario"])
        for name, df in long.items():
            _write_table_atomic(out / f"{name}.parquet", arrow_table(df, name))
        _write_table_atomic(out / "runs.parquet", arrow_table(runs, "runs"))
        _write_table_atomic(out / "summary.parquet", arrow_table(summary, "summary"))
        os.replace(ts_tmp, out / "timeseries.parquet")
        if csv:
            for name, df in (("runs", runs), ("summary", summary), *long.items()):
                with atomic_path(out / f"{name}.csv") as tmp:
                    for_readers(df, name).to_csv(tmp, index=False)
    except OSError as err:  # a full disk: name the folder (pyarrow's errors name no file)
        raise with_path(err, out) from None
    finally:
        if writer is not None:
            try:
                writer.close()
            except OSError:
                pass
        ts_tmp.unlink(missing_ok=True)
    return counts


# --------------------------------------------------------------------------------------------------------------
# execution


def _manifest(exp: Experiment, command: list[str], start: str, backend: str) -> dict[str, Any]:
    return {
        "tool": "grassroots-sim", "version": package_version(), **git(),
        "command": command, "experiment": str(exp.path), "experiment_name": exp.name,
        "experiment_sha256": exp.file_hash, "start_time": start, "end_time": None, "status": "running",
        "machine": {"host": socket.gethostname(), "platform": platform.platform(), "python": sys.version.split()[0],
                    "cpus": os.cpu_count(), "blas": blas_info()},
        "backend": backend, "runs": len(exp.scenarios) * exp.replicates,
        "seed": exp.seed, "replicates": exp.replicates, "replicate_seeds": exp.seeds,
        "replicate_seeds_text": [str(s) for s in exp.seeds],  # exact where JSON numbers are doubles (R, JS)
        "swept": exp.swept, "grid": exp.grid, "scenarios": exp.scenario_files,
        "timeseries_every": exp.timeseries_every, "keys": exp.swept or ["scenario"],
        "provenance": collect("sweep", command, exp.seeds, [exp.path, *(exp.path.parent / f for f in exp.scenario_files)], start),
    }


class Progress:
    """A tqdm bar of runs with done / failed / time left (or nothing)."""

    def __init__(self, total: int, enabled: bool, desc: str) -> None:
        self.failed = 0
        self.bar = None
        if enabled:
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: the local pool may fork (engine._pool_context)
            self.bar = tqdm(total=total, desc=desc, unit="run", file=sys.stderr, dynamic_ncols=True)
            self.bar.set_postfix(failed=0)

    def update(self, status: str) -> None:
        if status != "ok":
            self.failed += 1
        if self.bar is not None:
            if status != "ok":
                self.bar.set_postfix(failed=self.failed, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()



@dataclass
class SweepReport:
    """What one call of run_sweep did. `missing` counts runs with no readable part at the end (then the manifest
    says `incomplete`, never `complete`)."""

    total: int
    skipped: int
    ran: int
    ok: int
    failed: int
    seconds: float
    out: Path
    missing: int = 0
    status: str = "complete"


def _lock(out: Path) -> Any:
    """Hold the output folder's lock for the whole sweep, or raise OutputError saying who holds it."""
    from filelock import FileLock, Timeout

    lock = FileLock(out / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        try:
            who = json.loads((out / f"{LOCK}.json").read_text(encoding="utf-8"))
            by = f" (pid {who.get('pid')} on {who.get('host')}, since {who.get('since')})"
        except (OSError, ValueError, AttributeError):
            by = ""
        raise OutputError(f"--out: {out} is in use by another sweep{by}; wait for it to end or choose another "
                          "folder") from None
    _atomic_write_bytes(out / f"{LOCK}.json", json.dumps(
        {"pid": os.getpid(), "host": socket.gethostname(), "since": now()}).encode())
    return lock


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    _atomic_write_bytes(out / "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode())


def _write_final_status(out: Path, manifest: dict[str, Any]) -> None:
    """The manifest of a sweep that stopped, written however the disk allows: atomically, else (a full disk has
    no room for a second copy) over the old manifest in place, compact; never leaves it saying `running`."""
    try:
        _write_manifest(out, manifest)
        return
    except OSError:
        pass
    try:
        overwrite_in_place(out / "manifest.json", json.dumps(manifest, separators=(",", ":")).encode())
    except OSError:
        short = {k: manifest.get(k) for k in ("tool", "version", "experiment", "start_time", "end_time", "status",
                                               "error")}
        try:
            overwrite_in_place(out / "manifest.json", json.dumps(short, separators=(",", ":")).encode())
        except OSError:
            (out / "manifest.json").unlink(missing_ok=True)  # no manifest at all rather than `running`


def run_sweep(experiment: str | Path | Experiment, out: str | Path, *, workers: int | None = None,
              dask: str | None = None, progress: bool = False, retry_failed: bool = False, csv: bool = True,
              command: list[str] | None = None, runner: Runner | None = None,
              dask_timeout: float = DASK_TIMEOUT, backend: Backend | None = None) -> SweepReport:
    """Run every run of the experiment that has no whole part in `out` yet, store each as it finishes, then
    rebuild the tables and write manifest.json. One sweep at a time per folder (a lock); the folder is checked
    writable before any run; runs whose parts are missing or unreadable at the end are run again once, and a
    sweep still short of runs is `incomplete`. A sweep that stops (SweepError, Ctrl+C) leaves its manifest saying
    so. `runner(fields, seed=)` replaces run_scenario (tests, other models). The backend (`workers`/`dask`, or an
    open `backend` the caller keeps) is connected before anything is written: a Dask scheduler that cannot be
    reached, or has no worker, ends with a SweepError and nothing in `out`."""
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    own = backend is None
    if backend is None:
        backend = Backend(dask, workers, dask_timeout)
    try:
        backend.open()
        out = claim_output_dir(out, "sweep")  # new, empty or a sweep's own folder; else nothing is created
        lock = _lock(out)
        try:
            return _run_locked(exp, out, backend, progress, retry_failed, csv, command, runner)
        finally:
            (out / f"{LOCK}.json").unlink(missing_ok=True)
            lock.release()
    finally:
        if own:
            backend.close()


def _run_locked(exp: Experiment, out: Path, backend: Backend, progress: bool, retry_failed: bool, csv: bool,
                command: list[str] | None, runner: Runner | None) -> SweepReport:
    start = now()
    t0 = time.perf_counter()
    store = Store(out)
    store.prepare()
    for name in (*TABLES, "manifest.json"):  # a rerun first removes what could look complete
        (out / name).unlink(missing_ok=True)
    manifest = _manifest(exp, command or [], start, backend.label)
    _write_manifest(out, manifest)

    tasks = exp.tasks()
    ok = failed = ran = 0
    skipped = None
    counts = {"ok": 0, "failed": 0, "missing": len(tasks)}
    try:
        for _attempt in range(2):  # a part lost between the runs and the tables is run again, once
            done = store.done()
            todo = [t for t in tasks if t.run_id not in done or (retry_failed and done[t.run_id] != "ok")]
            retry_failed = False
            if skipped is None:
                skipped = len(tasks) - len(todo)
            bar = Progress(len(todo), progress and bool(todo), exp.name[:40])
            try:
                if todo:
                    for task, res in backend.results(todo, runner):
                        store.write(task, exp.points[task.point], res)
                        ran += 1
                        if res["status"] == "ok":
                            ok += 1
                        else:
                            failed += 1
                        bar.update(res["status"])
            finally:
                bar.close()
            counts = consolidate(exp, out, csv=csv)
            if counts["missing"] == 0:
                break
    except BaseException as err:  # any way the sweep ends early: the manifest says so, never `running`
        stopped = "interrupted" if isinstance(err, KeyboardInterrupt | SystemExit) else "failed"
        msg = "interrupted (Ctrl+C)" if isinstance(err, KeyboardInterrupt) else f"{type(err).__name__}: {err}"
        manifest.update(end_time=now(), status=stopped, error=msg[:1000], ok=ok, failed=failed,
                        seconds=round(time.perf_counter() - t0, 3))
        _write_final_status(out, manifest)
        raise
    status = ("incomplete" if counts["missing"] else "complete" if counts["failed"] == 0
              else "complete_with_failures")
    manifest.update(end_time=now(), status=status, ok=counts["ok"], failed=counts["failed"],
                    missing=counts["missing"], seconds=round(time.perf_counter() - t0, 3),
                    provenance=finish(manifest["provenance"]))
    try:
        _write_manifest(out, manifest)
    except OSError as err:
        manifest.update(status="failed", error=f"{type(err).__name__}: {err}"[:1000])
        _write_final_status(out, manifest)
        raise
    return SweepReport(total=len(tasks), skipped=skipped or 0, ran=ran, ok=ok, failed=failed,
                       seconds=time.perf_counter() - t0, out=out, missing=counts["missing"], status=status)
