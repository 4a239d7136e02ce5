"""Sensitivity command benchmark, printed as numbers and ratios (a script, not a test):

1. a Morris screening of 30 assumption fields (10 trajectories, 2 replicates, 730 days, the baseline county) with
   `python -m sim sensitivity ... --workers 2`: wall time of the whole command, process start to exit
   (target: within 10 minutes on 2 cores);
2. its throughput against a bare sweep of the same runs (target: overhead <= 5%). The bare sweep is the least a
   script can do to get these runs: a fresh Python process that builds the same scenarios and calls
   `sweep.run_sweep` with the same seeds and storage, nothing else.

Both sides run as fresh processes, in the order bare, command, bare (`--rounds N`: N commands, each between two
bare sweeps), so that a machine whose load drifts during the benchmark hits both alike: the command is compared
with the mean of the bare sweeps just before and after it. Inside the command's own process the time outside
its sweep (imports, sampling, matching runs to points, analysis, figures, provenance) is measured too, against
its sweep at the same moment, which no outside load can tilt. The script checks that both sides ran the very
same runs (the same run ids) and prints the load average while it ran.

Run: .venv/bin/python benchmarks/bench_sensitivity.py [--fields 30] [--trajectories 10] [--replicates 2]
                                                      [--days 730] [--workers 2] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent

# stdlib only at the top: each phase imports what it needs in its own fresh process, so the bare sweep never
# pays for the command's imports (nor the reverse)


def experiment(folder: Path, fields: int, trajectories: int, replicates: int, days: int) -> Path:
    """The first `fields` parameters of experiments/sensitivity_morris.toml, in a file of their own."""
    from sim.exploration import sensitivity as sa

    shipped = sa.load(ROOT / "experiments" / "sensitivity_morris.toml")
    params = list(shipped.parameters.items())[:fields]
    lines = [f'base = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"', f"replicates = {replicates}",
             "seed = 1", f"days = {days}", f"set = {{ policy_start_day = {min(365, days // 2)} }}",
             'method = "morris"', f"trajectories = {trajectories}",
             'outcomes = ["exhaustion_mean_after", "service_resolved_share_after", "burnout_share_after"]',
             "[parameters]"]
    lines += [f"{k} = [{lo!r}, {hi!r}]" for k, (lo, hi) in params]
    p = folder / "bench_morris.toml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def distinct_scenarios(path: Path) -> tuple[list[dict], int]:
    """The distinct scenarios (resolved fields) of the command's sample, in its order, and the number of points:
    what the bare sweep runs."""
    from sim.core.scenario import make_scenario
    from sim.exploration import sensitivity as sa
    from sim.exploration.design import point_fields

    design = sa.load(path)
    X = sa.sample(design)
    names = list(design.parameters)
    seen, out = set(), []
    for row in X:
        f = make_scenario(point_fields(design.base.fields, dict(zip(names, map(float, row), strict=True)))).fields()
        key = json.dumps(f, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out, len(X)


# ------------------------------------------------------------------------------------------------------------
# the two sides, each in a fresh process (started with `python -c`, so that forkserver workers do not re-import
# this file as their main module)


def cpu_per_run(scenarios: list[dict], seeds: list[int], n: int = 2) -> float:
    """CPU seconds of one of the benchmark's runs, measured in this process (time.process_time: what another
    process's load cannot stretch), after a short run that loads the compiled kernels."""
    from sim.core.blas import one_blas_thread
    from sim.io.run import run_scenario

    with one_blas_thread():
        run_scenario({**scenarios[0], "days": 20, "policy_start_day": 10}, seed=seeds[0])
        t0 = time.process_time()
        for i in range(n):
            run_scenario(scenarios[i % len(scenarios)], seed=seeds[i % len(seeds)])
        return (time.process_time() - t0) / n


def _sweep_seconds(runs_parquet: Path) -> float:
    import pandas as pd

    return float(pd.read_parquet(runs_parquet, columns=["seconds"])["seconds"].sum())


