"""Sensitivity command benchmark, printed as numbers and ratios (a script, not a test):

1. a Morris screening of 30 assumption fields (10 trajectories, 2 replicates, 730 days, the baseline county) with
   `python -m sim sensitivity ... --workers 2`: wall time (target: within 10 minutes on 2 cores);
2. its throughput against a bare sweep of the same runs (the same scenarios, seeds and storage through
   `sweep.run_sweep`, nothing else): overhead of sampling, matching runs, analysis, figures and provenance
   (target <= 5%).

The bare sweep runs first, then the command, each into a fresh folder. On a machine shared with other work
the times move with its load; the script prints what it measured.

Run: .venv/bin/python benchmarks/bench_sensitivity.py [--fields 30] [--trajectories 10] [--replicates 2]
                                                      [--days 730] [--workers 2]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.cli import main as sim_main  # noqa: E402
from sim.core.scenario import MAX_DAYS, make_scenario  # noqa: E402
from sim.exploration import sensitivity as sa  # noqa: E402
from sim.exploration.design import TRACE_COLUMN, point_fields  # noqa: E402
from sim.exploration.sweep import Experiment, run_sweep  # noqa: E402


def experiment(folder: Path, fields: int, trajectories: int, replicates: int, days: int) -> Path:
    """The first `fields` parameters of experiments/sensitivity_morris.toml, in a file of their own."""
    shipped = sa.load(ROOT / "experiments" / "sensitivity_morris.toml")
    params = list(shipped.parameters.items())[:fields]
    lines = [f'base = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"', f"replicates = {replicates}",
             "seed = 1", f"days = {days}", f"set = {{ policy_start_day = {min(365, days // 2)} }}", 'method = "morris"', f"trajectories = {trajectories}",
             'outcomes = ["exhaustion_mean_after", "service_resolved_share_after", "burnout_share_after"]',
             "[parameters]"]
    lines += [f"{k} = [{lo!r}, {hi!r}]" for k, (lo, hi) in params]
    p = folder / "bench_morris.toml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def bare_sweep(path: Path, out: Path, workers: int) -> tuple[float, int]:
    """The same distinct runs through run_sweep alone."""
    design = sa.load(path)
    X = sa.sample(design)
    names = list(design.parameters)
    seen, scenarios = set(), []
    for row in X:
        s = make_scenario(point_fields(design.base.fields, dict(zip(names, map(float, row), strict=True))))
        key = repr(sorted(s.fields().items()))
        if key not in seen:
            seen.add(key)
            scenarios.append(s)
    exp = Experiment(path=path, name="bare", description="", seed=1, replicates=len(design.base.seeds), grid={},
                     scenario_files=["baseline"], points=[{"scenario": "baseline"} for _ in scenarios],
                     scenarios=scenarios, timeseries_every=MAX_DAYS, timeseries_columns=TRACE_COLUMN,
                     file_hash="", seeds=list(design.base.seeds))
    t0 = time.perf_counter()
    report = run_sweep(exp, out, workers=workers, csv=False)
    return time.perf_counter() - t0, report.ran


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fields", type=int, default=30)
    ap.add_argument("--trajectories", type=int, default=10)
    ap.add_argument("--replicates", type=int, default=2)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sensitivity-"))
    try:
        path = experiment(tmp, a.fields, a.trajectories, a.replicates, a.days)
        runs = (a.fields + 1) * a.trajectories * a.replicates
        print(f"Morris: {a.fields} fields x {a.trajectories} trajectories x {a.replicates} replicates, {a.days} days, "
              f"{a.workers} workers ({runs} runs before merging equal points)")
        bare_s, ran = bare_sweep(path, tmp / "bare", a.workers)
        print(f"bare sweep:   {ran} runs in {bare_s:7.1f} s  ({ran / bare_s:.2f} runs/s)")
        import sim.exploration.design as design

        inner = {"s": 0.0}
        sweep = design.run_sweep

        def timed(*args, **kw):  # the sweep inside the command, timed: the rest is the command's own work
            t = time.perf_counter()
            try:
                return sweep(*args, **kw)
            finally:
                inner["s"] += time.perf_counter() - t

        design.run_sweep = timed
        t0 = time.perf_counter()
        code = sim_main(["sensitivity", str(path), "--out", str(tmp / "cmd"), "--workers", str(a.workers), "--quiet"])
        cmd_s = time.perf_counter() - t0
        design.run_sweep = sweep
        assert code == 0
        print(f"sensitivity:  {ran} runs in {cmd_s:7.1f} s  ({ran / cmd_s:.2f} runs/s)  "
              f"[target: within 600 s: {'yes' if cmd_s <= 600 else 'NO'}]")
        print(f"overhead against the bare sweep (separate runs; moves with the machine's load): "
              f"{cmd_s / bare_s - 1:+.1%}  [target <= +5%]")
        print(f"overhead inside the command (its own work outside the sweep: sampling, matching runs, analysis, "
              f"figures, provenance): {cmd_s - inner['s']:.2f} s = {(cmd_s - inner['s']) / inner['s']:+.1%} of its "
              f"sweep  [target <= +5%]")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
