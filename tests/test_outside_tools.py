"""Outside tools drive the model as their users would: Mesa's batch_run, SALib, EMA-Workbench-style functions."""

import importlib.util
import pickle
import subprocess
import sys

import mesa
import numpy as np
import pandas as pd
import pytest

import sim

from .conftest import ROOT

DAYS = 60
SHORT = {"n_townships": 2, "villages_per_township": 8, "days": DAYS, "policy_start_day": 30, "warmup_days": 10}


def _example(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", ROOT / "examples" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_batch_run_sweeps_a_lever_over_seeds():
    ex = _example("batch_run_example")
    df = ex.run(days=DAYS, townships=2, seeds=(0, 1))
    assert len(df) == 4 and set(df["meeting_cut"]) == {0.0, 0.5} and set(df["rng"]) == {0, 1}
    assert set(sim.COLUMNS) - {"day"} <= set(df.columns)
    assert {f"{o}_after" for o in sim.HEADLINE} <= set(df.columns)  # the run summary too
    # the row batch_run reports is the model's own record of the last day: same seed, same numbers
    row = df[(df["rng"] == 1) & (df["meeting_cut"] == 0.5)].iloc[0]
    ts = sim.run_scenario({**ex_params(DAYS), "meeting_cut": 0.5}, seed=1).timeseries
    for col in ("exhaustion_mean", "service_backlog", "hours_worked", "meetings_village_cadre"):
        assert row[col] == pytest.approx(ts[col].iloc[-1], rel=1e-12, abs=1e-12), col


def ex_params(days: int) -> dict:
    return {"n_townships": 2, "days": days, "policy_start_day": days // 2, "warmup_days": min(60, days // 4)}


def test_batch_run_every_day_and_in_parallel():
    ex = _example("batch_run_example")
    df = ex.run(days=20, townships=1, seeds=(3,), period=1)
    assert len(df) == 2 * 20 and sorted(df["Step"].unique()) == list(range(1, 21))
    # in parallel the model class must be importable by the workers: the package's own model is
    # days alone: the reform day (10) and the warm-up (5) follow it (one rule with the field and --days)
    fewer = {k: v for k, v in SHORT.items() if k not in ("policy_start_day", "warmup_days")}
    par = mesa.batch_run(sim.GrassrootsModel, parameters={**fewer, "days": 20, "extra_staff": [0, 1]},
                         rng=[3], max_steps=20, number_processes=2, display_progress=False)
    assert len(par) == 2 and all(np.isfinite(r["exhaustion_mean"]) for r in par)


def test_batch_run_with_the_plain_model():
    res = mesa.batch_run(sim.GrassrootsModel, parameters={**SHORT, "meeting_cut": [0.0, 0.5]}, rng=[0],
                         max_steps=DAYS, number_processes=1, display_progress=False)
    assert len(res) == 2 and "exhaustion_mean" in res[0]
    summary = sim.run_scenario({**SHORT, "meeting_cut": 0.5}, seed=0).summary
    got = next(r for r in res if r["meeting_cut"] == 0.5)
    assert got["exhaustion_mean_after"] == pytest.approx(summary["exhaustion_mean_after"], rel=1e-12)


def test_batch_run_cut_short_by_max_steps():
    res = mesa.batch_run(sim.GrassrootsModel, parameters=SHORT, rng=[0], max_steps=DAYS // 2,
                         number_processes=1, display_progress=False)
    assert len(res) == 1 and res[0]["Step"] == DAYS // 2
    m = sim.GrassrootsModel(rng=0, **SHORT)
    m.run(DAYS // 2)
    assert res[0]["exhaustion_mean"] == m.timeseries["exhaustion_mean"].iloc[-1]


def test_run_scenario_is_a_plain_function_of_lever_keywords():
    r = sim.run_scenario(SHORT, seed=2, document_cut=0.3, app_cap=3, duty_list=True)
    assert isinstance(r.summary, dict) and all(isinstance(v, float) for v in r.summary.values())
    assert r.scenario.document_cut == 0.3 and r.scenario.app_cap == 3
    pickle.dumps(sim.run_scenario)  # process pools (EMA Workbench, multiprocessing) can ship it
    with pytest.raises(sim.ScenarioError, match="document_cut"):
        sim.run_scenario(SHORT, seed=2, document_cut=2.0)


def test_salib_morris_over_levers(monkeypatch):
    ex = _example("salib_example")
    monkeypatch.setattr(ex, "COUNTY", SHORT)
    res = ex.morris(n=2, days=DAYS)
    assert set(res) == set(ex.OUTCOMES)
    for r in res.values():
        assert list(r["names"]) == ex.PROBLEM["names"]
        assert np.isfinite(np.asarray(r["mu_star"], float)).all()


def test_salib_sobol_over_levers(monkeypatch):
    ex = _example("salib_example")
    monkeypatch.setattr(ex, "COUNTY", SHORT)
    res = ex.sobol(n=4, days=DAYS)
    assert all(len(r["ST"]) == ex.PROBLEM["num_vars"] for r in res.values())


def test_ema_style_function(monkeypatch):
    ex = _example("ema_example")
    monkeypatch.setattr(ex, "COUNTY", SHORT)
    out = ex.ema_model(meeting_cut=0.4, displacement=0.5, requests_per_household_year=3.0)
    assert set(out) == set(ex.OUTCOMES) and all(isinstance(v, float) for v in out.values())
    df = ex.without_ema(4)
    assert isinstance(df, pd.DataFrame) and len(df) == 4 and set(ex.OUTCOMES) <= set(df.columns)
    experiments, outcomes = ex.with_ema(2)  # the real EMA Workbench: 2 scenarios x 2 policies, no casts
    assert len(experiments) == 4 and set(experiments["extra_staff"]) <= {0, 1, 2}
    assert all(np.isfinite(outcomes[o]).all() for o in ex.OUTCOMES)


def test_examples_run_as_scripts():
    res = subprocess.run([sys.executable, "examples/batch_run_example.py", "--days", "40"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "meeting_cut" in res.stdout