def phase_bare(spec: str, out: str, workers: int, report: str) -> None:
    """The bare sweep: the same scenarios, seeds, stored columns and sweep engine as the command, nothing else."""
    t0 = time.perf_counter()
    from sim.core.scenario import MAX_DAYS, make_scenario
    from sim.exploration.design import TRACE_COLUMN
    from sim.exploration.sweep import Experiment, replicate_seeds, run_sweep

    s = json.loads(Path(spec).read_text(encoding="utf-8"))
    scenarios = [make_scenario(f) for f in s["scenarios"]]
    exp = Experiment(path=Path(s["experiment"]), name="bare", description="", seed=s["seed"],
                     replicates=s["replicates"], grid={}, scenario_files=["baseline"],
                     points=[{"scenario": "baseline"} for _ in scenarios], scenarios=scenarios,
                     timeseries_every=MAX_DAYS, timeseries_columns=TRACE_COLUMN, file_hash="",
                     seeds=replicate_seeds(s["seed"], s["replicates"]))
    t1 = time.perf_counter()
    rep = run_sweep(exp, out, workers=workers, csv=False)
    t2 = time.perf_counter()
    Path(report).write_text(json.dumps({
        "sweep": t2 - t1, "inside": t2 - t0, "ran": rep.ran, "ok": rep.ok,
        "run_seconds": _sweep_seconds(Path(out) / "runs.parquet"),
        "own": {"imports and scenarios": t1 - t0}}), encoding="utf-8")


def phase_command(experiment_path: str, out: str, workers: int, report: str) -> None:
    """`python -m sim sensitivity EXP --out OUT --workers N --quiet`, with timers around its parts."""
    t0 = time.perf_counter()
    parts: dict[str, float] = {}

    def timed(mod, name: str, label: str) -> None:
        fn = getattr(mod, name)

        def wrapper(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                parts[label] = parts.get(label, 0.0) + time.perf_counter() - t

        setattr(mod, name, wrapper)

    import sim.cli.sensitivity as cli
    import sim.exploration.design as design
    import sim.exploration.sensitivity as sa
    from sim.cli import main as sim_main

    t1 = time.perf_counter()
    timed(design, "run_sweep", "sweep")
    timed(sa, "load", "read the experiment")
    timed(sa, "sample", "sample (SALib)")
    timed(sa, "run", "run points (matching, sweep, reading back)")
    timed(sa, "analyze", "analyze (SALib, bootstrap)")
    timed(cli, "write_provenance", "provenance")
    timed(cli, "provenance", "provenance")
    import sim.figures.sensitivity as figs  # imported inside the command's main: its import counts as figures

    t_fig_import = time.perf_counter() - t1
    timed(figs, "morris_plane", "figures")
    timed(figs, "save", "figures")
    parts["figures"] = parts.get("figures", 0.0) + t_fig_import
    t2 = time.perf_counter()
    code = sim_main(["sensitivity", experiment_path, "--out", out, "--workers", str(workers), "--quiet"])
    t3 = time.perf_counter()
    assert code == 0, code
    sweep = parts.pop("sweep")
    parts["run points (matching, sweep, reading back)"] -= sweep
    own = {"imports": (t2 - t0) - t_fig_import, **parts}
    own["the rest (tables, points.parquet, printing)"] = (t3 - t2) - sweep - (sum(parts.values()) - t_fig_import)
    Path(report).write_text(json.dumps({
        "sweep": sweep, "inside": t3 - t0, "run_seconds": _sweep_seconds(Path(out) / "runs" / "runs.parquet"),
        "own": own}), encoding="utf-8")


def _phase(kind: str, args: list[str], report: Path) -> dict:
    """Run one phase in a fresh process; its wall time is taken from outside (interpreter start to exit)."""
    code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); sys.path.insert(0, {str(ROOT)!r}); "
            f"import bench_sensitivity as b; b.phase_{kind}(*{args!r}, {str(report)!r})")
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    rec = json.loads(report.read_text(encoding="utf-8"))
    rec.update(wall=wall, load=(load0, os.getloadavg()[0]))
    return rec


