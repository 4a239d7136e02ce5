"""The package carries its inputs and finds them from any folder (sim/io/shipped.py); dependencies by use
(pyproject.toml extras) and one-line errors for a missing extra (sim/cli/extras.py). The installed wheel itself is
checked by tests/install_check.sh (a step of .ci/run)."""

import tomllib

import pytest

from sim.cli import UserError, main
from sim.cli import extras as extras_mod
from sim.io import shipped
from sim.io.loader import load_scenario

from .conftest import ROOT


def test_shipped_folders_hold_what_the_commands_read():
    assert (shipped.scenarios_dir() / "baseline.toml").is_file()
    assert (shipped.scenarios_dir() / "targets.toml").is_file()
    assert (shipped.scenarios_dir() / "duty_lists" / "national_2024.toml").is_file()
    assert (shipped.experiments_dir() / "small_morris.toml").is_file()
    # in a clone they are the top-level folders themselves (one copy in git)
    assert shipped.scenarios_dir().resolve() == (ROOT / "scenarios").resolve()
    assert shipped.experiments_dir().resolve() == (ROOT / "experiments").resolve()
    assert "baseline" in shipped.names("scenarios") and "small_morris" in shipped.names("experiments")


def test_names_resolve_to_shipped_files_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    baseline = (shipped.scenarios_dir() / "baseline.toml").resolve()
    for name in ("baseline", "baseline.toml", "scenarios/baseline.toml"):
        assert shipped.Path(shipped.scenario_arg(name)).resolve() == baseline, name
    assert shipped.Path(shipped.experiment_arg("small_morris")).name == "small_morris.toml"
    assert shipped.Path(shipped.targets_arg("targets")).name == "targets.toml"
    assert shipped.scenario_arg("small_morris") == "small_morris"  # an experiment is not a scenario
    for name in ("no_such", "../scenarios/baseline.toml", "/etc/passwd", "", "scenarios/../../x"):
        assert shipped.find(name) == name, name  # unchanged: the command says "not found" in its own words


def test_a_file_that_exists_wins_over_the_shipped_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline.toml").write_text("n_townships = 2\n", encoding="utf-8")
    assert shipped.scenario_arg("baseline.toml") == "baseline.toml"
    assert shipped.scenario_arg("baseline") != "baseline"  # no file called `baseline`: the shipped one


def test_extends_finds_the_shipped_baseline_unless_a_sibling_exists(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text('extends = "baseline.toml"\nmeeting_cut = 0.3\n', encoding="utf-8")
    s = load_scenario(mine)
    shipped_baseline = load_scenario(shipped.scenarios_dir() / "baseline.toml")
    assert s.meeting_cut == 0.3 and s.n_townships == shipped_baseline.n_townships
    (tmp_path / "baseline.toml").write_text("n_townships = 2\n", encoding="utf-8")
    assert load_scenario(mine).n_townships == 2  # the sibling wins
    (tmp_path / "other.toml").write_text('extends = "nowhere.toml"\n', encoding="utf-8")
    with pytest.raises(Exception, match="nowhere.toml.*not found.*shipped scenarios"):
        load_scenario(tmp_path / "other.toml")


def test_run_by_name_from_another_folder_records_the_shipped_file(tmp_path, monkeypatch):
    import json

    monkeypatch.chdir(tmp_path)
    assert main(["run", "baseline", "--days", "30", "--out", "out", "--no-figures"]) == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    paths = [i["path"] for i in manifest["provenance"]["inputs"]]
    assert any(p.endswith("shipped/scenarios/baseline.toml") for p in paths), paths


def test_missing_extra_is_one_line_naming_it(monkeypatch, capsys):
    monkeypatch.setattr(extras_mod, "find_spec", lambda name: None)
    with pytest.raises(UserError, match=r"pip install 'grassroots-sim\[dask\]'"):
        extras_mod.require("dask", "--dask")
    assert main(["dashboard"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'grassroots-sim[dashboard]'" in err
    assert main(["sweep", "small_morris", "--out", "x", "--dask", "local"]) == 2
    assert "pip install 'grassroots-sim[dask]'" in capsys.readouterr().err


def test_requirements_by_use_without_exact_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(project["dependencies"]).lower()
    assert "salib" in core  # sensitivity and calibrate run on a plain install
    for extra_only in ("solara", "ipyvue", "dask", "jobqueue"):
        assert extra_only not in core, extra_only
    extras = project["optional-dependencies"]
    assert {"dashboard", "dask", "slurm", "dev"} <= set(extras)
    for reqs in [project["dependencies"], *extras.values()]:
        for r in reqs:
            assert "==" not in r, r
    assert project["scripts"] == {"grassroots": "sim.cli:main"}
    for extra, modules in extras_mod.EXTRAS.items():  # the names the one-line error checks are the extra's
        joined = " ".join(extras[extra]).lower().replace("-", "_")
        for m in modules:
            assert m in joined or m == "distributed" and "dask[distributed]" in joined, (extra, m)


def test_package_data_patterns_match_the_shipped_files():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    data = setuptools["package-data"]
    for package, patterns in data.items():
        base = ROOT.joinpath(*package.split("."))
        for pattern in patterns:
            assert list(base.glob(pattern)), (package, pattern)
    shipped_files = {p.relative_to(ROOT / "scenarios") for p in (ROOT / "scenarios").rglob("*") if p.is_file()}
    covered = {p.relative_to(ROOT / "sim/shipped/scenarios") for pat in data["sim.shipped"] if pat.startswith("scenarios/")
               for p in (ROOT / "sim/shipped").glob(pat)}
    assert shipped_files == covered, shipped_files ^ covered  # a new subfolder of scenarios/ needs its pattern
