"""Inputs that never lie: the first commands a newcomer types, bounds the model can compute with, one rule for
`days`, seeds checked by the Python API, and output folders checked before any run. Every bad input gets one
line naming the file or argument, the field and what is allowed."""

from __future__ import annotations

import errno
import math
import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim.cli import main as cli_main
from sim.core.scenario import MAX_AMOUNT, MIN_AMOUNT, make_scenario
from sim.io.outputs import OutputError, check_output_dir

from .conftest import ROOT

BASELINE = ROOT / "scenarios" / "baseline.toml"
TINY = {"n_townships": 1, "villages_per_township": 3, "township_cadres": 5, "village_cadres": 2,
        "households_per_village": 50, "days": 40}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "grassroots"), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def one_line(text: str) -> str:
    """The one line a user sees (a progress bar redrawn with carriage returns and cleared is not a line)."""
    lines = text.split("\r")[-1].strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


# -- 1. the first commands ----------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["-h"], [], ["help"]])
def test_help_in_every_spelling_lists_the_commands(args: list[str]) -> None:
    res = _cli(*args)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    for command in ("run", "compare", "sweep", "plot", "dashboard", "fields"):
        assert command in res.stdout
    assert "95% confidence" in res.stdout  # the help text that held a bare % reads right


def test_help_for_one_command_and_for_a_wrong_one(capsys: pytest.CaptureFixture) -> None:
    for name in ("run", "compare", "sweep", "plot", "dashboard", "fields"):
        with pytest.raises(SystemExit) as info:
            cli_main(["help", name])
        assert info.value.code == 0
        assert f"grassroots {name}" in capsys.readouterr().out
    assert cli_main(["help", "swep"]) == 2
    assert "no command 'swep'" in one_line(capsys.readouterr().err)


def test_argparse_errors_are_one_line(capsys: pytest.CaptureFixture) -> None:
    for argv, expected in ((["swep"], "invalid choice: 'swep'"), (["sweep"], "required: experiment, --out"),
                           (["run", "x.toml", "--out", "o", "--days", "ten"], "--days: invalid int value")):
        with pytest.raises(SystemExit) as info:
            cli_main(argv)
        assert info.value.code == 2
        assert expected in one_line(capsys.readouterr().err)


# -- 6. bounds the model can compute with -------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("documents_per_dept_week", 1e300, f"must be a number in [0, {MAX_AMOUNT:g}]"),
    ("effort_form", 1e300, f"must be a number in [{MIN_AMOUNT:g}, {MAX_AMOUNT:g}]"),
    ("requests_per_household_year", 1e30, f"must be a number in [0, {MAX_AMOUNT:g}]"),
    ("deadline_document", 5e-324, f"must be a number in [{MIN_AMOUNT:g}, {MAX_AMOUNT:g}]"),
    ("deadline_form", 0.5, "must be at least 1 day"),
    ("deadline_pull", 5e-324, "must be a number in [0.001, 1]"),
    ("productivity_loss", 1.0, "must be below 1"),
    ("warmup_days", 5000, "must be an integer in [0, 3650]"),
    ("policy_start_day", 0, "must be between 1 and days - 1"),
    ("days", 1, "must be at least 2"),
    ("service_limit_days", 365, "must be below request_give_up_days (365)"),
])
def test_values_the_model_cannot_compute_are_refused_in_one_line(tmp_path: Path, field: str, value: float,
                                                                 expected: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f"{field} = {value!r}\n")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: field '{field}'") and expected in msg and "\n" not in msg


def test_every_field_has_both_bounds_or_a_rule() -> None:
    """No number the model reads is unbounded above (the bound names what the model can compute)."""
    from sim.core.scenario import FIELDS, field_info

    rules = {"policy_start_day"}  # bounded by days: 0 < policy_start_day < days
    for name in FIELDS:
        f = sim.Scenario.model_fields[name]
        if f.annotation in (int, float):
            info = field_info(name)
            assert ("le" in info or "lt" in info or name in rules) and ("ge" in info or "gt" in info), name


