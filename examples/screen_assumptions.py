"""Local one-at-a-time screening of the baseline's assumptions: which numbers that BRIEF.md does not give move the
headline outcomes most?

Every scenario field whose source says "assumption" or "calibrated" (and that the model reads in the 2018 baseline) is moved
-20% and +20% from its baseline value, one at a time, on common seeds; the effect on each headline outcome is
the elasticity (y(+20%) - y(-20%)) / (0.4 * |y(0)|), averaged over seeds. Fields are ranked by their largest
elasticity over the headline outcomes. A local screen, not a global one (SALib's Morris or Sobol for that):
it finds the assumptions to test reforms against (issue 9: no reform's direction may flip under +-20% on them).

    .venv/bin/python examples/screen_assumptions.py --seeds 3 --townships 6 --days 425 --workers 2 \
        --out results/screening.csv
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.scenario import FIELDS, Scenario, field_info, make_scenario
from sim.exploration.compare import run_many
from sim.io.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
HEADLINE = ("service_resolved_share", "response_days_mean", "service_backlog_mean", "burnout_share",
            "exhaustion_mean", "quits", "overtime_hours_per_cadre_week", "fake_completion_share",
            "proof_of_work_share")
# assumptions that cannot move the baseline's headline outcomes: output windows, reporting thresholds, prices,
# and fields only levers read
INERT = ("warmup_days", "moderate_threshold", "salary_township_cadre", "salary_village_cadre", "grid_worker_price",
         "cooperation_effort", "returned_workload", "returned_pushback", "paperless_doc_saving", "specialist_speedup",
         "training_buffer", "professional_discovery", "professional_hours")


# the weight a cadre gives residents and how far stress lowers it (accountability.service_orientation)
WATCH = ("service_orientation", "defensiveness", "stress_half")


def assumptions() -> list[str]:
    """Numeric fields whose source is an assumption, or "calibrated" (set to meet a target, so not given by
    BRIEF.md either), minus the inert ones."""
    out = []
    for name in FIELDS:
        info = field_info(name)
        ann = Scenario.model_fields[name].annotation
        source = str(info.get("source", "")).lower()
        if ("assumption" in source or source.startswith("calibrated")) and ann in (int, float) and name not in INERT:
            out.append(name)
    return out


def kind(name: str) -> str:
    """'calibrated' (set to meet a target) or 'assumption'."""
    return "calibrated" if str(field_info(name).get("source", "")).lower().startswith("calibrated") else "assumption"


def moved(base: Scenario, name: str, factor: float) -> Scenario:
    """The base scenario with one field times `factor`, kept in the field's bounds (integers rounded)."""
    info = field_info(name)
    v = getattr(base, name) * factor
    lo, hi = info.get("ge", info.get("gt", -math.inf)), info.get("le", info.get("lt", math.inf))
    v = min(max(v, lo), hi)
    if Scenario.model_fields[name].annotation is int:
        v = int(round(v))
    return make_scenario({**base.fields(), name: v}, f"{name} x {factor:g}")


