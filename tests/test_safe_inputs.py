"""Issue 19, input files: every path a user's input names is checked before it is opened (a regular file of
bounded size, read with a cap, a FIFO never blocks), grids are sized before they are built, one value in two
spellings is refused, `days` in a file follows one rule in calibrate, sweep and sensitivity, and names refuse
control characters. Each case through the CLI (a subprocess, as a user runs it) with one line and a time bound."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.core.scenario import ScenarioError
from sim.dashboard import classroom
from sim.dashboard.classroom import MAX_UPLOAD_BYTES, read_scenario_upload
from sim.io.safe_read import MAX_TOML_BYTES, problem, read_capped

from .conftest import ROOT

BASELINE = ROOT / "scenarios" / "baseline.toml"
QUICK = 30  # seconds: a refusal comes before any run, so well within this even on a loaded machine


def _cli(*args: str, cwd: Path = ROOT, timeout: float = QUICK) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True,
                         timeout=timeout, env=env)
    return res, time.perf_counter() - t0


def _refused(res: subprocess.CompletedProcess, *words: str) -> str:
    """The one line of a refusal: exit 2, no traceback, one line on stderr holding every word."""
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


# -- special files and sizes -------------------------------------------------------------------------------


def test_a_fifo_scenario_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    res, secs = _cli("run", str(fifo), "--out", str(tmp_path / "out"))
    _refused(res, str(fifo), "named pipe (FIFO)", "not a scenario TOML file")
    assert secs < QUICK


def test_duty_list_file_dev_zero_is_refused_at_once(tmp_path: Path) -> None:
    sc = tmp_path / "zero.toml"
    sc.write_text('duty_list_file = "/dev/zero"\n', encoding="utf-8")
    res, _ = _cli("run", str(sc), "--out", str(tmp_path / "out"))
    _refused(res, str(sc), "field 'duty_list_file'", "'/dev/zero'", "character device")


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_extends_to_a_directory_or_fifo_says_what_it_is(kind: str, tmp_path: Path) -> None:
    target = tmp_path / "parent.toml"
    target.mkdir() if kind == "directory" else os.mkfifo(target)
    sc = tmp_path / "child.toml"
    sc.write_text('extends = "parent.toml"\n', encoding="utf-8")
    res, _ = _cli("run", str(sc), "--out", str(tmp_path / "out"))
    line = _refused(res, str(sc), "field 'extends'", "'parent.toml'",
                    "a directory" if kind == "directory" else "a named pipe (FIFO)")
    assert "not found" not in line


def test_a_100_mb_scenario_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    with open(big, "wb") as fh:  # sparse: 100 MB long, no blocks written
        fh.truncate(100_000_000)
    res, secs = _cli("run", str(big), "--out", str(tmp_path / "out"))
    _refused(res, str(big), "100000000 bytes", "at most 1 MB")
    assert secs < 10  # reading and parsing 100 MB took 29 s; the refusal only stats the file


def test_the_reader_reads_at_most_its_cap_from_a_file_that_lies_about_its_size(tmp_path: Path) -> None:
    """A file checked small, then grown before it is read: at most cap + 1 bytes are read, and it is refused."""
    p = tmp_path / "x.toml"
    p.write_bytes(b"a" * 10)
    assert read_capped(p, cap=10) == b"a" * 10
    assert problem(p, cap=9) is not None and "at most 9 bytes" in problem(p, cap=9)
    assert problem(tmp_path) == "is a directory, not a scenario TOML file"
    assert problem("/dev/null") == "is a character device, not a scenario TOML file"
    assert problem(tmp_path / "missing.toml") == "not found"


def test_an_experiment_base_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "base.toml")
    exp = tmp_path / "exp.toml"
    exp.write_text('replicates = 1\nseed = 1\nbase = "base.toml"\n', encoding="utf-8")
    res, _ = _cli("sweep", str(exp), "--out", str(tmp_path / "out"))
    _refused(res, str(exp), "field 'base'", "named pipe (FIFO)")


def test_a_parent_files_values_are_not_quoted(tmp_path: Path) -> None:
    """An error about a field a parent set names the parent and the field, not the parent's value."""
    (tmp_path / "parent.toml").write_text('posts_max = "TOPSECRET-hunter2"\n', encoding="utf-8")
    sc = tmp_path / "child.toml"
    sc.write_text('extends = "parent.toml"\n', encoding="utf-8")
    res, _ = _cli("run", str(sc), "--out", str(tmp_path / "out"))
    line = _refused(res, str(sc), "field 'posts_max'", str(tmp_path / "parent.toml"), "through 'extends'")
    assert "TOPSECRET" not in line


