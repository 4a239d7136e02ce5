"""Sweeps: reproducible across workers and Dask, resumable after SIGKILL, failing runs recorded, bad files rejected."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import main as cli_main
from sim.exploration.sweep import ExperimentError, load_experiment, replicate_seeds, run_id, run_sweep

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"


def write_exp(tmp: Path, body: str, name: str = "exp.toml") -> Path:
    p = tmp / name
    p.write_text(textwrap.dedent(body).format(base=BASELINE.as_posix()), encoding="utf-8")
    return p


SMALL = """
    name = "small"
    base = "{base}"
    replicates = 2
    seed = 7
    days = 60
    timeseries_every = 5
    set = {{ policy_start_day = 30, warmup_days = 10 }}

    [grid]
    meeting_cut = [0.0, 0.5]
    duty_list = [false, true]
"""


def tables(out: Path) -> dict[str, pd.DataFrame]:
    out_ = {}
    for t in ("runs", "summary", "timeseries"):
        df = pd.read_parquet(out / f"{t}.parquet")
        keys = ["run_id", "day"] if t == "timeseries" else ["run_id"]
        out_[t] = df.sort_values(keys).reset_index(drop=True)
    return out_


# ------------------------------------------------------------------------------------------------------------
# seeds, ids, experiment files


def test_replicate_seeds_are_spawned_children_and_shared_by_every_point(tmp_path: Path) -> None:
    seeds = replicate_seeds(7, 3)
    kids = np.random.SeedSequence(7).spawn(3)
    assert seeds == [int(k.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for k in kids]
    assert len(set(seeds)) == 3 and all(0 <= s < 2**63 for s in seeds)
    exp = load_experiment(write_exp(tmp_path, SMALL))
    tasks = exp.tasks()
    assert len(tasks) == 4 * 2
    by_point: dict[int, list[int]] = {}
    for t in tasks:
        by_point.setdefault(t.point, []).append(t.seed)
    assert all(v == replicate_seeds(7, 2) for v in by_point.values())
    assert len({t.run_id for t in tasks}) == len(tasks)


def test_run_id_hashes_fields_seed_and_version() -> None:
    f = sim.load_scenario(BASELINE).fields()
    g = sim.load_scenario(BASELINE, meeting_cut=0.1).fields()
    assert run_id(f, 1) == run_id(dict(f), 1)
    assert len({run_id(f, 1), run_id(f, 2), run_id(g, 1), run_id(f, 1, version="9.9")}) == 4


def test_days_and_set_resolve_into_every_point(tmp_path: Path) -> None:
    exp = load_experiment(write_exp(tmp_path, SMALL))
    assert [p["meeting_cut"] for p in exp.points] == [0.0, 0.0, 0.5, 0.5]
    assert all(s.days == 60 and s.policy_start_day == 30 for s in exp.scenarios)
    assert exp.swept == ["meeting_cut", "duty_list"]


BAD = {
    "unknown key": ("replicates = 2\nseed = 1\nbase = '{base}'\nrepeats = 3\n", "unknown field 'repeats'"),
    "wrong type": ("replicates = 'two'\nseed = 1\nbase = '{base}'\n", "field 'replicates': must be an integer"),
    "missing seed": ("replicates = 2\nbase = '{base}'\n", "field 'seed': missing"),
    "bad grid field": ("replicates = 2\nseed = 1\nbase = '{base}'\n[grid]\nmeeting_cuts = [0.1]\n",
                       "field 'grid.meeting_cuts': unknown scenario field"),
    "bad grid value": ("replicates = 2\nseed = 1\nbase = '{base}'\n[grid]\nmeeting_cut = [0.1, 1.5]\n",
                       "field 'grid.meeting_cut': must be a number in [0, 1] (got 1.5)"),
    "bad grid type": ("replicates = 2\nseed = 1\nbase = '{base}'\n[grid]\nduty_list = [false, 1]\n",
                      "field 'grid.duty_list': must be true or false"),
    "grid not a list": ("replicates = 2\nseed = 1\nbase = '{base}'\n[grid]\nmeeting_cut = 0.1\n",
                        "field 'grid.meeting_cut': must be a non-empty list"),
    "missing base file": ("replicates = 2\nseed = 1\nbase = 'nowhere.toml'\n", "field 'base': file 'nowhere.toml' not found"),
    "missing scenario file": ("replicates = 2\nseed = 1\nscenarios = ['{base}', 'gone.toml']\n",
                              "field 'scenarios': file 'gone.toml' not found"),
    "days too short for reform day": ("replicates = 2\nseed = 1\nbase = '{base}'\ndays = 100\nset = {{ policy_start_day = 200 }}\n",
                                      "field 'days': 100 days end before the scenario's policy_start_day (200)"),
    "bad toml": ("replicates = = 2\n", "not valid TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_experiment_is_one_line_error_before_any_run(case: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    body, expected = BAD[case]
    path = write_exp(tmp_path, body)
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    assert str(info.value).startswith(f"{path}: ") and expected in str(info.value)
    out = tmp_path / "out"
    rc = cli_main(["sweep", str(path), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith(f"error: {path}") and expected in err
    assert "Traceback" not in err
    assert not out.exists()  # nothing written, nothing that looks complete


def test_cli_bad_file_exits_nonzero_without_traceback(tmp_path: Path) -> None:
    path = write_exp(tmp_path, BAD["bad grid value"][0])
    p = subprocess.run([sys.executable, "-m", "sim", "sweep", str(path), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "grid.meeting_cut" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "o").exists()


def test_shipped_experiments_load() -> None:
    import tomllib

    files = [f for f in sorted((ROOT / "experiments").glob("*.toml"))  # sweeps: not sensitivity or targets files
             if not {"method", "targets"} & set(tomllib.loads(f.read_text(encoding="utf-8")))]
    assert len(files) >= 4
    names = {load_experiment(f).name for f in files}
    assert {"meeting_cut_curve", "video_x_meeting_cut", "reform_comparison", "staffing_vs_duty_list"} <= names


# ------------------------------------------------------------------------------------------------------------
# execution


def test_one_worker_two_workers_and_dask_give_identical_results(tmp_path: Path) -> None:
    exp = write_exp(tmp_path, SMALL)
    r1 = run_sweep(exp, tmp_path / "w1", workers=1)
    r2 = run_sweep(exp, tmp_path / "w2", workers=2)
    rd = run_sweep(exp, tmp_path / "dask", dask="local", workers=2)
    assert (r1.ok, r2.ok, rd.ok) == (8, 8, 8)
    a, b, d = tables(tmp_path / "w1"), tables(tmp_path / "w2"), tables(tmp_path / "dask")
    for t in ("summary", "timeseries"):
        pd.testing.assert_frame_equal(a[t], b[t])
        pd.testing.assert_frame_equal(a[t], d[t])
    cols = ["run_id", "point", "scenario", "meeting_cut", "duty_list", "replicate", "seed", "status"]
    pd.testing.assert_frame_equal(a["runs"][cols], b["runs"][cols])
    pd.testing.assert_frame_equal(a["runs"][cols], d["runs"][cols])
    # the tables hold what the model gives for that run alone
    row = a["runs"].iloc[0]
    one = load_experiment(exp).scenarios[int(row["point"])]
    res = sim.run_scenario(one, seed=int(row["seed"]))
    got = a["summary"].set_index("run_id").loc[row["run_id"]]
    want = pd.Series(res.summary)
    np.testing.assert_allclose(got[want.index].to_numpy(float), want.to_numpy(float), equal_nan=True)
    # time series: 5-day block means, 12 rows of 60 days per run
    ts = a["timeseries"]
    assert ts.groupby("run_id").size().eq(12).all() and set(ts["day"]) == set(range(0, 60, 5))
    block = res.timeseries[res.timeseries["day"] < 5]["exhaustion_mean"].mean()
    got_block = ts[(ts["run_id"] == row["run_id"]) & (ts["day"] == 0)]["exhaustion_mean"].iloc[0]
    assert got_block == pytest.approx(block)


def test_outputs_manifest_and_csv(tmp_path: Path) -> None:
    exp = write_exp(tmp_path, SMALL)
    out = tmp_path / "out"
    assert cli_main(["sweep", str(exp), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "complete" and m["ok"] == 8 and m["failed"] == 0
    assert m["version"] == sim.__version__ and m["end_time"] and m["command"] == ["python", "-m", "sim", "sweep", str(exp), "--out", str(out), "--workers", "1", "--quiet"]
    assert len(m["experiment_sha256"]) == 64 and "git_dirty" in m and m["machine"]["cpus"] >= 1
    assert all(lib["num_threads"] == 1 for lib in m["machine"]["blas"])  # BLAS kernel and threads, pinned
    t = tables(out)
    assert set(t["runs"]["status"]) == {"ok"} and len(t["runs"]) == 8
    assert {"run_id", "meeting_cut", "duty_list", "replicate", "seed", "status", "error", "seconds"} <= set(t["runs"])
    assert {f"{k}_after" for k in sim.OUTCOMES} <= set(t["summary"])
    csv = pd.read_csv(out / "summary.csv").sort_values("run_id").reset_index(drop=True)
    np.testing.assert_allclose(csv["burnout_share_after"], t["summary"]["burnout_share_after"])
    assert pd.read_csv(out / "runs.csv")["seed"].astype("int64").isin(replicate_seeds(7, 2)).all()


FAIL_SEEDS = set(replicate_seeds(7, 2)[1:])


def failing_runner(fields: dict, seed: int):
    """A test hook: the model raises for replicate 1 of the meeting_cut = 0.5 points."""
    if fields["meeting_cut"] == 0.5 and seed in FAIL_SEEDS:
        raise RuntimeError("boom: model diverged")
    return sim.run_scenario(fields, seed=seed)


def test_a_failing_run_is_recorded_and_the_rest_finish(tmp_path: Path) -> None:
    exp = write_exp(tmp_path, SMALL)
    out = tmp_path / "out"
    rep = run_sweep(exp, out, workers=2, runner=failing_runner)
    assert (rep.ok, rep.failed) == (6, 2)
    t = tables(out)
    failed = t["runs"][t["runs"]["status"] == "failed"]
    assert len(failed) == 2 and (failed["meeting_cut"] == 0.5).all()
    assert failed["error"].str.contains("RuntimeError: boom: model diverged").all()
    assert set(t["summary"]["run_id"]) == set(t["runs"].loc[t["runs"]["status"] == "ok", "run_id"])
    assert set(t["timeseries"]["run_id"]) == set(t["summary"]["run_id"])
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete_with_failures"
    # a rerun keeps failed runs as recorded; --retry-failed runs only those again
    assert run_sweep(exp, out, workers=1).ran == 0
    again = run_sweep(exp, out, workers=1, retry_failed=True)
    assert (again.ran, again.ok, again.failed) == (2, 2, 0)
    assert set(tables(out)["runs"]["status"]) == {"ok"}


def test_sigkill_mid_sweep_then_rerun_gives_every_run_exactly_once(tmp_path: Path) -> None:
    exp = write_exp(tmp_path, SMALL.replace("days = 60", "days = 150").replace("replicates = 2", "replicates = 4"))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim", "sweep", str(exp), "--out", str(out), "--workers", "2", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    parts = out / "parts"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(parts.glob("*.json"))) < 3:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in parts.glob("*.json")}
    n_before = len(before)
    assert 3 <= n_before < 16, n_before  # killed mid-way
    assert not (out / "runs.parquet").exists()
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"

    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert f"{n_before} already done, {16 - n_before} run now" in p.stdout
    for name, (mtime, data) in before.items():  # nothing done twice
        assert (parts / name).stat().st_mtime_ns == mtime and (parts / name).read_bytes() == data
    t = tables(out)
    want = {task.run_id for task in load_experiment(exp).tasks()}
    for name in ("runs", "summary"):
        assert t[name]["run_id"].is_unique and set(t[name]["run_id"]) == want
    assert t["timeseries"].groupby("run_id").size().eq(30).all() and set(t["timeseries"]["run_id"]) == want
    assert not list(parts.glob(".tmp-*"))
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def crashing_runner(fields: dict, seed: int, marker: str = ""):
    """A test hook: the first time it sees meeting_cut = 0.5, replicate 1, the worker process dies outright."""
    if fields["meeting_cut"] == 0.5 and seed in FAIL_SEEDS and not os.path.exists(marker):
        Path(marker).write_text("died once")
        os._exit(1)
    return sim.run_scenario(fields, seed=seed)


def test_a_dead_worker_process_has_its_runs_rerun(tmp_path: Path) -> None:
    import functools

    exp = write_exp(tmp_path, SMALL)
    marker = tmp_path / "died"
    rep = run_sweep(exp, tmp_path / "out", workers=2, runner=functools.partial(crashing_runner, marker=str(marker)))
    assert marker.exists()  # a worker did die
    assert (rep.ran, rep.ok, rep.failed) == (8, 8, 0)
    runs = tables(tmp_path / "out")["runs"]
    assert runs["run_id"].is_unique and len(runs) == 8 and set(runs["status"]) == {"ok"}
