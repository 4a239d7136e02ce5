"""`sim compare`: common random numbers, paired t-intervals, the files it writes, and one-line errors."""

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim import cli
from sim.exploration.compare import (
    ALL_OUTCOMES,
    DISPLACEMENT,
    paired_differences,
    run_many,
    summaries,
    t_interval,
    time_use,
)

from .conftest import ROOT

TINY = {"n_townships": 2, "villages_per_township": 8, "days": 80, "policy_start_day": 40, "warmup_days": 10}


def _toml(path, **fields):
    lines = [f'extends = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"', f'name = "{path.stem}"']
    for k, v in {**TINY, **fields}.items():
        lines.append(f"{k} = {str(v).lower() if isinstance(v, bool) else v}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_t_interval_matches_the_textbook():
    d = np.array([1.0, 2.0, 3.0])
    mean, lo, hi, sd = t_interval(d)
    half = stats.t.ppf(0.975, 2) * 1.0 / math.sqrt(3)
    assert (mean, sd) == (2.0, 1.0)
    assert lo == pytest.approx(2 - half) and hi == pytest.approx(2 + half)
    assert all(math.isnan(v) for v in t_interval(np.array([1.0]))[1:])  # one pair: no spread to estimate
    assert t_interval(np.array([1.0, np.nan, 3.0]))[0] == 2.0  # NaN pairs are dropped


def test_differences_are_paired_by_seed():
    runs = pd.DataFrame({
        "scenario": ["a", "a", "a", "b", "b", "b"],
        "seed": [0, 1, 2, 2, 0, 1],  # b's rows in another order: pairing is by seed, not by row
        "x_before": [1.0, 5.0, 9.0, 9.0, 1.0, 5.0],
        "x_after": [1.0, 5.0, 9.0, 10.0, 2.0, 6.0],
    })
    d = paired_differences(runs, ["x"]).set_index("window")
    assert set(d["scenario"]) == {"b"} and set(d["reference"]) == {"a"}
    assert d.loc["before", "difference"] == 0 and d.loc["before", "sd"] == 0
    # after: every seed +1 exactly, so the paired interval is a point although the means spread widely
    assert d.loc["after", "difference"] == 1.0 and d.loc["after", "ci_low"] == 1.0 and d.loc["after", "ci_high"] == 1.0
    assert bool(d.loc["after", "significant"]) and d.loc["after", "n"] == 3


def test_common_random_numbers_and_any_number_of_workers():
    a, b = sim.load_scenario(TINY), sim.load_scenario(TINY, meeting_cut=1.0)
    one = run_many([a, b], [0, 1, 2], workers=1)
    two = run_many([a, b], [0, 1, 2], workers=2)
    assert [(i, s) for i, s, _ in one] == [(i, s) for i, s, _ in two]
    for (_, _, x), (_, _, y) in zip(one, two, strict=True):
        assert x.keys() == y.keys()
        assert all(x[k] == y[k] or (math.isnan(x[k]) and math.isnan(y[k])) for k in x)
    diffs = paired_differences(summaries(one, ["base", "cut"]))
    before = diffs[diffs["window"] == "before"]
    assert (before["difference"].dropna() == 0).all()  # same seeds: identical before the reform day
    m = diffs[(diffs["outcome"] == "meetings_per_village_cadre_week") & (diffs["window"] == "after")].iloc[0]
    assert m["ci_high"] < 0
    assert set(diffs["outcome"]) <= set(ALL_OUTCOMES) and set(DISPLACEMENT) <= set(diffs["outcome"])


def test_time_use_is_hours_per_cadre_day():
    r = sim.run_scenario(TINY, seed=1)
    tu = time_use(r.timeseries, 40, 10)
    part = r.timeseries.iloc[40:]
    assert tu["hours_form_cadre_day_after"] == pytest.approx(part["hours_form"].sum() / part["cadres_at_work"].sum())
    assert all(v >= 0 for v in tu.values())


def test_compare_command_writes_table_and_figure(tmp_path):
    base = _toml(tmp_path / "base.toml")
    cut = _toml(tmp_path / "cut.toml", document_cut=0.5, displacement=1.0)
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-m", "sim", "compare", str(base), str(cut), "--replicates", "3",
                          "--out", str(out), "--seed", "5", "--workers", "2"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    for name in ("differences.csv", "differences.parquet", "estimates.csv", "runs.parquet", "summary.parquet",
                 "compare.png", "compare.svg", "manifest.json"):
        assert (out / name).stat().st_size > 0, name
    csv = pd.read_csv(out / "differences.csv")
    pq = pd.read_parquet(out / "differences.parquet")
    assert len(pq) == len(csv) and list(pq.columns) == list(csv.columns)
    assert {"scenario", "reference", "outcome", "window", "difference", "ci_low", "ci_high", "ci_method", "n"} <= set(csv.columns)
    assert set(csv["window"]) == {"before", "after"} and set(sim.HEADLINE) <= set(csv["outcome"])
    runs = pd.read_parquet(out / "runs.parquet")
    assert sorted(runs["seed"].unique()) == [5, 6, 7] and list(dict.fromkeys(runs["scenario"])) == ["base", "cut"]
    meta = json.loads((out / "manifest.json").read_text())
    assert meta["seeds"] == [5, 6, 7] and meta["reference"] == {"scenario": "base"}
    assert meta["provenance"]["seeds"] == [5, 6, 7] and "git_dirty" in meta["provenance"]
    # displacement shows in the printed table: documents fall, forms rise
    row = csv[(csv["outcome"] == "hours_form_cadre_day") & (csv["window"] == "after")].iloc[0]
    assert row["difference"] > 0
    assert "hours_form_cadre_day" in res.stdout and "service_resolved_share" in res.stdout
    assert "cut - base" in res.stdout


@pytest.mark.parametrize(("args", "needle"), [
    (["ONE"], "at least two"),
    (["ONE", "ONE", "--replicates", "1"], "--replicates"),
    (["ONE", "missing.toml"], "not found"),
    (["ONE", "ONE", "--workers", "0"], "--workers"),
    (["ONE", "ONE", "--days", "100000"], "--days"),
    (["ONE", "ONE", "--seed", "-3"], "--seed"),
    (["ONE", "OTHER_START"], "policy_start_day"),
])
def test_compare_bad_input_is_one_line(tmp_path, capsys, args, needle):
    one = _toml(tmp_path / "one.toml")
    other = _toml(tmp_path / "other.toml", policy_start_day=30)
    argv = ["compare", *[{"ONE": str(one), "OTHER_START": str(other)}.get(a, a) for a in args]]
    if "--replicates" not in argv:
        argv += ["--replicates", "2"]
    argv += ["--out", str(tmp_path / "out")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0] and err[0].startswith("error:")


def test_compare_bad_input_through_the_real_cli(tmp_path):
    one = _toml(tmp_path / "one.toml")
    res = subprocess.run([sys.executable, "-m", "sim", "compare", str(one), str(tmp_path / "nope.toml"),
                          "--replicates", "2", "--out", str(tmp_path / "o")], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr


# -- one engine: compare runs through the sweep engine (resumable, local or Dask), identical everywhere -------

TABLES = ("differences", "estimates", "runs", "summary")


def _tables(out):
    return {t: pd.read_parquet(out / f"{t}.parquet") for t in TABLES}


def test_compare_resumes_from_its_runs_folder_and_gives_identical_tables_on_dask(tmp_path, capsys):
    base = _toml(tmp_path / "base.toml", n_townships=1, days=40, policy_start_day=20)
    cut = _toml(tmp_path / "cut.toml", n_townships=1, days=40, policy_start_day=20, meeting_cut=0.5)
    out = tmp_path / "local"
    args = ["compare", str(base), str(cut), "--replicates", "2", "--seed", "3", "--no-figure"]
    assert cli.main([*args, "--out", str(out), "--workers", "1"]) == 0
    first = _tables(out)
    parts = sorted((out / "runs" / "parts").glob("*.json"))
    assert len(parts) == 4 and json.loads((out / "runs" / "manifest.json").read_text())["status"] == "complete"
    assert json.loads((out / "manifest.json").read_text())["backend"] == "local:1"

    # killed after three of four runs: the same command runs only the missing one
    stamps = {p.name: p.stat().st_mtime_ns for p in parts}
    parts[0].unlink()
    (out / "manifest.json").unlink()
    assert cli.main([*args, "--out", str(out), "--workers", "1"]) == 0
    again = {p.name: p.stat().st_mtime_ns for p in (out / "runs" / "parts").glob("*.json")}
    assert again.keys() == stamps.keys()
    assert [n for n in again if again[n] != stamps[n]] == [parts[0].name]
    for t in TABLES:
        pd.testing.assert_frame_equal(first[t], _tables(out)[t], check_exact=True)

    on_dask = tmp_path / "dask"
    assert cli.main([*args, "--out", str(on_dask), "--dask", "local", "--workers", "2"]) == 0
    assert json.loads((on_dask / "runs" / "manifest.json").read_text())["backend"] == "dask:local"
    for t in TABLES:
        pd.testing.assert_frame_equal(first[t], _tables(on_dask)[t], check_exact=True)
    capsys.readouterr()


def test_run_many_on_dask_equals_local_processes():
    short = {**TINY, "days": 30, "policy_start_day": 15}
    a, b = sim.load_scenario(short), sim.load_scenario(short, meeting_cut=1.0)
    local = run_many([a, b, a], [0, 1], workers=1)
    dask = run_many([a, b, a], [0, 1], workers=2, dask="local")
    assert [(i, s) for i, s, _ in local] == [(i, s) for i, s, _ in dask] == [(i, s) for i in range(3) for s in (0, 1)]
    for (_, _, x), (_, _, y) in zip(local, dask, strict=True):
        assert x.keys() == y.keys()
        assert all(x[k] == y[k] or (math.isnan(x[k]) and math.isnan(y[k])) for k in x)
    x, y = local[0][2], local[4][2]  # a scenario listed twice runs once and shows twice
    assert all(x[k] == y[k] or (math.isnan(x[k]) and math.isnan(y[k])) for k in x)


def test_run_many_names_a_failing_run_in_one_line():
    from sim.exploration.engine import SweepError

    bad = sim.load_scenario({**TINY, "days": 20, "policy_start_day": 10})
    with pytest.raises(SweepError, match=r"runs did not finish, e.g. scenario .* seed 0: .*Boom"):
        run_many_with_runner([bad], [0])


def run_many_with_runner(scenarios, seeds):
    """run_many's code path with a runner that raises (a failing model run is data until the end)."""
    from sim.exploration import compare as cmp
    from sim.exploration.engine import run_tasks

    tasks, point_of = cmp._tasks(scenarios, seeds, None)
    done = {(t.point, t.seed): res for t, res in run_tasks(tasks, workers=1, runner=_boom)}
    return cmp._regroup(scenarios, point_of, seeds, done)


def _boom(fields, seed):
    raise RuntimeError("Boom")