def run_ids(parts: Path) -> set[str]:
    return {p.stem for p in parts.glob("*.json")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fields", type=int, default=30)
    ap.add_argument("--trajectories", type=int, default=10)
    ap.add_argument("--replicates", type=int, default=2)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1, help="commands, each between two bare sweeps (default 1)")
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="bench-sensitivity-"))
    try:
        path = experiment(tmp, a.fields, a.trajectories, a.replicates, a.days)
        scenarios, points = distinct_scenarios(path)
        spec = tmp / "bare.json"
        spec.write_text(json.dumps({"experiment": str(path), "seed": 1, "replicates": a.replicates,
                                    "scenarios": scenarios}, default=str), encoding="utf-8")
        runs = len(scenarios) * a.replicates
        print(f"Morris: {a.fields} fields x {a.trajectories} trajectories x {a.replicates} replicates, {a.days} days, "
              f"{a.workers} workers: {points} points, {len(scenarios)} distinct, = {runs} runs "
              f"(on {os.cpu_count()} cores)", flush=True)
        print(f"{'phase':<14}{'wall s':>9}{'sweep s':>9}{'runs/s':>8}{'cores busy':>11}   load avg (1 min) start -> end",
              flush=True)
        from sim.exploration.sweep import replicate_seeds

        cpu = cpu_per_run(scenarios, replicate_seeds(1, a.replicates))
        print(f"one run: {cpu:.2f} s of CPU (measured in this process; other processes' load hardly stretches CPU time)", flush=True)
        bares, cmds = [], []

        def show(label: str, r: dict) -> None:
            busy = r["run_seconds"] / r["sweep"]  # run time the workers did per second of sweep
            print(f"{label:<14}{r['wall']:9.1f}{r['sweep']:9.1f}{runs / r['wall']:8.2f}{busy:11.2f}   "
                  f"{r['load'][0]:.2f} -> {r['load'][1]:.2f}", flush=True)

        def bare(i: int) -> None:
            out = tmp / f"bare{i}"
            r = _phase("bare", [str(spec), str(out), a.workers], tmp / f"bare{i}.json")
            r["ids"] = run_ids(out / "parts")
            shutil.rmtree(out, ignore_errors=True)
            bares.append(r)
            show(f"bare sweep {i + 1}", r)

        bare(0)
        for k in range(a.rounds):
            out = tmp / f"cmd{k}"
            r = _phase("command", [str(path), str(out), a.workers], tmp / f"cmd{k}.json")
            r["ids"] = run_ids(out / "runs" / "parts")
            shutil.rmtree(out, ignore_errors=True)
            cmds.append(r)
            show("sensitivity" if a.rounds == 1 else f"sensitivity {k + 1}", r)
            bare(k + 1)

        same = all(r["ids"] == bares[0]["ids"] and len(r["ids"]) == runs for r in bares + cmds)
        print(f"same runs on both sides (run ids): {'yes' if same else 'NO'}")
        worst = max(r["wall"] for r in cmds)
        print(f"\n1. wall time of the command ({runs} runs of {a.days} days, process start to exit): "
              f"{worst:.1f} s = {worst / 60:.1f} min  [target: within 10 min: {'yes' if worst <= 600 else 'NO'}]")
        ratios = [c["wall"] / ((bares[k]["wall"] + bares[k + 1]["wall"]) / 2) - 1 for k, c in enumerate(cmds)]
        print(f"2. overhead against the bare sweep (the command's wall over the mean of the bare sweeps just "
              f"before and after it): {', '.join(f'{x:+.1%}' for x in ratios)}  "
              f"[target <= +5%: {'yes' if max(ratios) <= 0.05 else 'NO'}]")
        for k, c in enumerate(cmds):
            own = c["wall"] - c["sweep"]
            bare_own = sum((b["wall"] - b["sweep"]) for b in bares[k:k + 2]) / 2
            print(f"   inside the command's process, same moment, same load: {own:.1f} s outside its sweep "
                  f"(a bare sweep process: {bare_own:.1f} s) -> extra work {own - bare_own:+.1f} s = "
                  f"{(own - bare_own) / c['sweep']:+.1%} of its sweep  "
                  f"[target <= +5%: {'yes' if (own - bare_own) / c['sweep'] <= 0.05 else 'NO'}]")
            print("   the command's time outside its sweep (s): " + ", ".join(
                f"{name} {v:.2f}" for name, v in c["own"].items()) + f"; Python start-up and exit "
                f"{c['wall'] - c['inside']:.2f}")
        idle = runs * cpu / a.workers
        own = max(c["wall"] - c["sweep"] for c in cmds)
        print(f"3. on {a.workers} idle cores (projected: {runs} runs x {cpu:.2f} s of CPU / {a.workers} workers + the "
              f"command's own {own:.1f} s as measured here): about {idle + own:.0f} s = {(idle + own) / 60:.1f} min  "
              f"[target: within 10 min: {'yes' if idle + own <= 600 else 'NO'}]")
        print("   cores busy = run time done per second of sweep (at most the workers); equal on both sides means "
              "the command's sweep keeps its workers as busy as the bare one")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
