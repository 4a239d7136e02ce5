"""Speed of a default 730-day county run against Mesa's bare `agents.shuffle_do("step")` loop over as many
trivial agents for the same 730 steps: what a user waits for, so set-up and run are timed on both sides. Same
process, default environment (no thread variables), same seed, repeats interleaved; best and median of 5.
Target: ratio <= 0.5. The first run in a process, which loads the compiled kernels, is printed apart.   Run: .venv/bin/python benchmarks/bench_model.py
"""

from __future__ import annotations

import statistics
import time

import mesa

import sim


class Trivial(mesa.Agent):
    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        self.x = 0

    def step(self) -> None:
        self.x += 1


class Bare(mesa.Model):
    def __init__(self, n: int, rng: int = 0) -> None:
        super().__init__(rng=rng)
        Trivial.create_agents(self, n)

    def step(self) -> None:
        self.agents.shuffle_do("step")


def n_agents() -> int:
    """Departments and cadres of the default county (the Mesa agents the model would have)."""
    return len(sim.GrassrootsModel(rng=0).agents)


def time_bare(n: int, steps: int, seed: int) -> float:
    t = time.perf_counter()
    m = Bare(n, rng=seed)
    for _ in range(steps):
        m.step()
    return time.perf_counter() - t


def time_model(seed: int) -> float:
    t = time.perf_counter()
    model = sim.GrassrootsModel(rng=seed)
    model.run()
    return time.perf_counter() - t


def main(repeats: int = 5, seed: int = 0) -> float:
    days, n = sim.Scenario().days, n_agents()
    first = time_model(seed)  # the first run in a process also loads the compiled kernels (or compiles them)
    model_times, bare_times = [], []
    for _ in range(repeats):  # interleaved, so load on the machine hits both sides alike
        model_times.append(time_model(seed))
        bare_times.append(time_bare(n, days, seed))
    tm, tb = min(model_times), min(bare_times)
    mm, mb = statistics.median(model_times), statistics.median(bare_times)
    print(f"agents: {n}, days: {days}, seed {seed}, {repeats} interleaved repeats")
    print(f"model (set-up + {days} days + recording): best {tm:.3f} s, median {mm:.3f} s")
    print(f"bare Mesa (set-up + {days} x shuffle_do):   best {tb:.3f} s, median {mb:.3f} s")
    print(f"ratio model / bare: best {tm / tb:.2f}, median {mm / mb:.2f}  (target <= 0.5)")
    print(f"first model run in this process: {first:.3f} s (kernels loaded from numba's on-disk cache, or compiled"
          f" on a machine's first run); ratio to bare best {first / tb:.2f}")
    return tm / tb


if __name__ == "__main__":
    main()
