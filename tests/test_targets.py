"""Targets as data: the shipped targets file loads and names real outcomes; bad targets files give one line;
evaluate and distance say pass, fail and how far."""

import math

import pandas as pd
import pytest

from sim import ScenarioError
from sim.core.record import summary_names
from sim.exploration import targets as tg

from .conftest import ROOT

SHIPPED = ROOT / "scenarios" / "targets.toml"

SMALL_SCENARIO = 'name = "small"\nn_townships = 2\ndays = 120\npolicy_start_day = 60\nwarmup_days = 30\n'


def _write(tmp_path, body: str, scenario: str = SMALL_SCENARIO):
    (tmp_path / "small.toml").write_text(scenario)
    path = tmp_path / "t.toml"
    path.write_text(body)
    return path


GOOD = '''scenario = "small.toml"
replicates = 2
days = 100

[[targets]]
name = "some_burnout"
outcome = "burnout_share_before"
level = "county"
low = 0.0
high = 1.0
source = "BRIEF.md, burnout: 55.4% (Xie et al. 2020)"

[[targets]]
name = "no_quits"
outcome = "quits_before"
level = "county"
low = 0.0
high = 0.0
source = "test"
statistic = "median"

[parameters]
recovery = [0.01, 0.02]
village_cadres = [4, 6]
'''


def test_a_targets_file_loads_with_its_scenario_and_priors(tmp_path):
    ts = tg.load_targets(_write(tmp_path, GOOD))
    assert ts.scenario.name == "small" and ts.scenario.n_townships == 2
    assert ts.replicates == 2 and ts.days == 100
    assert [t.name for t in ts.targets] == ["some_burnout", "no_quits"]
    assert ts.targets[1].statistic == "median" and ts.targets[0].statistic == "mean"
    assert ts.parameters == {"recovery": (0.01, 0.02), "village_cadres": (4.0, 6.0)}
    assert ts.outcomes == ["burnout_share_before", "quits_before"]


def test_a_scenario_given_on_load_overrides_the_files(tmp_path):
    path = _write(tmp_path, GOOD)
    other = tmp_path / "other.toml"
    other.write_text('name = "other"\nn_townships = 1\ndays = 200\npolicy_start_day = 100\n')
    ts = tg.load_targets(path, scenario=other)
    assert ts.scenario.name == "other" and ts.scenario.n_townships == 1


def test_the_shipped_targets_name_real_outcomes_levels_and_sources():
    ts = tg.load_targets(SHIPPED)
    names = set(summary_names())
    assert len(ts.targets) >= 10
    for t in ts.targets:
        assert t.outcome in names, t.outcome
        assert t.level in tg.LEVELS
        assert t.low <= t.high
        assert "BRIEF" in t.source or "MODEL" in t.source, t.name
    levels = {t.level for t in ts.targets}
    assert levels == set(tg.LEVELS)  # patterns at every level at once (pattern-oriented modelling)
    assert ts.scenario.name == "baseline"


