"""Speed of play on the dashboard at the classroom size (the default county, ~1,560 cadres).

    .venv/bin/python benchmarks/bench_dashboard.py [--steps 60] [--lang zh]

Times (1) a bare `model.step()` as the reference, (2) a frame as the dashboard plays it: the step, Mesa's
DataCollector and a redraw of all five charts to PNG at the pixel size a projector shows them (one column at
1280x720, two columns at 1920x1080), for one run and for two presets side by side. Prints steps per second and the
cost of a frame as a multiple of the bare step; exit code 1 if playing with a redraw every day would be slower
than 5 steps a second.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.core.model import GrassrootsModel  # noqa: E402
from sim.dashboard import charts  # noqa: E402
from sim.dashboard.classroom import Classroom, Settings  # noqa: E402

TARGET = 5.0  # steps a second while playing
SIZES = {"1280x720": (916, 470), "1920x1080": (770, 431)}  # chart size in CSS px (see app.chart_size)


def bench_bare(steps: int, warm: int) -> float:
    """Seconds per bare model step."""
    m = GrassrootsModel(rng=0, days=warm + steps + 1, policy_start_day=warm)
    for _ in range(warm):
        m.step()
    t0 = time.perf_counter()
    for _ in range(steps):
        m.step()
    return (time.perf_counter() - t0) / steps


def bench_frame(steps: int, warm: int, mode: str, lang: str, size: tuple[int, int]) -> float:
    """Seconds per dashboard frame (step + collect + redraw of every chart)."""
    room = Classroom(Settings(mode=mode, days=warm + steps + 1, policy_start_day=warm,
                              levers={"video_conferencing": 0.6, "meeting_cut": 0.3}))
    room.step(warm)
    charts.frame(room, lang, size)  # the first frame lays the figures out once
    t0 = time.perf_counter()
    for _ in range(steps):
        room.step(1)
        charts.frame(room, lang, size)
    return (time.perf_counter() - t0) / steps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--warm", type=int, default=100, help="days run before timing")
    ap.add_argument("--lang", choices=("zh", "en"), default="zh")
    a = ap.parse_args()
    bare = bench_bare(a.steps, a.warm)
    cadres = GrassrootsModel(rng=0).county.n_cadres
    print(f"classroom county: {cadres} cadres; {a.steps} timed frames after {a.warm} days; language {a.lang}")
    print(f"{'':44s} {'steps/s':>8s} {'x bare step':>12s}")
    print(f"{'model.step() alone (reference)':44s} {1 / bare:8.1f} {1.0:12.1f}")
    ok = True
    for screen, size in SIZES.items():
        for mode, name in (("single", "one run"), ("compare", "two presets")):
            dt = bench_frame(a.steps, a.warm, mode, a.lang, size)
            ok &= 1 / dt >= TARGET
            print(f"{f'play with redraw, {name}, {screen}':44s} {1 / dt:8.1f} {dt / bare:12.0f}")
    print(f"target: play at least {TARGET:g} steps/s with a redraw every day -> {'OK' if ok else 'TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
