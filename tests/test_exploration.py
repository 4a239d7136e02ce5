"""Exploration: sensitivity (Morris, Sobol), Shapley attribution, ABC-SMC calibration and the ensemble
comparison, each on the sweep engine (resumable after SIGKILL, local pool or Dask)."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.exploration import attribution as at
from sim.exploration import calibration as ca
from sim.exploration import sensitivity as sa
from sim.exploration.design import DesignError, assumption_fields
from sim.exploration.targets import load_targets

ROOT = Path(__file__).resolve().parents[1]
TINY = {"n_townships": 2, "villages_per_township": 5, "days": 90, "policy_start_day": 45, "warmup_days": 15}


def tiny_scenario(folder: Path, name: str = "tiny", **levers: object) -> Path:
    lines = [f'extends = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"', f'name = "{name}"']
    lines += [f"{k} = {json.dumps(v)}" for k, v in {**TINY, **levers}.items()]
    p = folder / f"{name}.toml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def sensitivity_file(folder: Path, method: str = "morris", parameters: str | None = None, outcomes: str = "",
                     trajectories: int = 4, samples: int = 8) -> Path:
    base = tiny_scenario(folder)
    p = folder / "sa.toml"
    p.write_text(textwrap.dedent(f"""
        base = "{base.name}"
        replicates = 2
        seed = 3
        method = "{method}"
        trajectories = {trajectories}
        samples = {samples}
        outcomes = [{outcomes or '"exhaustion_mean_after"'}]
        [parameters]
    """) + (parameters or textwrap.dedent("""
        exhaustion_gain = [0.009, 0.036]
        cooperation_effort = [0.2, 0.8]
        effort_service = [1.0, 2.0]
    """)), encoding="utf-8")
    return p


# ------------------------------------------------------------------------------------------------------------
# sensitivity


def test_morris_ranks_strong_field_first_and_inert_field_last(tmp_path: Path) -> None:
    """exhaustion_gain drives exhaustion; cooperation_effort only acts with duty lists on (off here)."""
    design = sa.load(sensitivity_file(tmp_path))
    idx = sa.screen(design, tmp_path / "out", workers=1)
    order = sa.ranking(idx, "exhaustion_mean_after")
    assert order[0] == "exhaustion_gain"
    assert order[-1] == "cooperation_effort"
    mu = idx[(idx["index"] == "mu_star")].set_index("parameter")["value"]
    assert mu["cooperation_effort"] == 0.0
    assert mu["exhaustion_gain"] > 5 * mu["effort_service"] > 0
    assert list(idx.columns) == ["method", "parameter", "outcome", "index", "value", "conf"]


@dataclass
class Fake:
    summary: dict
    timeseries: pd.DataFrame


def ishigami(fields: dict, seed: int = 0) -> Fake:
    """The Ishigami function (a = 7, b = 0.1) of three share fields mapped onto [-pi, pi], reported as an
    outcome: a known answer through the same sample -> sweep -> analyze path."""
    x1, x2, x3 = (-math.pi + 2 * math.pi * fields[k] for k in ("sick_rate", "quit_rate", "fake_discovery"))
    y = math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)
    return Fake({"exhaustion_mean_after": y}, pd.DataFrame({"day": [0], "exhaustion_mean": [y]}))


def test_sobol_indices_of_ishigami_through_the_sweep_path(tmp_path: Path) -> None:
    params = "sick_rate = [0.0, 1.0]\nquit_rate = [0.0, 1.0]\nfake_discovery = [0.0, 1.0]\n"
    design = sa.load(sensitivity_file(tmp_path, "sobol", params, samples=512), "sobol")
    design.base.seeds = design.base.seeds[:1]
    X = sa.sample(design)
    Y, frame = sa.run(design, X, tmp_path / "runs", workers=1, runner=ishigami)
    assert (frame["status"] == "ok").all() and len(frame) == 512 * 5
    idx = sa.analyze(design, X, Y).set_index(["parameter", "index"])["value"]
    true = {("sick_rate", "S1"): 0.314, ("quit_rate", "S1"): 0.442, ("fake_discovery", "S1"): 0.0,
            ("sick_rate", "ST"): 0.558, ("quit_rate", "ST"): 0.442, ("fake_discovery", "ST"): 0.244}
    for key, value in true.items():
        assert abs(idx[key] - value) < 0.08, (key, idx[key], value)


def test_sensitivity_file_errors_name_the_field(tmp_path: Path) -> None:
    with pytest.raises(DesignError, match=r"parameters.days|'parameters.name'|not a numeric"):
        sa.load(sensitivity_file(tmp_path, parameters='name = [0, 1]\n'))
    with pytest.raises(DesignError, match="'parameters.recovery': .*low < high"):
        sa.load(sensitivity_file(tmp_path, parameters="recovery = [0.05, 0.01]\n"))
    with pytest.raises(DesignError, match="'outcomes': unknown outcome 'burnout'"):
        sa.load(sensitivity_file(tmp_path, outcomes='"burnout"'))
    with pytest.raises(DesignError, match="'parameters.recovery': -1 is out of range"):
        sa.load(sensitivity_file(tmp_path, parameters="recovery = [-1, 0.05]\n"))


def test_shipped_morris_experiment_screens_every_assumption_field() -> None:
    design = sa.load(ROOT / "experiments" / "sensitivity_morris.toml")
    assert design.method == "morris"
    assert set(design.parameters) == set(assumption_fields())
    assert len(design.parameters) >= 30


def test_shipped_burnout_experiments_centre_on_the_baseline() -> None:
    """The Sobol example and the calibration priors say "+-20% (+-50%) around the baseline": they must follow
    the baseline when its calibrated values move (model v2 moved exhaustion_gain from 0.018 to 0.055)."""
    import sim

    base = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    sobol = sa.load(ROOT / "experiments" / "sensitivity_sobol_burnout.toml")
    for name, (lo, hi) in sobol.parameters.items():
        assert (lo + hi) / 2 == pytest.approx(getattr(base, name), rel=1e-9), name
        assert hi / lo == pytest.approx(1.2 / 0.8, rel=1e-9), name
    assert sobol.base.fields["policy_start_day"] == 365  # the targets' window, days 0-364
    priors = load_targets(ROOT / "experiments" / "calibrate_burnout.toml").parameters
    for name, (lo, hi) in priors.items():
        assert (lo + hi) / 2 == pytest.approx(getattr(base, name), rel=1e-9), name
    for path in (ROOT / "experiments").glob("sensitivity_*.toml"):
        design = sa.load(path)
        assert all(lo <= getattr(base, k) <= hi for k, (lo, hi) in design.parameters.items()), path.name


def test_every_command_in_the_exploration_docs_names_shipped_files() -> None:
    """docs/exploration.md: each `./grassroots ...` example reads files that ship (results/ are its outputs),
    and the small Morris file shown is the shipped one."""
    import re
    import shlex

    text = (ROOT / "docs" / "exploration.md").read_text(encoding="utf-8")
    commands = [" ".join(c.split("\\\n")) for c in re.findall(r"^(?:\$ )?\./grassroots (?:[^\n]*\\\n)*[^\n]*", text, re.M)]
    assert len(commands) >= 8
    for cmd in commands:
        words = shlex.split(cmd.replace("\\", " ").removeprefix("$ "))
        assert words[1] in ("sensitivity", "calibrate", "compare", "attribute"), cmd
        for w in words[2:]:
            if w.endswith(".toml") and not w.startswith("results/"):
                assert (ROOT / w).is_file(), (w, cmd)
    block = re.search(r"`experiments/small_morris.toml`:\n\n```toml\n(.*?)```", text, re.S)
    assert block is not None

    def lines(t: str) -> list[str]:
        return [ln.split("#")[0].strip() for ln in t.splitlines() if ln.split("#")[0].strip()]

    shipped = (ROOT / "experiments" / "small_morris.toml").read_text(encoding="utf-8")
    assert lines(block.group(1)) == [ln for ln in lines(shipped) if not ln.startswith("name")]


# ------------------------------------------------------------------------------------------------------------
# attribution


def test_shapley_values_sum_to_the_package_effect(tmp_path: Path) -> None:
    pkg = at.load(tiny_scenario(tmp_path, "pkg", meeting_cut=0.3, video_conferencing=0.9,
                                meeting_consolidation=True), replicates=2, seed=1,
                  outcomes=["exhaustion_mean_after", "service_backlog_mean_after"])
    assert pkg.levers == ["meeting_cut", "meeting_consolidation", "video_conferencing"]
    plan = at.sample(pkg)
    assert plan.exact and len(plan.masks) == 8
    v = at.run(pkg, plan, tmp_path / "runs", workers=1)
    phi = at.shapley_per_replicate(3, plan, v)
    total = v[7] - v[0]
    assert np.abs(total).max() > 0  # the package does something
    np.testing.assert_allclose(phi.sum(axis=0), total, rtol=1e-12, atol=1e-12)  # per replicate, every outcome
    shap, inter = at.analyze(pkg, plan, v)
    for o in pkg.outcomes:
        part = shap[shap["outcome"] == o].set_index("lever")["value"]
        assert math.isclose(part.drop("total").sum(), part["total"], rel_tol=1e-12, abs_tol=1e-12)
    assert len(inter) == 3 * 2 and set(inter["method"]) == {"shapley_interaction_index"}


def substitutes(fields: dict, seed: int = 0) -> Fake:
    """Meetings cut and documents cut do the same job (either one is enough); inspection cut adds its own."""
    y = (1.0 if fields["meeting_cut"] > 0 or fields["document_cut"] > 0 else 0.0) + (
        0.5 if fields["inspection_cut"] > 0 else 0.0) + 0.01 * (seed % 7)
    return Fake({"exhaustion_mean_after": y}, pd.DataFrame({"day": [0], "exhaustion_mean": [y]}))


def test_interchangeable_levers_get_equal_shares(tmp_path: Path) -> None:
    pkg = at.load(tiny_scenario(tmp_path, "pkg", meeting_cut=0.3, document_cut=0.3, inspection_cut=0.3),
                  replicates=2, outcomes=["exhaustion_mean_after"])
    plan = at.sample(pkg)
    shap, inter = at.analyze(pkg, plan, at.run(pkg, plan, tmp_path / "runs", workers=1, runner=substitutes))
    val = shap.set_index("lever")["value"]
    assert val["meeting_cut"] == pytest.approx(0.5, abs=1e-12)
    assert val["document_cut"] == pytest.approx(0.5, abs=1e-12)
    assert val["inspection_cut"] == pytest.approx(0.5, abs=1e-12)
    assert val["total"] == pytest.approx(1.5, abs=1e-12)
    pair = inter[(inter["lever_a"] == "document_cut") & (inter["lever_b"] == "meeting_cut")]
    assert pair["value"].iloc[0] == pytest.approx(-1.0)  # substitutes: together less than the sum


def test_sampled_orders_above_ten_levers_still_add_up() -> None:
    """12 levers: sampled orders; each order's contributions telescope to the total."""
    k = 12
    fake = at.Package(base=None, levers=[f"l{i}" for i in range(k)], on={}, off={}, outcomes=["y"])  # type: ignore[arg-type]
    plan = at.sample(fake, permutations=40, seed=2)
    assert not plan.exact and len(plan.orders or []) == 40
    rng = np.random.default_rng(0)
    weights = rng.normal(size=k)
    v = {m: np.array([[sum(weights[i] for i in range(k) if m >> i & 1) + 0.3 * (m & 3 == 3)]]) for m in plan.masks}
    phi = at.shapley_per_replicate(k, plan, v)
    assert phi.sum(axis=0)[0, 0] == pytest.approx(v[2**k - 1][0, 0] - v[0][0, 0], abs=1e-12)
    np.testing.assert_allclose(phi[2:, 0, 0], weights[2:], atol=1e-12)  # additive levers: exactly their weight
    assert phi[0, 0, 0] + phi[1, 0, 0] == pytest.approx(weights[0] + weights[1] + 0.3, abs=1e-12)


