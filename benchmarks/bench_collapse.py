"""Memory of a ten-year run (3,650 days) of a county whose service collapses (too few village cadres for the
demand: the queue only grows). Python-level memory (tracemalloc) is read after years 1, 5 and 10; flat memory
means the reading after year 10 stays within 5% of the one after year 1. The record is preallocated, nothing is
cached, and the service queue has one row per age up to `request_give_up_days` (default 365), allocated once at
set-up: a resident whose request has waited that long gives up (`service_given_up`), so the queue cannot outgrow
it, and waiting times stay exact. The last reading is taken the day before the end, when the model copies its
record into Mesa's DataCollector once. Prints the ratio year 10 / year 1 (target <= 1.05), the backlog and the
requests given up, to show the service did collapse.   Run: .venv/bin/python benchmarks/bench_collapse.py
"""

from __future__ import annotations

import time
import tracemalloc

import sim
from sim.core.record import PATTERNS, X0

COLLAPSE = {"days": 3650, "policy_start_day": 3650 - 1, "village_cadres": 2, "requests_per_household_year": 8.0}


def main(seed: int = 0) -> float:
    sim.GrassrootsModel(rng=seed, setup={**COLLAPSE, "days": 30, "policy_start_day": 29}).run()  # load the compiled kernels (a constant, not growth)
    tracemalloc.start()
    t = time.perf_counter()
    m = sim.GrassrootsModel(rng=seed, setup=COLLAPSE)
    readings = {}
    col = sim.COLUMNS.index
    for year in (1, 5, 10):
        m.run(year * 365 - m.day - (year == 10))  # the last reading before the last day's DataCollector copy
        readings[year] = tracemalloc.get_traced_memory()[0] / 1e6
        given_up = m.recorder.raw[: m.day, X0 + PATTERNS.index("given_up")].sum()  # raw: no derived table kept
        print(f"year {year:2d}: {readings[year]:8.1f} MB traced, backlog"
              f" {m.recorder.latest()[col('service_backlog')]:10.0f} requests, given up so far"
              f" {given_up:10.0f}, queue {m.county.queue.shape[0]} ages"
              f" ({m.county.queue.nbytes / 1e6:.1f} MB, allocated once), {time.perf_counter() - t:6.1f} s")
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    ratio = readings[10] / readings[1]
    print(f"peak {peak:.1f} MB; ratio memory year 10 / year 1 = {ratio:.3f}  (target <= 1.05, flat)")
    return ratio


if __name__ == "__main__":
    main()
