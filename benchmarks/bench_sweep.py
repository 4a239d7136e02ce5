"""Sweep runner benchmarks, printed as ratios (a script, not a test):

1. speed-up: the same sweep with 2 workers against 1 (target >= 1.8x on 2 cores; worker start-up included);
2. overhead: wall time of a 1-worker sweep against the time inside its runs (target <= 5%);
3. memory: peak RSS of a 1,000-run sweep against a 100-run sweep, each in a fresh process with 1 worker (short
   days; target: flat, ratio ~1.0).

Run: .venv/bin/python benchmarks/bench_sweep.py [--quick]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.exploration.sweep import run_sweep  # noqa: E402


def experiment(folder: Path, name: str, replicates: int, days: int, cuts: int) -> Path:
    grid = ", ".join(str(round(0.5 * i / max(cuts - 1, 1), 3)) for i in range(cuts))
    start = min(365, days // 2)
    p = folder / f"{name}.toml"
    p.write_text(textwrap.dedent(f"""
        name = "{name}"
        base = "{(ROOT / 'scenarios' / 'baseline.toml').as_posix()}"
        replicates = {replicates}
        seed = 1
        days = {days}
        set = {{ policy_start_day = {start}, warmup_days = {min(60, start)} }}
        timeseries_every = 7
        [grid]
        meeting_cut = [{grid}]
    """), encoding="utf-8")
    return p


def _spin(_: int) -> int:
    s = 0
    for i in range(10_000_000):
        s += i
    return s


def ceiling() -> float:
    """What this machine gives right now: 2 processes of pure Python against 1 (other load shows here)."""
    import multiprocessing as mp

    t0 = time.perf_counter()
    _spin(0), _spin(1)
    serial = time.perf_counter() - t0
    with mp.get_context("fork").Pool(2) as pool:
        t0 = time.perf_counter()
        pool.map(_spin, [0, 1])
        par = time.perf_counter() - t0
    return serial / par


def speedup(tmp: Path, runs: int, repeats: int = 2) -> None:
    exp = experiment(tmp, "speed", runs // 2, 730, 2)
    times: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(repeats):
        for w in (1, 2):
            out = tmp / f"speed{w}"
            t0 = time.perf_counter()
            run_sweep(exp, out, workers=w, csv=False)
            times[w].append(time.perf_counter() - t0)
            shutil.rmtree(out)
    t1, t2 = min(times[1]), min(times[2])
    print(f"speed-up, {runs} runs of 730 days (best of {repeats}): 1 worker {t1:.1f} s, 2 workers {t2:.1f} s "
          f"-> {t1 / t2:.2f}x (target >= 1.8x; machine ceiling now {ceiling():.2f}x)")


def overhead(tmp: Path, runs: int) -> None:
    """Wall time of a 1-worker sweep (in-process) against the time spent inside the runs themselves
    (`seconds` of runs.parquet: run_scenario + cutting the time series), so machine load cancels out."""
    import pandas as pd

    exp_path = experiment(tmp, "overhead", runs // 2, 730, 2)
    out = tmp / "overhead"
    t0 = time.perf_counter()
    run_sweep(exp_path, out, workers=1, csv=True)
    wall = time.perf_counter() - t0
    model = float(pd.read_parquet(out / "runs.parquet")["seconds"].sum())
    shutil.rmtree(out)
    print(f"overhead, {runs} runs of 730 days, 1 worker: sweep wall {wall:.2f} s, inside runs {model:.2f} s "
          f"-> {(wall - model) / model * 100:+.2f}% per run ({(wall - model) / runs * 1000:.0f} ms; target <= 5%)")


def memory_child(n: int, folder: str) -> None:
    exp = experiment(Path(folder), f"mem{n}", n // 10, 20, 10)
    t0 = time.perf_counter()
    run_sweep(exp, Path(folder) / f"mem{n}", workers=1, csv=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{rss:.1f} {time.perf_counter() - t0:.1f}")


def memory(tmp: Path) -> None:
    res = {}
    for n in (100, 1000):
        p = subprocess.run([sys.executable, __file__, "--memory-child", str(n), str(tmp)], capture_output=True,
                           text=True, check=True)
        rss, secs = (float(x) for x in p.stdout.split())
        res[n] = rss
        print(f"memory, {n} runs of 20 days, 1 worker: peak RSS {rss:.0f} MB ({secs:.0f} s)")
    print(f"memory, peak RSS 1,000 runs / 100 runs -> {res[1000] / res[100]:.2f} (target: flat, ~1.0)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer runs")
    ap.add_argument("--memory-child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        memory_child(int(args.memory_child[0]), args.memory_child[1])
        return
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        speedup(tmp, 8 if args.quick else 20)
        overhead(tmp, 4 if args.quick else 10)
        memory(tmp)


if __name__ == "__main__":
    main()
