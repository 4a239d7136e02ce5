"""Output folders (issue 19, items 3 and 8): every command writes only into a new folder, an empty one, or one
the same command wrote; anything else is refused in one line and nothing is created. A disk that fills mid-sweep
ends in one line naming the path, leaves no temporary file and a manifest that says `failed`, never `running`;
running the same command again resumes."""

from __future__ import annotations

import errno
import functools
import json
import os
import subprocess
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main as cli_main
from sim.exploration.sweep import run_sweep
from sim.io import outputs
from sim.io.outputs import MARKER, OutputError, claim_output_dir, written_by

from .conftest import ROOT

BASELINE = ROOT / "scenarios" / "baseline.toml"

TINY = """
    name = "tiny"
    base = "{base}"
    replicates = 2
    seed = 3
    days = 40
    timeseries_every = 10
    set = {{ n_townships = 1, villages_per_township = 4, township_cadres = 6 }}

    [grid]
    meeting_cut = [0.0, 0.5]
"""


def write_exp(tmp: Path) -> Path:
    p = tmp / "exp.toml"
    p.write_text(textwrap.dedent(TINY).format(base=BASELINE.as_posix()), encoding="utf-8")
    return p


def user_folder(tmp: Path) -> tuple[Path, dict[str, bytes]]:
    """A folder of the user's own files, named like a command's."""
    d = tmp / "mine"
    d.mkdir()
    files = {"summary.json": b'{"mine": 1}\n', "runs.csv": b"a,b\n1,2\n"}
    for n, b in files.items():
        (d / n).write_bytes(b)
    return d, files


def listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line(err: str) -> str:
    """The one line a user sees (a progress bar redrawn with carriage returns and cleared is not a line)."""
    lines = err.split("\r")[-1].strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# -- the rule, alone ----------------------------------------------------------------------------------------


def test_a_new_or_empty_folder_is_claimed_with_a_marker(tmp_path: Path) -> None:
    new = claim_output_dir(tmp_path / "a" / "b", "run")
    assert new.is_dir() and written_by(new) == "run"
    assert json.loads((new / MARKER).read_text())["command"] == "run"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert claim_output_dir(empty, "sweep") == empty and written_by(empty) == "sweep"
    assert claim_output_dir(empty, "sweep") == empty  # the same command again: resume
    assert [p.name for p in empty.iterdir()] == [MARKER]


def test_a_folder_of_other_files_or_another_command_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    mine, files = user_folder(tmp_path)
    with pytest.raises(OutputError, match=r"--out: .*mine holds files this command did not write "
                                          r"\(runs.csv, summary.json\); choose an empty folder or remove them"):
        claim_output_dir(mine, "run")
    assert listing(mine) == files  # no marker added
    ours = claim_output_dir(tmp_path / "ours", "sweep")
    with pytest.raises(OutputError, match=r"ours was written by `sweep`, not `run`"):
        claim_output_dir(ours, "run")
    with pytest.raises(OutputError, match=r"ours was written by `sweep`, not `sensitivity`"):
        claim_output_dir(ours, "sensitivity")


def test_folders_written_before_the_marker_are_known_by_their_manifest(tmp_path: Path) -> None:
    for name, body, who in (("manifest.json", {"command": "run"}, "run"),
                            ("manifest.json", {"command": ["python", "-m", "sim", "sweep"],
                                               "provenance": {"command": "sweep"}}, "sweep"),
                            ("sensitivity.json", {"analysis": "sensitivity"}, "sensitivity")):
        d = tmp_path / who
        d.mkdir()
        (d / name).write_text(json.dumps(body))
        assert written_by(d) == who
        assert claim_output_dir(d, who) == d
        with pytest.raises(OutputError, match=f"written by `{who}`, not `compare`"):
            claim_output_dir(d, "compare")


