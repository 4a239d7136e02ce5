"""Sweep figures: curves, time series and paired differences in English and Chinese; the statistics behind them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.cli import main as cli_main
from sim.exploration.sweep import run_sweep
from sim.figures.sweep import mean_ci
from sim.io import tables

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("plots")
    exp = tmp / "exp.toml"
    exp.write_text(textwrap.dedent(f"""
        name = "plots"
        base = "{(ROOT / 'scenarios' / 'baseline.toml').as_posix()}"
        replicates = 3
        seed = 11
        days = 60
        set = {{ policy_start_day = 30, warmup_days = 10 }}
        [grid]
        meeting_cut = [0.0, 0.6]
        duty_list = [false, true]
    """), encoding="utf-8")
    run_sweep(exp, tmp / "out", workers=2)
    return tmp / "out"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plot_command_writes_png_and_svg(sweep_dir: Path, lang: str, tmp_path: Path) -> None:
    figs = tmp_path / lang
    assert cli_main(["plot", str(sweep_dir), "--lang", lang, "--out", str(figs)]) == 0
    for name in ("curves_meeting_cut", "curves_duty_list", "timeseries", "differences"):
        assert (figs / f"{name}.png").stat().st_size > 10_000
        svg = (figs / f"{name}.svg").read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    diffs = pd.read_csv(sweep_dir / "differences.csv")  # the sweep writes it; keyed by the swept values
    assert len(diffs.drop_duplicates(["meeting_cut", "duty_list"])) == 3 and "point" not in diffs.columns


def test_paired_differences_pair_by_seed(sweep_dir: Path) -> None:
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    summary = pd.read_parquet(sweep_dir / "summary.parquet")
    per = tables.per_run(runs, summary)
    d = tables.differences(per, ["meeting_cut", "duty_list"], ["burnout_share"])
    d = d[d["window"] == "after"].set_index(["meeting_cut", "duty_list"])
    s = per.set_index(["point", "seed"])["burnout_share_after"]
    manual = (s.loc[3] - s.loc[0]).to_numpy()
    assert d.loc[(0.6, True), "difference"] == pytest.approx(manual.mean())
    half = stats.t.ppf(0.975, 2) * manual.std(ddof=1) / np.sqrt(3)
    assert (d.loc[(0.6, True), "ci_low"], d.loc[(0.6, True), "ci_high"]) == pytest.approx(
        (manual.mean() - half, manual.mean() + half))
    assert d.loc[(0.6, True), "n"] == 3


def test_mean_ci_is_the_95_percent_t_interval() -> None:
    m, lo, hi = mean_ci(np.array([1.0, 2.0, 3.0, np.nan]))
    assert m == 2.0 and hi - m == pytest.approx(4.303 / np.sqrt(3), rel=1e-3)  # t(0.975, 2 df) = 4.303
    assert np.isnan(mean_ci(np.array([5.0]))[1])


def test_plot_of_unfinished_sweep_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "parts").mkdir()
    assert cli_main(["plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "manifest.json missing" in err
