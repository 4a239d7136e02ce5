"""Speed of a default 730-day county run (daily recording included) against Mesa's bare
`agents.shuffle_do("step")` loop over the same number of trivial agents for the same 730 steps, timed in the
same process, alternating, best of several repeats for each (the usual estimator of a timing: noise only
ever adds time). Target: ratio <= 1.0.   Run: .venv/bin/python benchmarks/bench_model.py
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


def time_bare(n: int, steps: int) -> float:
    m = Bare(n)
    t = time.perf_counter()
    for _ in range(steps):
        m.step()
    return time.perf_counter() - t


def time_model(seed: int) -> tuple[float, int]:
    t = time.perf_counter()
    model = sim.GrassrootsModel(rng=seed)
    model.run()
    elapsed = time.perf_counter() - t
    return elapsed, len(model.agents)


def main(repeats: int = 7) -> float:
    time_model(0)  # warm caches and imports
    model_times, bare_times = [], []
    for i in range(repeats):
        tm, n_agents = time_model(i)
        model_times.append(tm)
        bare_times.append(time_bare(n_agents, sim.Scenario().days))
    tm, tb = min(model_times), min(bare_times)
    print(f"agents: {n_agents}, days: {sim.Scenario().days}")
    print(f"model run (set-up + 730 days + recording): {tm:.3f} s (best of {repeats}; median {statistics.median(model_times):.3f})")
    print(f"bare Mesa shuffle_do loop, same agents, 730 steps: {tb:.3f} s (best of {repeats}; median {statistics.median(bare_times):.3f})")
    print(f"ratio model / bare = {tm / tb:.2f}  (target <= 1.0)")
    return tm / tb


if __name__ == "__main__":
    main()
