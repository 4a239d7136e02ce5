"""A sweep killed at random moments, the main process alone or its whole process group, then run again to the
end: every run is there exactly once, with tables identical to an uninterrupted sweep, and no process is left."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import psutil

from sim.exploration.sweep import load_experiment, run_sweep

from .conftest import ROOT

BASELINE = ROOT / "scenarios" / "baseline.toml"
EXPERIMENT = """
    name = "crash"
    base = "{base}"
    replicates = 4
    seed = 11
    days = 365
    timeseries_every = 7
    set = {{ n_townships = 1, villages_per_township = 5, township_cadres = 8 }}

    [grid]
    meeting_cut = [0.0, 0.4]
    duty_list = [false, true]
"""
VOLATILE = ("seconds", "host")  # how long a run took and where: not results


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    res = {}
    for t in ("runs", "summary", "timeseries"):
        df = pd.read_parquet(out / f"{t}.parquet")
        df = df.drop(columns=[c for c in VOLATILE if c in df.columns])
        res[t] = df.sort_values(["run_id", "day"] if t == "timeseries" else ["run_id"]).reset_index(drop=True)
    return res


def _group(pgid: int) -> list[psutil.Process]:
    out = []
    for p in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(p.pid) == pgid:
                out.append(p)
        except OSError:
            pass
    return out


def test_random_kills_then_rerun_give_every_run_once_and_the_uninterrupted_tables(tmp_path: Path) -> None:
    exp = tmp_path / "crash.toml"
    exp.write_text(textwrap.dedent(EXPERIMENT).format(base=BASELINE.as_posix()))
    want_ids = {t.run_id for t in load_experiment(exp).tasks()}
    reference = tmp_path / "reference"
    assert run_sweep(exp, reference, workers=2).ok == 16
    want = _tables(reference)

    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim", "sweep", str(exp), "--out", str(out), "--workers", "2", "--quiet"]
    rng = random.Random(20240611)
    kills = []
    for round_ in range(5):
        proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 6.0))  # any moment: importing, starting workers, running, writing tables
        if proc.poll() is not None:
            break  # it finished before the kill
        whole_group = round_ % 2 == 1
        if whole_group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        kills.append("group" if whole_group else "main")
        left = _group(proc.pid)
        _, alive = psutil.wait_procs(left, timeout=15)
        assert not alive, [(p.pid, p.cmdline()) for p in alive]  # nothing outlives the main process
        parts = list((out / "parts").glob("*.json")) if (out / "parts").exists() else []
        assert len(parts) <= 16
    assert kills, "no kill landed"
    assert "main" in kills

    final = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    got = _tables(out)
    for t in ("runs", "summary"):
        assert got[t]["run_id"].is_unique and set(got[t]["run_id"]) == want_ids
    assert set(got["timeseries"]["run_id"]) == want_ids
    for t in ("runs", "summary", "timeseries"):
        pd.testing.assert_frame_equal(got[t], want[t])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["ok"] == 16 and manifest["missing"] == 0
    assert not list(out.glob(".tmp-*")) and not list((out / "parts").glob(".tmp-*"))
    assert len(list((out / "parts").glob("*.json"))) == 16
