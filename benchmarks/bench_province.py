"""Cost per cadre-day of a province (1,200 townships x 20 villages x 5 cadres, ~156,000 cadres) against the
default county, in one process, default environment, same seed, repeats interleaved, best and median of 5; and
the province's peak memory. The province runs `DAYS` days, the county its full 730; each also runs its
`warmup_days` (180) of unreported spin-up at set-up. Both are charged for set-up and every simulated day, the
warm-up days included (a day simulated is a day simulated): charging the province's 200 simulated days to its 20
reported ones would overstate its cost tenfold and the county's by a quarter. Target: ratio <= 1.0, peak
memory < 2 GB.   Run: .venv/bin/python benchmarks/bench_province.py [--days 730 --repeats 1] (the full two
years of the province: about a minute a repeat on one core)
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

import sim

PROVINCE = {"n_townships": 1200, "villages_per_township": 20, "village_cadres": 5, "days": 730}
DAYS = 20  # province days timed (cost reported per cadre-day)


def per_cadre_day(fields: dict, days: int, seed: int) -> float:
    """Seconds per simulated cadre-day: set-up (with its warm-up days) and `days` reported days."""
    t = time.perf_counter()
    m = sim.GrassrootsModel(rng=seed, setup=fields)
    m.run(days)
    return (time.perf_counter() - t) / ((days + m.params.warmup_days) * m.county.n_cadres)


def main(repeats: int = 5, seed: int = 0, days: int = DAYS) -> float:
    county = sim.Scenario().days
    per_cadre_day({}, county, seed)  # warm caches and imports
    c_times, p_times = [], []
    for _ in range(repeats):
        c_times.append(per_cadre_day({}, county, seed))
        p_times.append(per_cadre_day(PROVINCE, days, seed))
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux
    cb, pb = min(c_times), min(p_times)
    cm, pm = statistics.median(c_times), statistics.median(p_times)
    n = sim.GrassrootsModel(rng=seed, setup=PROVINCE).county.n_cadres
    warm = sim.Scenario().warmup_days
    print(f"province: {n} cadres, {days} days; county: {sim.GrassrootsModel(rng=0).county.n_cadres} cadres, {county} days;"
          f" each after {warm} warm-up days, counted as simulated days")
    print(f"county   per cadre-day: best {cb * 1e6:.3f} us, median {cm * 1e6:.3f} us")
    print(f"province per cadre-day: best {pb * 1e6:.3f} us, median {pm * 1e6:.3f} us")
    print(f"ratio province / county: best {pb / cb:.2f}, median {pm / cm:.2f}  (target <= 1.0)")
    print(f"peak memory of this process: {peak_gb:.2f} GB  (target < 2 GB)")
    return pb / cb


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=DAYS, help=f"province days (default {DAYS}; the scenario's 730 at most)")
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    main(repeats=a.repeats, days=a.days)
