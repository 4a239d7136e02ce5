"""Each lever alone, against the baseline, on common seeds: the per-lever table of docs/levers.md.

    python examples/lever_effects.py --replicates 10 --workers 2 --out results/lever_effects

Runs scenarios/baseline.toml and, for every lever, the baseline with that one lever set (values below), on
seeds 0..N-1; writes differences.csv / runs.parquet (the same tables `python -m sim compare` writes) and prints
a Markdown table of the paired differences after the reform day, mean and 95% t-interval.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
import sim  # noqa: E402
from sim.exploration.compare import paired_differences, run_many, summaries  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# One value per lever: the reform scenarios' values where they exist (S0-S4, 2024 rules), else a clear test.
SINGLE = {
    "document_cut": {"document_cut": 0.3},
    "meeting_cut": {"meeting_cut": 0.3},
    "meeting_consolidation": {"meeting_consolidation": True},
    "video_conferencing": {"video_conferencing": 0.9},
    "inspection_cut": {"inspection_cut": 0.3},
    "no_video_ppt": {"no_video_ppt": True},
    "form_dedup": {"form_dedup": 0.8},
    "app_cap": {"app_cap": 4},
    "paperless": {"paperless": True},
    "duty_list": {"duty_list": True},
    "plaque_cap": {"plaque_cap": 4},
    "secondment_ban": {"secondment_ban": True},
    "accountability": {"accountability": 0.4},
    "error_tolerance": {"error_tolerance": 0.5},
    "grid_purchase": {"grid_purchase": 3},
    "patrol_office_separation": {"patrol_office_separation": True},
    "training": {"training": 0.7},
    "extra_staff": {"extra_staff": 1},
    "cuts + displacement 0.5": {"document_cut": 0.3, "meeting_cut": 0.3, "inspection_cut": 0.3, "displacement": 0.5},
}
COLUMNS = ("exhaustion_mean", "overtime_hours_per_cadre_week", "service_resolved_share", "response_days_mean",
           "formalism_share", "hours_form_cadre_day")


def cell(row) -> str:
    return f"{row['difference']:+.3g} ({row['ci_low']:+.3g}, {row['ci_high']:+.3g})"


def markdown(diffs, columns=COLUMNS) -> str:
    after = diffs[diffs["window"] == "after"].set_index(["scenario", "outcome"])
    lines = ["| lever | " + " | ".join(f"`{c}`" for c in columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name in dict.fromkeys(diffs["scenario"]):
        lines.append(f"| {name} | " + " | ".join(cell(after.loc[(name, c)]) for c in columns) + " |")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replicates", type=int, default=10)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", default=None)
    a = p.parse_args()
    base = ROOT / "scenarios" / "baseline.toml"
    scenarios = [sim.load_scenario(base)] + [sim.load_scenario(base, **kw) for kw in SINGLE.values()]
    runs = summaries(run_many(scenarios, range(a.replicates), workers=a.workers), ["baseline", *SINGLE])
    diffs = paired_differences(runs)
    if a.out:
        out = Path(a.out)
        out.mkdir(parents=True, exist_ok=True)
        diffs.to_csv(out / "differences.csv", index=False)
        runs.to_parquet(out / "runs.parquet", index=False)
    ref = diffs[diffs["window"] == "after"].drop_duplicates("outcome").set_index("outcome")["reference_mean"]
    print("baseline after the reform day: " + ", ".join(f"{c} {ref[c]:.3g}" for c in COLUMNS))
    print(markdown(diffs))


if __name__ == "__main__":
    main()
