"""Speed of a dashboard step at the classroom size (the default county, ~1,560 cadres).

    .venv/bin/python benchmarks/bench_dashboard.py [--steps 100] [--lang zh]

Times (1) a bare `model.step()`, (2) a step as the dashboard plays it: the step, Mesa's DataCollector and a
redraw of all five charts to PNG (one run, and baseline + reform side by side). Exit code 1 if playing with a
redraw every day would be slower than 5 steps a second.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.core.model import GrassrootsModel  # noqa: E402
from sim.dashboard.classroom import Classroom, Settings  # noqa: E402

TARGET = 5.0  # steps a second while playing


def bench_bare(steps: int, warm: int) -> float:
    """Seconds per bare model step."""
    m = GrassrootsModel(rng=0, days=warm + steps + 1, policy_start_day=warm)
    for _ in range(warm):
        m.step()
    t0 = time.perf_counter()
    for _ in range(steps):
        m.step()
    return (time.perf_counter() - t0) / steps


def bench_dashboard(steps: int, warm: int, mode: str, lang: str) -> float:
    """Seconds per dashboard step (step + collect + redraw of every chart)."""
    room = Classroom(Settings(mode=mode, days=warm + steps + 1, policy_start_day=warm,
                              levers={"video_conferencing": 0.6, "meeting_cut": 0.3}))
    room.step(warm)
    room.charts(lang)  # first frame lays the figures out once
    t0 = time.perf_counter()
    for _ in range(steps):
        room.step(1)
        room.charts(lang)
    return (time.perf_counter() - t0) / steps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--warm", type=int, default=100, help="days run before timing")
    ap.add_argument("--lang", choices=("zh", "en"), default="zh")
    a = ap.parse_args()
    bare = bench_bare(a.steps, a.warm)
    cadres = GrassrootsModel(rng=0).county.n_cadres
    print(f"classroom county: {cadres} cadres; {a.steps} timed steps after {a.warm} days")
    print(f"{'':34s} {'ms/step':>9s} {'steps/s':>9s}")
    print(f"{'model.step() alone':34s} {bare * 1e3:9.2f} {1 / bare:9.1f}")
    ok = True
    for mode, name in (("single", "dashboard, one run"), ("compare", "dashboard, baseline vs reform")):
        dt = bench_dashboard(a.steps, a.warm, mode, a.lang)
        ok &= 1 / dt >= TARGET
        print(f"{name + ' (step+redraw)':34s} {dt * 1e3:9.2f} {1 / dt:9.1f}")
    print(f"target: play at least {TARGET:g} steps/s with a redraw every day -> {'OK' if ok else 'TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