# -- grids -------------------------------------------------------------------------------------------------


def test_a_huge_grid_is_refused_before_it_is_built(tmp_path: Path) -> None:
    values = ", ".join(str(i / 1000) for i in range(1000))
    exp = tmp_path / "huge.toml"
    exp.write_text(f'replicates = 1\nseed = 1\nbase = "{BASELINE}"\n[grid]\nrecovery = [{values}]\n'
                   f"exhaustion_gain = [{values}]\nproductivity_loss = [{values}]\n", encoding="utf-8")
    res, secs = _cli("sweep", str(exp), "--out", str(tmp_path / "out"))
    _refused(res, str(exp), "field 'grid'", "1000 x 1000 x 1000", "1000000000 runs")
    assert secs < QUICK  # building the product grew ~290 MB/s with no message
    assert not (tmp_path / "out").exists()


def test_zero_and_minus_zero_are_one_value(tmp_path: Path) -> None:
    exp = tmp_path / "zeros.toml"
    exp.write_text(f'replicates = 1\nseed = 1\nbase = "{BASELINE}"\n[grid]\nmeeting_cut = [0.0, -0.0]\n',
                   encoding="utf-8")
    res, _ = _cli("sweep", str(exp), "--out", str(tmp_path / "out"))
    _refused(res, str(exp), "field 'grid.meeting_cut'", "lists a value twice")


# -- one rule for `days` in a file ---------------------------------------------------------------------------

TARGET = ('[[targets]]\nname = "b"\noutcome = "burnout_share_after"\nlevel = "county"\nlow = 0.0\nhigh = 1.0\n'
          'source = "BRIEF.md"\n')


def _days_files(tmp_path: Path, scenario: str) -> dict[str, Path]:
    (tmp_path / "scen.toml").write_text(scenario, encoding="utf-8")
    files = {
        "calibrate": f'scenario = "scen.toml"\nreplicates = 1\ndays = 120\n{TARGET}[parameters]\nrecovery = [0.01, 0.02]\n',
        "sweep": 'base = "scen.toml"\nreplicates = 1\nseed = 1\ndays = 120\n[grid]\nrecovery = [0.01, 0.02]\n',
        "sensitivity": ('base = "scen.toml"\nreplicates = 1\nseed = 1\ndays = 120\noutcomes = ["burnout_share_after"]\n'
                        "[parameters]\nrecovery = [0.01, 0.02]\n"),
    }
    out = {}
    for cmd, text in files.items():
        out[cmd] = tmp_path / f"{cmd}.toml"
        out[cmd].write_text(text, encoding="utf-8")
    return out


def test_days_in_a_file_moves_the_reform_day_the_same_way_everywhere(tmp_path: Path) -> None:
    """No policy_start_day in the scenario: the reform day follows the file's days (60 of 120) in all three."""
    from sim.core.scenario import make_scenario
    from sim.exploration import calibration, sensitivity, sweep
    from sim.exploration.targets import load_targets

    files = _days_files(tmp_path, 'name = "s"\nn_townships = 2\n')
    cal = calibration.setup(load_targets(files["calibrate"]), population=4, generations=1)
    assert make_scenario(cal.base.fields).policy_start_day == 60
    assert sweep.load_experiment(files["sweep"]).scenarios[0].policy_start_day == 60
    assert make_scenario(sensitivity.load(files["sensitivity"]).base.fields).policy_start_day == 60


@pytest.mark.parametrize("cmd", ["calibrate", "sweep", "sensitivity"])
def test_days_before_a_set_reform_day_is_refused_alike_and_creates_nothing(cmd: str, tmp_path: Path) -> None:
    files = _days_files(tmp_path, 'name = "s"\nn_townships = 2\npolicy_start_day = 300\n')
    out = tmp_path / "out"
    res, _ = _cli(cmd, str(files[cmd]), "--out", str(out))
    line = _refused(res, str(files[cmd]), "field 'days'", "policy_start_day (300)", "between 1 and 119")
    assert "got 365" not in line
    assert not out.exists()