def test_huge_name_and_deep_tables_are_one_line_and_fast(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import time

    big = tmp_path / "big.toml"
    big.write_text(f'name = "{"x" * 20_000_000}"\n')  # refused for its size before it is read (issue 19)
    long = tmp_path / "long.toml"
    long.write_text(f'name = "{"x" * 500_000}"\n')
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "{b = " * 500 + "1" + "}" * 500 + "\n")
    deep_arrays = tmp_path / "deep_arrays.toml"
    deep_arrays.write_text("duty_shares = " + "[" * 500 + "1" + "]" * 500 + "\n")
    for path, expected in ((big, "is 20000010 bytes; a scenario TOML file is at most 1 MB"),
                           (long, "field 'name': must be a string of at most 200 characters"),
                           (deep, "nested too deeply"), (deep_arrays, "nested too deeply")):
        t0 = time.perf_counter()
        rc = cli_main(["run", str(path), "--out", str(tmp_path / "o")])
        line = one_line(capsys.readouterr().err)
        assert rc == 2 and str(path) in line and expected in line and len(line) < 400, line
        assert time.perf_counter() - t0 < 20
    assert not (tmp_path / "o" / "summary.json").exists()


# -- 9. one rule for days -----------------------------------------------------------------------------------


def test_days_field_flag_and_batch_run_follow_one_rule(tmp_path: Path) -> None:
    # the reform day is the middle of the run unless set; the warm-up runs before day 0, whatever the run's length
    default_warmup = sim.Scenario.model_fields["warmup_days"].default
    assert sim.Scenario().policy_start_day == 365 and default_warmup > 0
    s = make_scenario({"days": 60})
    assert (s.policy_start_day, s.warmup_days) == (30, default_warmup)
    assert sim.load_scenario(BASELINE, days=300).policy_start_day == 150
    assert make_scenario({"days": 300, "policy_start_day": 100}).policy_start_day == 100
    # a loaded scenario given a new length: a reform day in the middle follows it, one set elsewhere stays
    assert sim.load_scenario(sim.load_scenario(BASELINE), days=300).policy_start_day == 150
    assert sim.load_scenario(make_scenario({"days": 300, "policy_start_day": 100}), days=400).policy_start_day == 100
    # mesa.batch_run sets fields as keywords: days = 60 alone is fine now
    model = sim.GrassrootsModel(rng=1, **{**TINY, "days": 60})
    assert model.params.policy_start_day == 30
    # --days is the field: the same run as days = 60 in the file, with every _after outcome a number
    out = tmp_path / "o"
    assert cli_main(["run", str(BASELINE), "--out", str(out), "--days", "60", "--no-figures"]) == 0
    import json

    summary = json.loads((out / "summary.json").read_text())
    assert summary["policy_start_day"] == 30 and summary["days"] == 60
    assert all(math.isfinite(summary[f"{k}_after"]) for k in ("exhaustion_mean", "burnout_share", "formalism_share"))
    direct = sim.run_scenario(BASELINE, seed=0, days=60)
    assert direct.summary["exhaustion_mean_after"] == summary["exhaustion_mean_after"]


def test_days_that_contradict_a_set_reform_day_name_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "s.toml"
    path.write_text("policy_start_day = 365\n")
    rc = cli_main(["run", str(path), "--out", str(tmp_path / "o"), "--days", "60"])
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and line.startswith("error: --days 60:") and "field 'policy_start_day'" in line
    assert "between 1 and days - 1 (59)" in line


def test_experiment_with_short_days_runs_with_the_reform_in_the_middle(tmp_path: Path) -> None:
    from sim.exploration.sweep import load_experiment

    exp = tmp_path / "e.toml"
    exp.write_text(f'base = "{BASELINE.as_posix()}"\nreplicates = 1\nseed = 1\ndays = 300\n')
    assert load_experiment(exp).scenarios[0].policy_start_day == 150


# -- 8. seeds and sources in the Python API -----------------------------------------------------------------


@pytest.mark.parametrize("seed", [-1, 1.5, "abc", None, True, 2**130])
def test_bad_seeds_name_seed_before_any_run(seed: object) -> None:
    import time

    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"^seed: must be a non-negative integer"):
        sim.run_scenario(TINY, seed=seed)
    assert time.perf_counter() - t0 < 1.0  # refused before the model runs


def test_numpy_integer_seed_is_a_seed() -> None:
    import numpy as np

    a = sim.run_scenario(TINY, seed=np.int64(5)).summary
    b = sim.run_scenario(TINY, seed=5).summary
    assert a["exhaustion_mean_after"] == b["exhaustion_mean_after"]


