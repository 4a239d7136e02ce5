"""Memory of a ten-year run (3,650 days) of a county whose service collapses (too few village cadres for the
demand: the queue only grows). Python-level memory (tracemalloc) is read after years 1, 2, 5 and 10; flat
memory means the last reading stays close to the one after year 2 (the record is preallocated, the queue keeps
one row per age in use, nothing is cached); the last reading is taken the day before the end, when the model copies
its record into Mesa's DataCollector once. The queue itself must grow while the oldest waiting request gets
older: exact waiting times need one count per village and day of arrival still waiting; its size is printed. Prints the ratio year 10 / year 2 (target: about 1) and the
backlog, to show the service did collapse.   Run: .venv/bin/python benchmarks/bench_collapse.py
"""

from __future__ import annotations

import time
import tracemalloc

import sim

COLLAPSE = {"days": 3650, "policy_start_day": 3650, "village_cadres": 2, "requests_per_household_year": 8.0}


def main(seed: int = 0) -> float:
    sim.GrassrootsModel(rng=seed, scenario={**COLLAPSE, "days": 30, "policy_start_day": 30}).run()  # load the compiled kernels (a constant, not growth)
    tracemalloc.start()
    t = time.perf_counter()
    m = sim.GrassrootsModel(rng=seed, scenario=COLLAPSE)
    readings, rest = {}, {}
    for year in (1, 2, 5, 10):
        m.run(year * 365 - m.day - (year == 10))  # the last reading before the last day's DataCollector copy
        readings[year] = tracemalloc.get_traced_memory()[0] / 1e6
        rest[year] = readings[year] - m.county.queue.nbytes / 1e6
        print(f"year {year:2d}: {readings[year]:8.1f} MB traced ({rest[year]:.1f} MB besides the queue),"
              f" backlog {m.recorder.latest()[sim.COLUMNS.index('service_backlog')]:10.0f}"
              f" requests, queue {m.county.queue.shape[0]} ages"
              f" ({m.county.queue.nbytes / 1e6:.1f} MB: one row of villages per day the oldest request has waited), {time.perf_counter() - t:6.1f} s")
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    ratio = readings[10] / readings[2]
    print(f"peak {peak:.1f} MB; ratio memory year 10 / year 2 = {ratio:.2f}, besides the queue {rest[10] / rest[2]:.2f}"
          "  (target: about 1, flat)")
    return ratio


if __name__ == "__main__":
    main()