# -- names -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["a\\u0000b", "right\\u202eto left", "x\\u2066y", "esc\\u001b[2J", "c1\\u0085"])
def test_names_and_descriptions_refuse_control_characters(bad: str, tmp_path: Path) -> None:
    for key in ("name", "description"):
        sc = tmp_path / f"{key}.toml"
        sc.write_text(f'{key} = "{bad}"\n', encoding="utf-8")
        res, _ = _cli("run", str(sc), "--out", str(tmp_path / "out"))
        line = _refused(res, str(sc), f"field {key!r}", "control or text-direction characters")
        assert not any(ch in line for ch in "\x00\u202e\u2066\x1b\x85")  # quoted escaped, never raw
    exp = tmp_path / "exp.toml"
    exp.write_text(f'name = "{bad}"\nreplicates = 1\nseed = 1\nbase = "{BASELINE}"\n', encoding="utf-8")
    res, _ = _cli("sweep", str(exp), "--out", str(tmp_path / "out"))
    _refused(res, str(exp), "field 'name'", "control or text-direction characters")


def test_a_description_may_hold_newlines() -> None:
    from sim import load_scenario

    assert load_scenario({"description": "two\nlines\twith a tab"}).description.count("\n") == 1


# -- the dashboard's upload reader -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["/etc/passwd", "../../../../../../etc/passwd", "/etc/shadow",
                                   "/proc/self/environ", "/dev/zero", "../scenarios/baseline.toml"])
@pytest.mark.parametrize("key", ["extends", "duty_list_file"])
def test_an_upload_names_only_shipped_files(key: str, value: str) -> None:
    with pytest.raises(ScenarioError) as info:
        read_scenario_upload(f'{key} = "{value}"\n'.encode(), "class.toml")
    msg = str(info.value)
    assert msg.startswith(f"class.toml: field {key!r}: only the names of shipped scenario files")
    assert "\n" not in msg and "root:" not in msg and str(ROOT) not in msg and str(os.getpid()) not in msg


def test_an_upload_through_a_symlink_out_of_scenarios_is_refused(tmp_path: Path, monkeypatch) -> None:
    shipped = tmp_path / "scenarios"
    shipped.mkdir()
    secret = tmp_path / "secret.toml"
    secret.write_text('days = "TOPSECRET"\n', encoding="utf-8")
    (shipped / "link.toml").symlink_to(secret)
    (shipped / "ok.toml").write_text("n_townships = 2\n", encoding="utf-8")
    monkeypatch.setattr(classroom, "SCENARIO_DIR", shipped)
    with pytest.raises(ScenarioError, match="only the names of shipped scenario files"):
        read_scenario_upload(b'extends = "link.toml"\n', "u.toml")
    assert read_scenario_upload(b'extends = "ok.toml"\nname = "mine"\n', "u.toml").n_townships == 2


def test_an_upload_extending_a_shipped_file_with_a_bad_value_names_the_field() -> None:
    with pytest.raises(ScenarioError) as info:
        read_scenario_upload(b'extends = "duty_lists"\n', "u.toml")
    assert str(info.value) == ("u.toml: field 'extends': file 'duty_lists' is a directory, not a scenario TOML file "
                               "(looked for scenarios/duty_lists)")
    s = read_scenario_upload(b'extends = "baseline.toml"\nduty_list_file = "duty_lists/national_2024.toml"\n', "u.toml")
    assert s.duty_shares and s.name == "u"


@pytest.mark.parametrize("data", [b"name = 1979-05-27\n", b"[a.b]\nc = 1\n", b"days = [1, 2]\n", b"x" * (MAX_UPLOAD_BYTES + 1),
                                  b"\xff\xfe", b"extends = 5\n", b"[duty_shares]\nform = 3\n", b"a = [" * 5000])
def test_a_malformed_upload_is_one_scenario_error_line(data: bytes) -> None:
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        read_scenario_upload(data, "../../bad\x1b.toml")
    assert time.perf_counter() - t0 < 5
    msg = str(info.value)
    assert msg.startswith("bad.toml: ") and "\n" not in msg and "\x1b" not in msg


def test_caps_are_what_the_docs_say() -> None:
    assert MAX_TOML_BYTES == 1_000_000 and MAX_UPLOAD_BYTES == 256_000