def test_attribute_needs_two_levers(tmp_path: Path) -> None:
    with pytest.raises(DesignError, match="at least two levers"):
        at.load(tiny_scenario(tmp_path, "one", meeting_cut=0.3))


# ------------------------------------------------------------------------------------------------------------
# calibration


def synthetic_targets(folder: Path, truth: float = 0.018) -> Path:
    """Targets the model itself produced at exhaustion_gain = truth (other seeds than calibration's)."""
    import sim

    scen = tiny_scenario(folder, "calbase", days=50)  # the targets read the window before day 45
    vals = [sim.run_scenario(scen, seed=100 + s, exhaustion_gain=truth).summary for s in range(4)]
    ex = float(np.mean([v["exhaustion_mean_before"] for v in vals]))
    bo = float(np.mean([v["burnout_share_before"] for v in vals]))
    p = folder / "targets.toml"
    p.write_text(textwrap.dedent(f"""
        scenario = "calbase.toml"
        replicates = 2
        [[targets]]
        name = "exhaustion"
        outcome = "exhaustion_mean_before"
        level = "county"
        low = {ex * 0.95}
        high = {ex * 1.05}
        source = "synthetic: the model at exhaustion_gain = {truth}"
        [[targets]]
        name = "burnout"
        outcome = "burnout_share_before"
        level = "county"
        low = {bo * 0.9}
        high = {bo * 1.1}
        source = "synthetic"
        [parameters]
        exhaustion_gain = [0.004, 0.05]
    """), encoding="utf-8")
    return p