def test_low_disk_and_an_unwritable_folder_create_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(OutputError, match="has only .* MB free"):
        claim_output_dir(tmp_path / "deep" / "o", "run", min_free=2**62)
    assert list(tmp_path.iterdir()) == []

    def read_only(*args: object, **kw: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("builtins.open", read_only)
    with pytest.raises(OutputError, match=r"cannot write into .* \(read-only file system\)"):
        claim_output_dir(tmp_path / "deep" / "ro", "run")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []  # neither the folder nor its parent is left behind


# -- every command, through the CLI -------------------------------------------------------------------------


def _argv(command: str, tmp: Path) -> list[str]:
    if command == "compare --ensemble":
        ens = tmp / "ens"
        ens.mkdir(exist_ok=True)
        (ens / "member_000.toml").write_text(f'extends = "{BASELINE.as_posix()}"\nexhaustion_gain = 0.02\n')
        return ["compare", str(BASELINE), str(ROOT / "scenarios" / "meetings_package.toml"), "--replicates", "2",
                "--ensemble", str(ens)]
    return {
        "run": ["run", str(BASELINE)],
        "compare": ["compare", str(BASELINE), str(BASELINE), "--replicates", "2"],
        "sweep": ["sweep", str(write_exp(tmp)), "--quiet"],
        "sensitivity": ["sensitivity", str(ROOT / "experiments" / "small_morris.toml"), "--quiet"],
        "calibrate": ["calibrate", str(ROOT / "experiments" / "calibrate_burnout.toml"), "--quiet"],
        "attribute": ["attribute", str(ROOT / "scenarios" / "all_reforms.toml"), "--quiet"],
    }[command]


COMMANDS = ["run", "compare", "sweep", "sensitivity", "calibrate", "attribute", "compare --ensemble"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_refuses_a_folder_of_the_users_files_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    ran = []
    monkeypatch.setattr("sim.core.run.GrassrootsModel.step", lambda self: ran.append(1))
    mine, files = user_folder(tmp_path)
    rc = cli_main([*_argv(command, tmp_path), "--out", str(mine)])
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and line.startswith(f"error: --out: {mine} holds files this command did not write"), line
    assert listing(mine) == files and not ran


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_refuses_another_commands_folder_and_low_disk_creates_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    ran = []
    monkeypatch.setattr("sim.core.run.GrassrootsModel.step", lambda self: ran.append(1))
    other = claim_output_dir(tmp_path / "other", "calibrate" if command != "calibrate" else "run")
    rc = cli_main([*_argv(command, tmp_path), "--out", str(other)])
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and "was written by `" in line and f"not `{command}`" in line, line
    assert [p.name for p in other.iterdir()] == [MARKER]
    monkeypatch.setattr(outputs.shutil, "disk_usage", lambda p: type("U", (), {"free": 2**20, "total": 2**30})())
    target = tmp_path / "new" / "out"
    rc = cli_main([*_argv(command, tmp_path), "--out", str(target)])
    line = one_line(capsys.readouterr().err)
    assert rc == 2 and "has only 1 MB free" in line and not (tmp_path / "new").exists() and not ran


def test_plot_refuses_a_figure_folder_of_the_users_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = claim_output_dir(tmp_path / "run", "run")
    (run / "manifest.json").write_text('{"command": "run", "policy_start_day": 5}')
    (run / "timeseries.parquet").write_bytes(b"")
    (run / "scenario.json").write_text("{}")
    mine, files = user_folder(tmp_path)
    assert cli_main(["plot", str(run), "--out", str(mine)]) == 2
    assert "holds files this command did not write" in one_line(capsys.readouterr().err)
    assert listing(mine) == files


def test_run_into_a_sweep_and_sweep_into_a_run_are_refused_and_a_sweep_resumes_its_own(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    exp = write_exp(tmp_path)
    sweep_out = tmp_path / "sweep"
    assert run_sweep(exp, sweep_out, workers=1).ok == 4
    before = listing(sweep_out)
    assert cli_main(["run", str(BASELINE), "--days", "20", "--out", str(sweep_out)]) == 2
    assert "was written by `sweep`, not `run`" in one_line(capsys.readouterr().err)
    assert listing(sweep_out) == before
    assert run_sweep(exp, sweep_out, workers=1).ran == 0  # its own folder: resumed, nothing to do

    run_out = tmp_path / "run"
    assert cli_main(["run", str(BASELINE), "--days", "20", "--no-figures", "--out", str(run_out)]) == 0
    capsys.readouterr()
    assert cli_main(["run", str(BASELINE), "--days", "20", "--no-figures", "--out", str(run_out)]) == 0  # redo
    capsys.readouterr()
    before = listing(run_out)
    assert cli_main(["sweep", str(exp), "--quiet", "--out", str(run_out)]) == 2
    assert "was written by `run`, not `sweep`" in one_line(capsys.readouterr().err)
    assert listing(run_out) == before
    with pytest.raises(OutputError, match="written by `run`, not `sweep`"):
        run_sweep(exp, run_out)


# -- a disk that fills ----------------------------------------------------------------------------------------


def _filling_open(after: int, under: Path):
    """`open` that, after `after` files opened for writing under `under`, creates each file empty and fails on
    its first write with ENOSPC, as a full disk does (in-place rewrites, mode r+b, still work)."""
    real = open
    count = [0]

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    def fake(file, mode="r", *args, **kw):
        fh = real(file, mode, *args, **kw)
        if "w" in mode and str(file).startswith(str(under)):
            count[0] += 1
            if count[0] > after:
                return Full(fh)
        return fh

    return fake


def test_a_disk_full_mid_sweep_is_one_line_no_temp_file_failed_manifest_and_resumes(
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    exp = write_exp(tmp_path)
    out = tmp_path / "out"
    monkeypatch.setattr(outputs, "open", _filling_open(6, out), raising=False)  # marker, probe, lock, manifest, ...
    rc = cli_main(["sweep", str(exp), "--workers", "1", "--quiet", "--out", str(out)])
    line = one_line(capsys.readouterr().err)
    assert rc == 1 and line.startswith(f"error: No space left on device writing {out / 'parts'}"), line
    assert line.endswith("; free space and run the same command again to resume")
    monkeypatch.undo()
    assert not [p for p in out.rglob(".tmp-*")] and not [p for p in out.rglob("*") if p.is_file() and
                                                          p.stat().st_size == 0 and p.name != ".lock"]
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "failed" and "No space left on device" in m["error"]
    assert cli_main(["sweep", str(exp), "--workers", "1", "--quiet", "--out", str(out)]) == 0
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"
    assert len(pd.read_parquet(out / "runs.parquet")) == 4


def test_the_failed_status_is_written_in_place_when_no_copy_fits(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    exp = write_exp(tmp_path)
    out = tmp_path / "out"
    monkeypatch.setattr(outputs, "open", _filling_open(4, out), raising=False)  # even the manifest's copy fails
    with pytest.raises(OSError) as err:
        run_sweep(exp, out, workers=1)
    assert err.value.errno == errno.ENOSPC and err.value.filename
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "failed" and not list(out.rglob(".tmp-*"))


def test_a_disk_full_while_run_writes_leaves_no_staging_folder(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object, **kw: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")  # no file name, as a failed write has none

    monkeypatch.setattr("sim.io.outputs.write_json", full)
    out = tmp_path / "o"
    rc = cli_main(["run", str(BASELINE), "--out", str(out), "--days", "20", "--no-figures"])
    line = one_line(capsys.readouterr().err)
    assert rc == 1 and f"No space left on device writing {out};" in line
    assert [p.name for p in out.iterdir()] == [MARKER]


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real 80 MB tmpfs (the folder check wants 64 MB free), mounted for the test; root only."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=80m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a tmpfs (the in-process ENOSPC tests above cover the same paths)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def filler(ballast: Path, fields: dict, seed: int):
    """A test hook: the third run fills the disk (a ballast file beside the sweep folder) before it returns. The
    path comes bound (functools.partial): a forkserver started by an earlier test has an older environment."""
    import sim

    done = ballast.with_suffix(".count")
    n = int(done.read_text()) + 1 if done.exists() else 1
    done.write_text(str(n))
    if n == 3:
        fd = os.open(ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        for size in (2**20, 2**12, 1):  # to the last byte
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
        os.close(fd)
    return sim.run_scenario(fields, seed=seed)


def test_a_real_full_disk_mid_sweep(small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exp = write_exp(tmp_path)
    out = small_disk / "out"
    runner = functools.partial(filler, small_disk / "ballast")
    with pytest.raises(OSError) as err:
        run_sweep(exp, out, workers=1, runner=runner)
    assert err.value.errno == errno.ENOSPC and str(out) in str(err.value.filename)
    assert not list(out.rglob(".tmp-*"))
    assert json.loads((out / "manifest.json").read_text())["status"] == "failed"
    (small_disk / "ballast").unlink()
    report = run_sweep(exp, out, workers=1, runner=runner)
    assert report.status == "complete" and report.skipped >= 2 and report.ok + report.skipped == 4


# -- commands that write one file ------------------------------------------------------------------------------


def test_report_and_check_targets_never_overwrite_a_file_they_did_not_write(
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.cli.check_targets import CSV_HEADER
    from sim.cli.report import GENERATOR
    from sim.io.outputs import check_output_file

    mine = tmp_path / "notes.csv"
    mine.write_text("my,own\n1,2\n")
    ran = []
    monkeypatch.setattr("sim.core.run.GrassrootsModel.step", lambda self: ran.append(1))
    assert cli_main(["check-targets", str(ROOT / "scenarios" / "targets.toml"), "--csv", str(mine)]) == 2
    line = one_line(capsys.readouterr().err)
    assert line == f"error: --csv: {mine} exists and was not written by this command; choose a new file name or " \
                   "remove it" and mine.read_text() == "my,own\n1,2\n" and not ran
    earlier = tmp_path / "t.csv"
    earlier.write_bytes(CSV_HEADER + b"statistic,replicates,days\n")
    assert check_output_file(earlier, "--csv", CSV_HEADER) == earlier  # its own table: written again
    page = tmp_path / "page.html"
    page.write_text("<html>mine</html>")
    with pytest.raises(OutputError, match="page.html exists and was not written by this command"):
        check_output_file(page, "--out", GENERATOR)
    page.write_bytes(b"<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + GENERATOR)
    assert check_output_file(page, "--out", GENERATOR) == page
    assert check_output_file(tmp_path / "new.html", "--out", GENERATOR) == tmp_path / "new.html"