def screen(base: Scenario, seeds: list[int], workers: int) -> pd.DataFrame:
    """One row per field x outcome: mean elasticity over seeds, and the outcome at -20%, 0 and +20%."""
    names = assumptions()
    scenarios = [base] + [moved(base, n, f) for n in names for f in (0.8, 1.2)]
    done = [0]

    def progress(n: int, total: int) -> None:
        if n - done[0] >= max(1, total // 20) or n == total:
            done[0] = n
            print(f"  {n}/{total} runs", file=sys.stderr)

    results = run_many(scenarios, seeds, None, workers, progress)
    table = {(i, seed): out for i, seed, out in results}
    rows = []
    for j, name in enumerate(names):
        lo_i, hi_i = 1 + 2 * j, 2 + 2 * j
        for outcome in HEADLINE:
            key = f"{outcome}_before"
            y0 = np.array([table[(0, s)][key] for s in seeds])
            ylo = np.array([table[(lo_i, s)][key] for s in seeds])
            yhi = np.array([table[(hi_i, s)][key] for s in seeds])
            scale = np.maximum(np.abs(y0), 1e-9)
            el = (yhi - ylo) / (0.4 * scale)
            rows.append({"field": name, "outcome": outcome, "elasticity": float(np.nanmean(el)),
                         "low": float(np.nanmean(ylo)), "base": float(np.nanmean(y0)), "high": float(np.nanmean(yhi)),
                         "kind": kind(name), "source": field_info(name).get("source", "")})
    return pd.DataFrame(rows)


def ranking(df: pd.DataFrame, exclude: tuple[str, ...] = ()) -> pd.DataFrame:
    """Fields ranked by their largest |elasticity| over the headline outcomes (`exclude` left out of the max)."""
    part = df[~df["outcome"].isin(exclude)].assign(abs_el=lambda d: d["elasticity"].abs())
    idx = part.groupby("field")["abs_el"].idxmax()
    top = part.loc[idx, ["field", "outcome", "elasticity", "low", "base", "high"]]
    mean_abs = part.groupby("field")["abs_el"].mean().rename("mean_abs_elasticity")
    return top.join(mean_abs, on="field").sort_values("elasticity", key=abs, ascending=False).reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--townships", type=int, default=6)
    ap.add_argument("--days", type=int, default=425, help="run length; the whole run after the warm-up is the window")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--out", default=None, help="CSV of every field x outcome")
    ap.add_argument("--ranks-only", default=None, metavar="CSV", help="re-rank a CSV written by --out, no runs")
    args = ap.parse_args(argv)
    if args.ranks_only:
        report(pd.read_csv(args.ranks_only), args.top)
        return 0
    base = load_scenario(ROOT / "scenarios" / "baseline.toml", n_townships=args.townships, days=args.days,
                         policy_start_day=args.days - 1)  # the reform day must leave a day after it: no lever is set
    seeds = list(range(args.seeds))
    print(f"screening {len(assumptions())} assumptions x (-20%, +20%) x {len(seeds)} seeds on {args.townships} "
          f"townships, {args.days} days", file=sys.stderr)
    df = screen(base, seeds, args.workers)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(args.out, index=False)
    report(df, args.top)
    return 0


def report(df: pd.DataFrame, top_n: int) -> None:
    """Print the rankings: every not-sourced number, then the 'assumption' ones alone; with and without quits."""
    pd.set_option("display.width", 200)
    if "kind" not in df.columns:
        df = df.assign(kind=[kind(f) for f in df["field"]])
    fmt = {"float_format": lambda x: f"{x:.3g}", "index": False}
    for who, part in (("assumptions and calibrated numbers", df), ("'assumption' fields only", df[df["kind"] == "assumption"])):
        for title, exclude in (("all headline outcomes", ()), ("without quits (a small count: large elasticities)", ("quits",))):
            rank = ranking(part, exclude).merge(part[["field", "kind"]].drop_duplicates(), on="field")
            print(f"\nTop {top_n} {who} by largest |elasticity|, {title}:")
            print(rank.head(top_n).to_string(**fmt))
    # Service priority under stress (issue 9): how much a stressed cadre's weight on residents falls is an
    # assumption (S0 gives only the direction: defensive cadres act less); shown here with its rank
    rank_all = ranking(df, ("quits",)).reset_index(drop=True)
    print("\nService priority under stress (assumptions; S0 gives the direction only), rank without quits:")
    for name in WATCH:
        hit = rank_all.index[rank_all["field"] == name]
        if len(hit):
            row = rank_all.loc[hit[0]]
            print(f"  {name:22s} rank {hit[0] + 1:3d} of {len(rank_all)}  largest |elasticity| {abs(row['elasticity']):.3g} "
                  f"({row['outcome']})")
    wide = df.pivot(index="field", columns="outcome", values="elasticity")
    top = ranking(df, ("quits",)).head(top_n)["field"]
    print(f"\nElasticities of the top {top_n} (without quits) on every headline outcome:")
    print(wide.loc[top, list(HEADLINE)].to_string(float_format=lambda x: f"{x:+.2f}"))


if __name__ == "__main__":
    raise SystemExit(main())
