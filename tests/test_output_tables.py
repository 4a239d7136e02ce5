"""Output tables for readers other than pandas (issue 18, "R and other readers"): read back with pyarrow, the
run, compare and sweep tables have daily flags as booleans, whole counts as int64, seeds exact as text beside the
int64 column, and a unit on every outcome and daily column in the parquet schema; the values are the model's."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import sim
from sim.cli import main as cli_main
from sim.core.record import COLUMNS, OUTCOMES
from sim.io import units

from .conftest import ROOT

TINY = {"n_townships": 1, "villages_per_township": 4, "days": 60, "policy_start_day": 30, "warmup_days": 10}


def _toml(path: Path, name: str, **fields) -> Path:
    lines = [f'extends = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"', f'name = "{name}"']
    lines += [f"{k} = {v}" for k, v in {**TINY, **fields}.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("tables")
    base = _toml(tmp / "base.toml", "base")
    cut = _toml(tmp / "cut.toml", "cut", meeting_cut=0.5)
    exp = tmp / "exp.toml"
    exp.write_text(textwrap.dedent(f"""
        name = "grid"
        base = "{base.as_posix()}"
        replicates = 2
        seed = 4
        [grid]
        meeting_cut = [0.0, 0.6]
    """), encoding="utf-8")
    out = {k: tmp / k for k in ("run", "compare", "sweep")}
    assert cli_main(["run", str(base), "--out", str(out["run"]), "--seed", "2", "--no-figures"]) == 0
    assert cli_main(["compare", str(base), str(cut), "--replicates", "2", "--workers", "1",
                     "--out", str(out["compare"]), "--no-figure"]) == 0
    assert cli_main(["sweep", str(exp), "--out", str(out["sweep"]), "--workers", "1", "--quiet"]) == 0
    out["base"] = base
    return out


def schema(path: Path) -> pa.Schema:
    return pq.read_schema(path)


def unit_of(s: pa.Schema, name: str) -> str | None:
    md = s.field(name).metadata or {}
    return md.get(b"unit", b"").decode() or None


@pytest.mark.parametrize("kind", ["run", "sweep"])
def test_timeseries_flags_are_bool_counts_int64_and_every_column_has_its_unit(folders, kind) -> None:
    s = schema(folders[kind] / "timeseries.parquet")
    assert s.field("day").type == pa.int64()
    assert s.field("weekday").type == pa.bool_() and s.field("reform").type == pa.bool_()
    for c in units.COUNT_SERIES:
        assert s.field(c).type == pa.int64(), c
    assert s.field("complaints").type == pa.float64()  # split fluidly over cadres: not whole
    for c in COLUMNS:
        assert unit_of(s, c) == units.SERIES_UNITS[c], c
    assert unit_of(s, "quits") == "cadres" and unit_of(s, "weekday") == "flag"


def test_run_timeseries_holds_the_models_values_bit_for_bit(folders) -> None:
    ts = pd.read_parquet(folders["run"] / "timeseries.parquet")
    ref = sim.run_scenario(str(folders["base"]), seed=2).timeseries
    assert list(ts.columns) == list(ref.columns)
    for c in ref.columns:
        assert np.array_equal(ts[c].to_numpy(float), ref[c].to_numpy(float), equal_nan=True), c


@pytest.mark.parametrize("kind", ["run", "compare", "sweep"])
def test_runs_and_summary_types_seeds_and_units(folders, kind) -> None:
    runs_s = schema(folders[kind] / "runs.parquet")
    text = runs_s.field("seed_text").type
    assert runs_s.field("seed").type == pa.int64() and (pa.types.is_string(text) or pa.types.is_large_string(text))
    assert runs_s.field("reform").type == pa.bool_()
    assert runs_s.field("replicate").type == pa.int64() and unit_of(runs_s, "replicate") == "index"
    runs = pq.read_table(folders[kind] / "runs.parquet").to_pylist()
    assert all(r["seed_text"] == str(r["seed"]) for r in runs)
    csv = pd.read_csv(folders[kind] / "runs.csv", dtype={"seed_text": str})
    assert [int(t) for t in csv["seed_text"]] == [r["seed"] for r in runs]  # exact as text
    summ = schema(folders[kind] / "summary.parquet")
    for c in units.COUNT_OUTCOMES:
        for w in ("before", "after"):
            assert summ.field(f"{c}_{w}").type == pa.int64(), (c, w)
    assert summ.field("complaints_after").type == pa.float64()
    for o in OUTCOMES:
        assert unit_of(summ, f"{o}_after") == units.OUTCOME_UNITS[o], o
    assert unit_of(summ, "quits_after") == "cadres" and unit_of(summ, "cost_yuan_year_before") == "yuan/year"


def test_sweep_seeds_past_two_to_the_53_are_exact_as_text(folders) -> None:
    runs = pq.read_table(folders["sweep"] / "runs.parquet").to_pydict()
    manifest = json.loads((folders["sweep"] / "manifest.json").read_text())
    assert any(s > 2**53 for s in runs["seed"])  # the replicate seeds are 63-bit: a double cannot hold them
    assert sorted(set(runs["seed_text"])) == sorted(manifest["replicate_seeds_text"])
    assert [int(t) for t in manifest["replicate_seeds_text"]] == manifest["replicate_seeds"]


@pytest.mark.parametrize("kind,table", [("run", "estimates"), ("compare", "estimates"), ("compare", "differences"),
                                        ("sweep", "estimates"), ("sweep", "differences")])
def test_long_tables_name_each_outcomes_unit(folders, kind, table) -> None:
    s = schema(folders[kind] / f"{table}.parquet")
    assert s.field("n").type == pa.int64() and unit_of(s, "n") == "runs"
    per = json.loads(s.metadata[b"outcome_units"])
    assert per == units.OUTCOME_UNITS
    value = "mean" if table == "estimates" else "difference"
    assert unit_of(s, value) == units.PER_OUTCOME
    if table == "differences":
        assert s.field("significant").type == pa.bool_()


def test_every_column_and_outcome_has_a_unit_matching_docs() -> None:
    assert set(units.SERIES_UNITS) == set(COLUMNS) and set(units.OUTCOME_UNITS) == set(OUTCOMES)
    docs = (ROOT / "docs" / "outcomes.md").read_text(encoding="utf-8")
    assert "`seed_text`" in docs and "schema metadata" in docs


def test_a_thinned_sweep_keeps_block_means_as_floats(tmp_path: Path) -> None:
    base = _toml(tmp_path / "base.toml", "base")
    exp = tmp_path / "exp.toml"
    exp.write_text(f'base = "{base.as_posix()}"\nreplicates = 1\nseed = 1\ntimeseries_every = 7\n', encoding="utf-8")
    assert cli_main(["sweep", str(exp), "--out", str(tmp_path / "o"), "--workers", "1", "--quiet"]) == 0
    s = schema(tmp_path / "o" / "timeseries.parquet")
    assert s.field("weekday").type == pa.float64() and s.field("quits").type == pa.float64()
    assert s.field("day").type == pa.int64() and unit_of(s, "quits") == "cadres"
    weekday = pd.read_parquet(tmp_path / "o" / "timeseries.parquet")["weekday"]
    assert weekday.iloc[0] == pytest.approx(5 / 7)  # a share of workdays in the block, not a flag
