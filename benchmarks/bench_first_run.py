"""What a newcomer waits for (issue 18), printed as ratios (a script, not a test):

1. first run: `python -m sim run scenarios/baseline.toml` with an empty kernel cache (numba compiles every
   kernel the default county uses) against the same command again (the kernels load from the cache): user CPU
   seconds of the child processes (`resource.getrusage(RUSAGE_CHILDREN)`), so load on the shared machine does
   not count. Target: the cold first run under 15 s of CPU;
2. `python -m sim --help` against `python -c pass` (the interpreter's own start-up), wall and CPU, best of 5.
   Target: under 0.5 s.

Each cold run gets a fresh, empty cache folder through GRASSROOTS_CACHE_DIR; the warm run reuses it.
Run: .venv/bin/python benchmarks/bench_first_run.py [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child_cpu(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run `python argv...` from the repository; (user CPU seconds of the child, wall seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    t = time.perf_counter()
    subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before, wall


def environment(cache: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_") and k != "GRASSROOTS_CACHE_DIR"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if cache is not None:
        env["GRASSROOTS_CACHE_DIR"] = cache
    return env


def first_run(repeats: int) -> None:
    colds, warms = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="bench-first-run-") as tmp:
            env = environment(str(Path(tmp) / "cache"))
            run = ["-m", "sim", "run", "scenarios/baseline.toml"]
            colds.append(child_cpu([*run, "--out", str(Path(tmp) / "cold")], env))
            warms.append(child_cpu([*run, "--out", str(Path(tmp) / "warm")], env))
    cold, cold_wall = min(colds)
    warm, warm_wall = min(warms)
    print(f"run scenarios/baseline.toml (with its figures), best of {repeats}:")
    print(f"  cold first run (empty cache): {cold:.1f} s user CPU ({cold_wall:.1f} s wall)  (target < 15 s)")
    print(f"  warm run (cache filled):      {warm:.1f} s user CPU ({warm_wall:.1f} s wall)")
    print(f"  ratio cold / warm: {cold / warm:.2f}")


def start_up(repeats: int) -> None:
    env = environment(None)
    helps = [child_cpu(["-m", "sim", "--help"], env) for _ in range(repeats)]
    bares = [child_cpu(["-c", "pass"], env) for _ in range(repeats)]
    h_wall, b_wall = min(w for _, w in helps), min(w for _, w in bares)
    h_cpu, b_cpu = min(c for c, _ in helps), min(c for c, _ in bares)
    print(f"python -m sim --help, best of {repeats}: {h_wall:.3f} s wall, {h_cpu:.3f} s CPU  (target < 0.5 s)")
    print(f"python -c pass:                 {b_wall:.3f} s wall, {b_cpu:.3f} s CPU")
    print(f"  ratio --help / bare interpreter: {h_wall / b_wall:.1f} (wall)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=1, help="cold/warm pairs (each cold run compiles afresh)")
    args = ap.parse_args()
    start_up(5)
    first_run(args.repeats)


if __name__ == "__main__":
    main()
