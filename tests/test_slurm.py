"""SLURM as a backend: a one-node Slurm from Debian's packages (started by tests/slurm/start.sh, as .ci/run
does) runs a small sweep through `--dask slurm` (a dask_jobqueue.SLURMCluster configured by Dask's
`jobqueue.slurm` settings, here from DASK_JOBQUEUE__SLURM__* variables), and its tables are identical to a local
sweep's. Skipped only where the Slurm programs are not installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from sim.exploration.sweep import run_sweep

from .conftest import ROOT

PROGRAMS = ("munged", "slurmctld", "slurmd", "sbatch", "sinfo")
needs_slurm = pytest.mark.skipif(any(shutil.which(p) is None for p in PROGRAMS),
                                 reason="Slurm is not installed (apt-get install slurmctld slurmd slurm-client munge)")

EXPERIMENT = """
    name = "slurm_tiny"
    base = "{base}"
    replicates = 1
    seed = 11
    days = 30
    set = {{ n_townships = 1, villages_per_township = 3, township_cadres = 5, policy_start_day = 15 }}

    [grid]
    meeting_cut = [0.0, 0.4]
"""


@pytest.fixture(scope="module")
def slurm() -> None:
    """A one-node Slurm, idle (started if it is not running; needs root, as in .ci/run)."""
    p = subprocess.run(["bash", str(ROOT / "tests" / "slurm" / "start.sh")], capture_output=True, text=True,
                       timeout=180)
    assert p.returncode == 0, p.stderr


def write_exp(tmp: Path) -> Path:
    exp = tmp / "exp.toml"
    exp.write_text(textwrap.dedent(EXPERIMENT).format(base=(ROOT / "scenarios" / "baseline.toml").as_posix()),
                   encoding="utf-8")
    return exp


def tables(out: Path) -> dict[str, pd.DataFrame]:
    res = {}
    for t in ("runs", "summary", "timeseries", "differences"):
        df = pd.read_parquet(out / f"{t}.parquet")
        if t == "runs":
            df = df.drop(columns=["seconds", "host"])
        keys = {"timeseries": ["run_id", "day"], "differences": ["meeting_cut", "outcome", "window"]}.get(t, ["run_id"])
        res[t] = df.sort_values(keys).reset_index(drop=True)
    return res


@needs_slurm
def test_a_sweep_through_slurm_is_identical_to_a_local_sweep(tmp_path: Path, slurm: None) -> None:
    exp = write_exp(tmp_path)
    logs = tmp_path / "slurm-logs"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "DASK_JOBQUEUE__SLURM__CORES": "1", "DASK_JOBQUEUE__SLURM__MEMORY": "2GB",
           "DASK_JOBQUEUE__SLURM__WALLTIME": "00:10:00", "DASK_JOBQUEUE__SLURM__LOG_DIRECTORY": str(logs)}
    on_slurm = tmp_path / "slurm"
    p = subprocess.run([sys.executable, "-m", "sim", "sweep", str(exp), "--out", str(on_slurm), "--dask", "slurm",
                        "--workers", "1", "--quiet"], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=240)
    assert p.returncode == 0, p.stderr
    manifest = json.loads((on_slurm / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["backend"] == "dask:slurm"
    jobs = list(logs.glob("*.out")) + list(logs.glob("*.err"))
    assert jobs, "no SLURM job log: the runs did not go through Slurm"  # dask-jobqueue names them dask-worker-<job>

    local = tmp_path / "local"
    rep = run_sweep(exp, local, workers=1)
    assert (rep.ran, rep.ok) == (2, 2)
    a, b = tables(local), tables(on_slurm)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)
    assert len(a["runs"]) == 2 and len(a["timeseries"]) == 60


def test_slurm_without_cores_or_memory_configured_ends_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    import dask

    from sim.exploration.engine import SweepError

    out = tmp_path / "out"
    with dask.config.set({"jobqueue.slurm.cores": None, "jobqueue.slurm.memory": None}):
        with pytest.raises(SweepError, match=r"^--dask slurm: cannot configure the SLURM cluster .*jobqueue.slurm.cores"):
            run_sweep(write_exp(tmp_path), out, dask="slurm")
    assert not out.exists()