BAD = {
    "unknown_outcome": ('outcome = "burnout_share_before"', 'outcome = "burnout_rate"', "unknown outcome 'burnout_rate'"),
    "no_window": ('outcome = "burnout_share_before"', 'outcome = "burnout_share"', "unknown outcome 'burnout_share'"),
    "low_above_high": ("low = 0.0\nhigh = 1.0", "low = 2.0\nhigh = 1.0", "field 'low': must be at most high"),
    "unknown_level": ('level = "county"\nlow = 0.0\nhigh = 1.0', 'level = "province"\nlow = 0.0\nhigh = 1.0',
                      "field 'level': must be one of secretary, village cadre, township cadre, county"),
    "unknown_parameter": ("recovery = [0.01, 0.02]", "recovry = [0.01, 0.02]", "unknown parameter field 'recovry'"),
    "parameter_out_of_bounds": ("recovery = [0.01, 0.02]", "vulnerable_share = [0.5, 1.5]",
                                "field 'vulnerable_share': must be a number in [0, 1]"),
    "parameter_not_a_range": ("recovery = [0.01, 0.02]", "recovery = 0.02", "must be [low, high]"),
    "bad_statistic": ('statistic = "median"', 'statistic = "mode"', "field 'statistic': must be one of mean, median"),
    "missing_source": ('source = "test"\n', "", "targets[1]: field 'source' is missing"),
    "empty_source": ('source = "test"', 'source = " "', "field 'source': must name its source"),
    "duplicate_name": ('name = "no_quits"', 'name = "some_burnout"', "'some_burnout' is used twice"),
    "bad_name": ('name = "no_quits"', 'name = "No quits"', "field 'name': must be a snake_case id"),
    "missing_scenario_file": ('scenario = "small.toml"', 'scenario = "nowhere.toml"', "file 'nowhere.toml' not found"),
    "unknown_top_field": ("replicates = 2", "replicate = 2", "unknown field 'replicate'"),
    "zero_replicates": ("replicates = 2", "replicates = 0", "field 'replicates': must be an integer in [1, 10000]"),
    "days_beyond_scenario": ("days = 100", "days = 500", "field 'days': must be an integer in [1, 120]"),
    "text_as_low": ("low = 0.0\nhigh = 0.0", 'low = "none"\nhigh = 0.0', "field 'low': must be a finite number"),
    "unknown_target_field": ('statistic = "median"', 'unit = "cadres"', "unknown field 'unit'"),
    "not_toml": ("[parameters]", "[parameters", "not valid TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_targets_files_give_one_line_naming_file_and_field(tmp_path, case):
    old, new, expected = BAD[case]
    assert old in GOOD, case
    path = _write(tmp_path, GOOD.replace(old, new, 1) if case != "duplicate_name" else GOOD.replace(old, new))
    with pytest.raises(ScenarioError) as err:
        tg.load_targets(path)
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg and expected in msg, msg


def test_no_targets_is_an_error(tmp_path):
    path = _write(tmp_path, 'scenario = "small.toml"\n')
    with pytest.raises(ScenarioError, match="needs at least one"):
        tg.load_targets(path)


def _set(tmp_path):
    return tg.load_targets(_write(tmp_path, GOOD))


def test_evaluate_gives_the_statistic_range_and_verdict(tmp_path):
    ts = _set(tmp_path)
    runs = pd.DataFrame({"burnout_share_before": [0.2, 0.4, 0.9], "quits_before": [0.0, 3.0, 0.0]})
    out = tg.evaluate(ts, runs)
    assert list(out.columns) == ["name", "outcome", "level", "value", "low", "high", "passed", "source"]
    first, second = out.iloc[0], out.iloc[1]
    assert first["value"] == pytest.approx(0.5) and bool(first["passed"])
    assert second["value"] == 0.0 and bool(second["passed"])  # the median of 0, 3, 0
    runs["quits_before"] = [1.0, 3.0, 2.0]
    out = tg.evaluate(ts, runs)
    assert out.iloc[1]["value"] == 2.0 and not bool(out.iloc[1]["passed"])


def test_a_nan_outcome_fails_and_a_missing_column_is_one_line(tmp_path):
    ts = _set(tmp_path)
    out = tg.evaluate(ts, pd.DataFrame({"burnout_share_before": [0.2, math.nan], "quits_before": [0.0, 0.0]}))
    assert math.isnan(out.iloc[0]["value"]) and not bool(out.iloc[0]["passed"])
    with pytest.raises(ScenarioError, match="no column 'quits_before'"):
        tg.evaluate(ts, pd.DataFrame({"burnout_share_before": [0.2]}))


def test_distance_is_zero_inside_and_counts_range_widths_outside(tmp_path):
    ts = _set(tmp_path)
    assert tg.distance(ts, {"burnout_share_before": 0.5, "quits_before": 0.0}) == 0.0
    assert tg.distance(ts, {"burnout_share_before": 1.5, "quits_before": 0.0}) == pytest.approx(0.5)
    # a point target (low == high == 0) counts in units of 1e-9 at 0: any miss is huge
    assert tg.distance(ts, {"burnout_share_before": 0.5, "quits_before": 1.0}) > 1e6
    both = tg.distance(ts, {"burnout_share_before": 2.0, "quits_before": 0.0})
    assert both == pytest.approx(1.0)
    assert tg.distance(ts, {"burnout_share_before": math.nan, "quits_before": 0.0}) == math.inf
    assert tg.distance(ts, {"quits_before": 0.0}) == math.inf


def test_run_gives_one_row_per_seed_with_the_summary(tmp_path):
    ts = _set(tmp_path)
    runs = tg.run(ts, replicates=2, days=120)
    assert list(runs["seed"]) == [0, 1]
    assert set(ts.outcomes) <= set(runs.columns)
    assert (runs["days"] == 120).all()
    assert runs.loc[0, "exhaustion_mean_before"] != runs.loc[1, "exhaustion_mean_before"]  # different seeds differ


# --- the command --------------------------------------------------------------------------------------------

def _cli(*args: str):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "sim", "check-targets", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def _cli_file(tmp_path, high: float):
    body = f'''scenario = "small.toml"
replicates = 2
days = 90

[[targets]]
name = "burnout_somewhere"
outcome = "burnout_share_before"
level = "county"
low = 0.0
high = 1.0
source = "test: always inside"

[[targets]]
name = "exhaustion_low"
outcome = "exhaustion_mean_before"
level = "village cadre"
low = 0.0
high = {high}
source = "test: inside or not, as the test sets it"
'''
    return _write(tmp_path, body)


def test_check_targets_exits_zero_when_every_target_passes(tmp_path):
    path = _cli_file(tmp_path, high=1.0)
    res = _cli(str(path), "--workers", "1", "--csv", str(tmp_path / "t.csv"))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    for name in ("burnout_somewhere", "exhaustion_low"):
        row = next(line for line in lines if line.startswith(name))
        assert row.rstrip().endswith("pass")
    assert "2 of 2 targets pass" in res.stdout and "2 replicates" in res.stdout and "90 days" in res.stdout
    table = pd.read_csv(tmp_path / "t.csv")
    assert list(table["name"]) == ["burnout_somewhere", "exhaustion_low"] and table["passed"].all()


def test_check_targets_exits_non_zero_on_a_miss_and_says_which(tmp_path):
    path = _cli_file(tmp_path, high=0.001)
    res = _cli(str(path), "--replicates", "1", "--workers", "1")
    assert res.returncode == 1, res.stderr
    row = next(line for line in res.stdout.splitlines() if line.startswith("exhaustion_low"))
    assert row.rstrip().endswith("MISS") and "[0.000, 0.001]" in row
    assert "1 of 2 targets pass; missed: exhaustion_low" in res.stdout
    assert "1 replicates" in res.stdout


def test_check_targets_takes_a_scenario_with_targets_or_an_override(tmp_path):
    path = _cli_file(tmp_path, high=1.0)
    res = _cli(str(tmp_path / "small.toml"), "--targets", str(path), "--days", "80", "--replicates", "1")
    assert res.returncode == 0, res.stderr
    assert "scenario small" in res.stdout and "80 days" in res.stdout
    other = tmp_path / "other.toml"
    other.write_text('name = "other"\nn_townships = 1\ndays = 100\npolicy_start_day = 60\nwarmup_days = 30\n')
    res = _cli(str(path), "--scenario", str(other), "--replicates", "1")
    assert res.returncode == 0, res.stderr
    assert "scenario other" in res.stdout


@pytest.mark.parametrize("args, expected", [
    (["{bad}"], "unknown outcome 'burnout_rate'"),
    (["{good}", "--replicates", "0"], "--replicates: must be an integer in [1, 10000]"),
    (["{good}", "--days", "5000"], "--days: must be between 1 and the scenario's days (120)"),
    (["{small}"], "no targets file was found next to it"),
    (["{good}", "--targets", "{good}"], "--targets: "),
    (["{small}", "--scenario", "{small}", "--targets", "{good}"], "--scenario: "),
    (["{missing}"], "file not found"),
])
def test_check_targets_bad_input_is_one_line(tmp_path, args, expected):
    good = _cli_file(tmp_path, high=1.0)
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text().replace('outcome = "burnout_share_before"', 'outcome = "burnout_rate"'))
    names = {"good": good, "bad": bad, "small": tmp_path / "small.toml", "missing": tmp_path / "none.toml"}
    res = _cli(*[a.format(**names) for a in args])
    assert res.returncode == 2, res.stdout
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert expected in lines[0], lines[0]