@pytest.mark.parametrize("source", [42, 4.2, b"baseline.toml", ["days"], ""])
def test_run_scenario_with_a_wrong_kind_of_source_names_scenario(source: object) -> None:
    with pytest.raises(sim.ScenarioError, match=r"^scenario: "):
        sim.run_scenario(source)


# -- 7. outputs checked before any run ----------------------------------------------------------------------


def _not_writable_paths(tmp_path: Path) -> dict[str, tuple[str, str]]:
    afile = tmp_path / "afile"
    afile.write_text("x")
    return {
        "empty": ("", "is empty"),
        "blank": ("  ", "is empty"),
        "a file": (str(afile), "is a file, not a folder"),
        "under a file": (str(afile / "out"), f"is under {afile}, which is a file"),
        "proc": ("/proc/grassroots-out", "cannot write into /proc/grassroots-out"),
        "sys (read-only)": ("/sys/grassroots-out", "cannot write into /sys/grassroots-out"),
    }


@pytest.mark.parametrize("case", ["empty", "blank", "a file", "under a file", "proc", "sys (read-only)"])
@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_unwritable_out_is_one_line_before_any_run(tmp_path: Path, capsys: pytest.CaptureFixture, case: str,
                                                   command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    out, expected = _not_writable_paths(tmp_path)[case]
    ran = []
    monkeypatch.setattr("sim.core.run.GrassrootsModel.step", lambda self: ran.append(1))
    exp = tmp_path / "e.toml"
    exp.write_text(f'base = "{BASELINE.as_posix()}"\nreplicates = 1\nseed = 1\ndays = 10\n')
    argv = {"run": ["run", str(BASELINE)], "compare": ["compare", str(BASELINE), str(BASELINE), "--replicates", "2"],
            "sweep": ["sweep", str(exp), "--quiet"]}[command]
    rc = cli_main([*argv, "--out", out])
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and line.startswith("error: --out") and expected in line, line
    assert not ran  # nothing simulated


def test_a_read_only_folder_and_a_full_disk_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(OutputError, match="has only .* MB free"):
        check_output_dir(tmp_path / "o", min_free=2**62)

    def read_only(*args: object, **kw: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("builtins.open", read_only)
    with pytest.raises(OutputError, match=r"cannot write into .* \(read-only file system\)"):
        check_output_dir(tmp_path / "ro")
    monkeypatch.undo()

    # the disk fills while results are written: one line, exit 1, no traceback
    def full(*args: object, **kw: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "o" / "summary.json"))

    monkeypatch.setattr("sim.io.outputs.write_json", full)
    rc = cli_main(["run", str(BASELINE), "--out", str(tmp_path / "o"), "--days", "20", "--no-figures"])
    line = one_line(capsys.readouterr().err)
    assert rc == 1 and "No space left on device" in line and "summary.json" in line
    assert not (tmp_path / "o" / "summary.json").exists()


# -- 10. a non-local dashboard host warns -------------------------------------------------------------------


def test_dashboard_warns_for_a_host_other_machines_can_reach() -> None:
    from sim.cli.dashboard import host_warning

    for host in ("127.0.0.1", "localhost", "::1", "127.0.1.1"):
        assert host_warning(host) is None
    for host in ("0.0.0.0", "::", "192.168.1.20"):
        msg = host_warning(host)
        assert msg and msg.startswith(f"warning: --host {host}:") and "docs/dashboard.md" in msg
    docs = (ROOT / "docs" / "dashboard.md").read_text()
    assert "--host 0.0.0.0" in docs and "network you trust" in docs
    sweeps = (ROOT / "docs" / "sweeps.md").read_text()
    assert "Network risk" in sweeps and "127.0.0.1" in sweeps


def test_dashboard_command_prints_the_warning_before_serving(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture) -> None:
    import sim.cli.dashboard as dash

    class FakeServer:
        def __init__(self, *a: object, **kw: object) -> None:
            pass

        def wait(self) -> int:
            return 0

    monkeypatch.setattr(dash.subprocess, "Popen", FakeServer)
    assert cli_main(["dashboard", "--host", "0.0.0.0", "--port", "8799"]) == 0
    assert capsys.readouterr().err.startswith("warning: --host 0.0.0.0:")
    assert cli_main(["dashboard", "--port", "8799"]) == 0
    assert "warning" not in capsys.readouterr().err


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))