def test_calibration_recovers_a_known_parameter(tmp_path: Path) -> None:
    ts = load_targets(synthetic_targets(tmp_path))
    cal = ca.setup(ts, seed=5, population=16, generations=3)
    hist = ca.calibrate(cal, tmp_path / "runs", workers=2)
    assert len(hist) == 3 and hist[-1].epsilon < hist[1].epsilon
    post = ca.posterior(cal)
    assert post["weight"].sum() == pytest.approx(1.0)
    x, w = post["exhaustion_gain"].to_numpy(), post["weight"].to_numpy()
    lo, hi = ca.weighted_quantile(x, w, 0.05), ca.weighted_quantile(x, w, 0.95)
    assert lo <= 0.018 <= hi
    assert hi - lo < 0.5 * (0.05 - 0.004)  # the data narrowed the prior
    files = ca.ensemble(cal, post, tmp_path / "ensemble", ca.base_scenario_path(ts), size=5)
    import sim

    s = sim.load_scenario(files[0])
    assert s.n_townships == 2 and 0.004 <= s.exhaustion_gain <= 0.05


# ------------------------------------------------------------------------------------------------------------
# commands: resume after SIGKILL without redoing finished runs, then finish on --dask local


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "sim", *args]


def _kill_after_parts(cmd: list[str], parts: Path, n: int, timeout: float = 120) -> None:
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    t0 = time.time()
    try:
        while time.time() - t0 < timeout:
            if parts.is_dir() and len(list(parts.glob("*.json"))) >= n:
                break
            if proc.poll() is not None:
                raise AssertionError(f"finished before it could be killed: {cmd}")
            time.sleep(0.05)
        else:
            raise AssertionError("no runs finished in time")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _stamps(parts: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in parts.glob("*.json")}


