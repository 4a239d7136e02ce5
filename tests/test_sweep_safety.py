"""Sweeps that never lie: equal grid values, lost or broken parts, two sweeps into one folder, stale temporary
files, runs that kill their worker, workers that keep dying, a killed main process, and Dask clusters that cannot
be reached or have no workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

import sim
from sim.cli import main as cli_main
from sim.exploration import engine, sweep
from sim.exploration.sweep import ExperimentError, SweepError, load_experiment, replicate_seeds, run_sweep
from sim.io.outputs import OutputError, claim_output_dir

from .conftest import ROOT

BASELINE = ROOT / "scenarios" / "baseline.toml"

TINY = """
    name = "tiny"
    base = "{base}"
    replicates = 2
    seed = 3
    days = {days}
    timeseries_every = 10
    set = {{ n_townships = 1, villages_per_township = 4, township_cadres = 6 }}

    [grid]
    meeting_cut = [0.0, 0.5]
    duty_list = [false, true]
"""


def write_exp(tmp: Path, days: int = 40, body: str = TINY) -> Path:
    p = tmp / "exp.toml"
    p.write_text(textwrap.dedent(body).format(base=BASELINE.as_posix(), days=days), encoding="utf-8")
    return p


def tables(out: Path) -> dict[str, pd.DataFrame]:
    res = {}
    for t in ("runs", "summary", "timeseries"):
        df = pd.read_parquet(out / f"{t}.parquet")
        res[t] = df.sort_values(["run_id", "day"] if t == "timeseries" else ["run_id"]).reset_index(drop=True)
    return res


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


# -- 2. equal values spelled differently --------------------------------------------------------------------


def test_grid_values_equal_when_resolved_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    exp = write_exp(tmp_path, body=TINY.replace("[0.0, 0.5]", "[0, 0.5, 0.0]"))
    with pytest.raises(ExperimentError, match=r"field 'grid.meeting_cut': lists one value twice \(0 and 0.0"):
        load_experiment(exp)
    assert cli_main(["sweep", str(exp), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "grid.meeting_cut" in err and not (tmp_path / "o").exists()


def test_points_hold_resolved_values_and_run_ids_are_unique(tmp_path: Path) -> None:
    exp = load_experiment(write_exp(tmp_path, body=TINY.replace("[0.0, 0.5]", "[0, 1]")))
    assert [p["meeting_cut"] for p in exp.points] == [0.0, 0.0, 1.0, 1.0]
    assert all(isinstance(p["meeting_cut"], float) for p in exp.points)
    ids = [t.run_id for t in exp.tasks()]
    assert len(ids) == len(set(ids)) == 8


# -- 3. completeness from the parts -------------------------------------------------------------------------


def test_lost_truncated_or_garbled_parts_are_run_again_never_reported_complete(tmp_path: Path,
                                                                              capsys: pytest.CaptureFixture) -> None:
    exp = write_exp(tmp_path)
    out = tmp_path / "out"
    assert run_sweep(exp, out, workers=1).ok == 8
    want = tables(out)
    parts = sorted((out / "parts").glob("*.json"))
    parts[0].unlink()  # lost
    arrow = parts[1].with_suffix(".arrow")
    arrow.write_bytes(arrow.read_bytes()[: arrow.stat().st_size // 2])  # truncated time series
    parts[2].write_text('{"run_id": "')  # truncated record
    parts[3].with_suffix(".arrow").unlink()  # time series lost, record kept
    rc = cli_main(["sweep", str(exp), "--out", str(out), "--workers", "1", "--quiet"])
    assert rc == 0
    assert "4 already done, 4 run now (4 ok, 0 failed)" in capsys.readouterr().out
    got = tables(out)
    for t in ("runs", "summary", "timeseries"):
        cols = [c for c in got[t].columns if c not in ("seconds", "host")]
        pd.testing.assert_frame_equal(got[t][cols], want[t][cols])
    assert manifest(out)["status"] == "complete" and manifest(out)["missing"] == 0


def test_a_part_lost_during_the_sweep_is_run_again_in_the_same_call(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    exp = write_exp(tmp_path)
    out = tmp_path / "out"
    real = sweep.Store.write
    lost: list[str] = []

    def lossy(self, task, point, result):  # the first run's record never reaches the disk, once
        real(self, task, point, result)
        if not lost:
            lost.append(task.run_id)
            (self.parts / f"{task.run_id}.json").unlink()

    monkeypatch.setattr(sweep.Store, "write", lossy)
    rep = run_sweep(exp, out, workers=1)
    assert (rep.ran, rep.ok, rep.missing, rep.status) == (9, 9, 0, "complete")
    assert len(tables(out)["runs"]) == 8 and lost[0] in set(tables(out)["runs"]["run_id"])


def test_a_part_that_never_reaches_the_disk_makes_the_sweep_incomplete(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture) -> None:
    exp = write_exp(tmp_path)
    out = tmp_path / "out"
    real = sweep.Store.write
    victim = load_experiment(exp).tasks()[5].run_id

    def lossy(self, task, point, result):
        real(self, task, point, result)
        if task.run_id == victim:
            (self.parts / f"{task.run_id}.json").unlink()

    monkeypatch.setattr(sweep.Store, "write", lossy)
    rc = cli_main(["sweep", str(exp), "--out", str(out), "--workers", "1", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 1 and "1 runs have no readable result" in err and err.count("\n") == 1
    m = manifest(out)
    assert m["status"] == "incomplete" and m["missing"] == 1 and m["ok"] == 7
    assert len(tables(out)["runs"]) == 7


# -- 5. one sweep per folder; stale temporary files ---------------------------------------------------------


def test_a_second_sweep_into_a_busy_folder_stops_at_once(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    exp = write_exp(tmp_path, days=120)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim", "sweep", str(exp), "--out", str(out), "--workers", "1", "--quiet"]
    first = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (out / ".lock.json").exists():
            time.sleep(0.05)
        t0 = time.perf_counter()
        rc = cli_main(["sweep", str(exp), "--out", str(out), "--quiet"])
        err = capsys.readouterr().err
        assert rc == 2 and time.perf_counter() - t0 < 10
        assert err.count("\n") == 1 and "is in use by another sweep (pid" in err
        with pytest.raises(OutputError, match="in use by another sweep"):
            run_sweep(exp, out)
    finally:
        stdout, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    assert "0 already done, 8 run now (8 ok" in stdout
    runs = tables(out)["runs"]
    assert runs["run_id"].is_unique and len(runs) == 8
    assert not (out / ".lock.json").exists()
    assert run_sweep(exp, out, workers=1).ran == 0  # the lock is free again


def test_stale_temporary_files_are_removed_by_the_next_sweep(tmp_path: Path) -> None:
    exp = write_exp(tmp_path)
    out = tmp_path / "out"
    claim_output_dir(out, "sweep")  # a sweep killed mid-write: its folder says it is a sweep's
    (out / "parts").mkdir(parents=True)
    stale = [out / ".tmp-0123-timeseries.parquet", out / ".tmp-4567-runs.csv", out / "parts" / ".tmp-89-x.json"]
    for p in stale:
        p.write_bytes(b"half a file")
    run_sweep(exp, out, workers=1)
    assert not [p for p in stale if p.exists()]
    assert not list(out.glob(".tmp-*")) and not list((out / "parts").glob(".tmp-*"))


# -- 4. runs that kill their worker -------------------------------------------------------------------------

KILL_SEED = replicate_seeds(3, 2)[1]


def oom_runner(fields: dict, seed: int):
    """A test hook: one run is killed every time, as the out-of-memory killer would kill it."""
    if fields["meeting_cut"] == 0.5 and fields["duty_list"] and seed == KILL_SEED:
        os.kill(os.getpid(), signal.SIGKILL)
    return sim.run_scenario(fields, seed=seed)


def always_killed(fields: dict, seed: int):
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_that_kills_its_worker_is_recorded_failed_with_the_cause(tmp_path: Path, workers: int) -> None:
    exp = write_exp(tmp_path)
    out = tmp_path / "out"
    rep = run_sweep(exp, out, workers=workers, runner=oom_runner)
    assert (rep.ran, rep.ok, rep.failed) == (8, 7, 1)
    runs = tables(out)["runs"]
    bad = runs[runs["status"] == "failed"]
    assert len(bad) == 1 and bad["seed"].iloc[0] == KILL_SEED
    assert "WorkerDied" in bad["error"].iloc[0] and "SIGKILL" in bad["error"].iloc[0]
    assert manifest(out)["status"] == "complete_with_failures"
    assert run_sweep(exp, out, workers=workers, runner=oom_runner).ran == 0  # a rerun does not stop there again


def test_workers_dying_past_the_restart_limit_end_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(engine, "MAX_POOL_RESTARTS", 1)
    monkeypatch.setattr(sweep, "run_sweep", _with_runner(run_sweep, always_killed))
    import sim.cli.sweep as cli_sweep  # noqa: F401 - main imports run_sweep from the module at call time

    exp = write_exp(tmp_path, body=TINY.replace("replicates = 2", "replicates = 4"))
    out = tmp_path / "out"
    rc = cli_main(["sweep", str(exp), "--out", str(out), "--workers", "2", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 1 and err.count("\n") == 1 and "worker processes died 2 times" in err and "Traceback" not in err
    m = manifest(out)
    assert m["status"] == "failed" and "worker processes died" in m["error"]
    recorded = [json.loads(p.read_text()) for p in (out / "parts").glob("*.json")]
    assert recorded and all(r["status"] == "failed" and "WorkerDied" in r["error"] for r in recorded)


def _with_runner(fn, runner):
    def call(*args, **kw):
        return fn(*args, **{**kw, "runner": runner})
    return call


# -- 4. killing the main process leaves nothing behind ------------------------------------------------------


def test_killing_the_main_process_ends_every_process_it_started(tmp_path: Path) -> None:
    exp = write_exp(tmp_path, days=730, body=TINY.replace("replicates = 2", "replicates = 4"))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim", "sweep", str(exp), "--out", str(out), "--workers", "2", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    main = psutil.Process(proc.pid)
    deadline = time.monotonic() + 90
    children: list[psutil.Process] = []
    while time.monotonic() < deadline:  # wait until the workers are running runs
        children = [c for c in main.children(recursive=True) if _is_python(c)]
        if len(children) >= 2 and list((out / "parts").glob("*.json")):
            break
        time.sleep(0.05)
    assert len(children) >= 2 and proc.poll() is None, children
    os.kill(proc.pid, signal.SIGKILL)  # the main process only, not its group
    proc.wait(timeout=10)
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, [(p.pid, p.cmdline()) for p in alive]
    time.sleep(0.5)
    group = [p for p in psutil.process_iter(["pid"]) if _pgid(p.pid) == proc.pid]
    assert not group, [(p.pid, p.cmdline()) for p in group]


def _is_python(p: psutil.Process) -> bool:
    try:
        return "python" in p.name()
    except psutil.Error:
        return False


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


# -- 5. Dask clusters that cannot be reached or have no workers ---------------------------------------------


def test_an_unreachable_scheduler_ends_at_once_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    exp = write_exp(tmp_path)
    out = tmp_path / "out"
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "sim", "sweep", str(exp), "--out", str(out), "--quiet",
                        "--dask", "tcp://127.0.0.1:1"],  # the default --dask-timeout (60 s) is not waited for
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    took = time.perf_counter() - t0
    assert p.returncode == 1 and took < 20, (took, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "--dask tcp://127.0.0.1:1: connection refused" in lines[0], p.stderr
    assert "start one" in lines[0] and "Traceback" not in p.stderr
    assert not out.exists()  # no manifest, not even the folder


@pytest.mark.parametrize("command", ["sensitivity", "compare"])
def test_other_commands_refuse_an_unreachable_scheduler_before_writing(tmp_path: Path, command: str,
                                                                      capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    small = tmp_path / "small.toml"
    small.write_text(f'extends = "{BASELINE.as_posix()}"\nn_townships = 1\ndays = 20\n', encoding="utf-8")
    args = {"sensitivity": ["sensitivity", str(ROOT / "experiments" / "sensitivity_morris.toml")],
            "compare": ["compare", str(small), str(small), "--replicates", "2"]}[command]
    t0 = time.perf_counter()
    rc = cli_main([*args, "--out", str(out), "--dask", "tcp://127.0.0.1:1"])
    err = capsys.readouterr().err
    assert rc == 1 and time.perf_counter() - t0 < 15
    assert err.count("\n") == 1 and "tcp://127.0.0.1:1: connection refused" in err, err
    assert not out.exists()


def test_the_library_refuses_an_unreachable_scheduler_before_writing(tmp_path: Path) -> None:
    exp = load_experiment(write_exp(tmp_path))
    t0 = time.perf_counter()
    with pytest.raises(SweepError, match=r"^--dask tcp://127.0.0.1:1: connection refused"):
        run_sweep(exp, tmp_path / "out", dask="tcp://127.0.0.1:1")
    assert time.perf_counter() - t0 < 5 and not (tmp_path / "out").exists()


def test_a_scheduler_without_workers_times_out_with_a_clear_message(tmp_path: Path) -> None:
    from distributed import LocalCluster

    exp = write_exp(tmp_path)
    out = tmp_path / "out"
    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        t0 = time.perf_counter()
        with pytest.raises(SweepError, match=r"the scheduler has no workers after 2 s"):
            run_sweep(exp, out, dask=cluster.scheduler_address, dask_timeout=2)
        assert time.perf_counter() - t0 < 30
    assert not (out / "manifest.json").exists()  # the backend is ready before anything is written
