"""`grassroots warm-up`: compile the model's kernels for this machine now, at set-up, rather than on the first
run (issue 18). Runs a few short, small counties that call every kernel (a plain one; every reform with a duty
list and extra staff, where villages empty and residents give up), so later runs load the machine code from
the cache folder (`sim/core/jit.py`: GRASSROOTS_CACHE_DIR, a folder cluster workers can share). Nothing is
written but the cache; with the cache already filled it takes a second or two."""

from __future__ import annotations

import argparse
import time

# short counties that between them call every kernel in every version a run uses (issue 18)
WARM_UP_RUNS: list[dict] = [
    {"n_townships": 1, "days": 60, "policy_start_day": 30, "warmup_days": 10},
    {"n_townships": 2, "days": 90, "policy_start_day": 45, "warmup_days": 10, "village_cadres": 2,
     "requests_per_household_year": 8.0, "request_give_up_days": 30, "meeting_consolidation": True,
     "video_conferencing": 0.5, "duty_list": True, "extra_staff": 1, "document_cut": 0.3, "meeting_cut": 0.3,
     "inspection_cut": 0.3, "no_video_ppt": True, "plaque_cap": 4, "secondment_ban": True,
     "cooperation_effort": 0.5, "form_dedup": 0.8, "app_cap": 4, "paperless": True, "grid_purchase": 3,
     "patrol_office_separation": True, "training": 0.7},
]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quiet", action="store_true", help="print nothing when done")


def main(args: argparse.Namespace) -> int:
    import resource

    start = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    t = time.perf_counter()
    from sim.core import jit

    cold = jit.COLD_AT_IMPORT
    from sim.io.run import run_scenario

    for fields in WARM_UP_RUNS:
        run_scenario(fields, seed=0)
    if not args.quiet:
        cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime - start
        what = "compiled" if cold else "already compiled; loaded"
        print(f"kernels {what} in {time.perf_counter() - t:.1f} s ({cpu:.1f} s CPU), cache: {jit.CACHE_DIR}")
    return 0
