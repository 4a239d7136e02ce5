"""The main job from the command line: outputs of `python -m sim run`, and one clear line for bad input."""

import json
import subprocess
import sys

import pandas as pd
import pytest

import sim

from .conftest import ROOT

BASELINE = ROOT / "scenarios" / "baseline.toml"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_run_writes_summary_timeseries_and_figures(tmp_path):
    out = tmp_path / "out"
    res = _run("run", str(BASELINE), "--out", str(out), "--seed", "3", "--days", "400")
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text())
    for k in sim.HEADLINE:
        assert isinstance(summary[f"{k}_before"], float) and isinstance(summary[f"{k}_after"], float)
    assert summary["policy_start_day"] == 200 and summary["days"] == 400  # --days is the field: reform day follows
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(ts) == 400 and list(ts["day"]) == list(range(400))
    for col in ("service_requests_arrived", "service_resolved", "service_backlog", "exhaustion_mean",
                "burnout_share", "formalism_share", "hours_meeting", "hours_form", "hours_service"):
        assert col in ts.columns and ts[col].notna().all()
    for fig in ("time_use.png", "burnout.png", "service.png"):
        assert (out / fig).stat().st_size > 10_000
    assert "exhaustion_mean" in res.stdout  # the printed headline table
    manifest = json.loads((out / "manifest.json").read_text())  # provenance: BLAS kernel and threads, pinned to 1
    assert manifest["seeds"] == [3] and manifest["days"] == 400
    blas = manifest["provenance"]["blas"]
    assert blas and all(lib["num_threads"] == 1 for lib in blas)
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]
    same = sim.run_scenario(BASELINE, seed=3, days=400)
    assert same.summary["exhaustion_mean_after"] == pytest.approx(summary["exhaustion_mean_after"], rel=1e-12)


BAD = {
    "bad_toml": ("days = = 3\n", "not valid TOML"),
    "unknown_field": ("meetings_per_year = 3\n", "unknown field 'meetings_per_year'"),
    "wrong_type": ('days = "long"\n', "field 'days': must be an integer"),
    "share_out_of_range": ("meeting_cut = 1.5\n", "field 'meeting_cut': must be a number in [0, 1]"),
    "negative_count": ("n_townships = -2\n", "field 'n_townships': must be an integer in [1, 2000]"),
    "nan": ("document_cut = nan\n", "field 'document_cut': must be a finite number"),
    "infinite": ("forms_per_dept_week = inf\n", "field 'forms_per_dept_week': must be a finite number"),
    "too_many_days": ("days = 1000000\n", "field 'days': must be an integer in [1, 3650]"),
    "reform_after_end": ("days = 100\npolicy_start_day = 200\n", "field 'policy_start_day': must be between 1 and days - 1 (99)"),
    "missing_extends": ('extends = "nowhere.toml"\n', "field 'extends': file 'nowhere.toml' not found"),
    "bool_as_number": ("duty_list = 1\n", "field 'duty_list': must be true or false"),
    "lever_wrong_type": ('app_cap = "two"\n', "field 'app_cap': must be an integer"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scenario_gives_one_clear_line_and_no_output(tmp_path, case):
    text, expected = BAD[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text)
    out = tmp_path / "out"
    res = _run("run", str(path), "--out", str(out))
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert str(path) in lines[0] and expected in lines[0], lines[0]
    assert not (out / "summary.json").exists()


def test_missing_scenario_file_and_bad_days_flag(tmp_path):
    res = _run("run", str(tmp_path / "none.toml"), "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "file not found" in res.stderr and "Traceback" not in res.stderr
    res = _run("run", str(BASELINE), "--out", str(tmp_path / "o"), "--days", "5000")
    assert res.returncode == 2 and "--days" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_extends_merges_and_child_wins(tmp_path):
    (tmp_path / "child.toml").write_text(f'extends = "{BASELINE}"\nname = "child"\nmeeting_cut = 0.3\n')
    s = sim.load_scenario(tmp_path / "child.toml")
    assert s.meeting_cut == 0.3 and s.n_townships == 12 and s.name == "child"


def test_output_cut_short_by_a_pipe_is_no_traceback():
    """`sim fields | head -1`: the reader stops after one line; the command ends quietly."""
    import subprocess
    import sys

    p = subprocess.Popen([sys.executable, "-m", "sim", "fields"], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline().startswith("field")
    p.stdout.close()  # as head does after its line
    err = p.stderr.read()
    assert p.wait(timeout=60) == 0 and "Traceback" not in err, err