@pytest.mark.parametrize("command", ["sensitivity", "attribute", "calibrate", "compare"])
def test_command_resumes_after_sigkill_and_runs_on_dask(tmp_path: Path, command: str) -> None:
    out = tmp_path / "out"
    short = {"days": 50}  # small and short: the test is about the runs' bookkeeping, not the model
    if command == "sensitivity":
        tiny_scenario(tmp_path, **short)
        args = [str(sensitivity_file(tmp_path, trajectories=6)), "--out", str(out)]
        (tmp_path / "sa.toml").write_text((tmp_path / "sa.toml").read_text().replace('"tiny.toml"', '"short.toml"'))
        tiny_scenario(tmp_path, "short", **short)
    elif command == "attribute":
        pkg = tiny_scenario(tmp_path, "pkg", meeting_cut=0.3, document_cut=0.3, inspection_cut=0.3, **short)
        args = [str(pkg), "--out", str(out), "--replicates", "3"]
    elif command == "calibrate":
        args = [str(synthetic_targets(tmp_path)), "--out", str(out), "--population", "8", "--generations", "2",
                "--ensemble-size", "3"]
    else:
        ens = tmp_path / "ens"
        ens.mkdir()
        tiny_scenario(tmp_path, "base", **short)
        for i, g in enumerate((0.012, 0.018, 0.024)):
            (ens / f"member_{i:03d}.toml").write_text(f'extends = "../base.toml"\nexhaustion_gain = {g}\n')
        reform = tiny_scenario(tmp_path, "reform", meeting_cut=0.3, **short)
        args = [str(tmp_path / "base.toml"), str(reform), "--ensemble", str(ens), "--replicates", "3", "--out",
                str(out), "--no-figure"]
    parts = out / "runs" / "parts"
    _kill_after_parts(_cli(command, *args, "--workers", "1"), parts, 3)
    before = _stamps(parts)
    assert before, "some runs finished before the kill"
    done = subprocess.run(_cli(command, *args, "--dask", "local", "--workers", "2"), cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    after = _stamps(parts)
    assert {k: after[k] for k in before} == before  # no finished run was run (or written) again
    assert len(after) > len(before)
    manifest = json.loads((out / "runs" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["backend"].startswith("dask:")
    result = {"sensitivity": "indices.csv", "attribute": "shapley.csv", "calibrate": "posterior.parquet",
              "compare": "ensemble_effects.csv"}[command]
    assert (out / result).is_file()
    assert json.loads((out / {"sensitivity": "sensitivity.json", "attribute": "attribution.json",
                              "calibrate": "calibration.json", "compare": "compare.json"}[command]).read_text())["provenance"]["version"]


def test_bad_input_is_one_line_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sim.cli import main as sim_main

    bad = sensitivity_file(tmp_path, parameters="recovery = [0.05, 0.01]\n")
    out = tmp_path / "never"
    assert sim_main(["sensitivity", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "'parameters.recovery'" in err and "low < high" in err
    assert not out.exists()
    pkg = tiny_scenario(tmp_path, "pkg", meeting_cut=0.3, document_cut=0.3)
    assert sim_main(["attribute", str(pkg), "--out", str(out), "--replicates", "1"]) == 2
    assert "--replicates" in capsys.readouterr().err and not out.exists()
    assert sim_main(["compare", str(pkg), str(pkg), "--replicates", "2", "--out", str(out), "--ensemble",
                     str(tmp_path / "nothing")]) == 2
    assert "--ensemble" in capsys.readouterr().err and not out.exists()
