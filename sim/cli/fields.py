"""`python -m sim fields [--markdown]`: every scenario field with its default, unit, range and source."""

from __future__ import annotations

import argparse

from sim.core.scenario import FIELDS, LEVERS, field_info


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--markdown", action="store_true", help="print the table of docs/scenario.md")


def allowed(info: dict) -> str:
    """The range of a field as 'lo .. hi' ('' when unbounded), '>' / '<' for strict bounds."""
    lo, hi = info.get("ge", info.get("gt")), info.get("le", info.get("lt"))
    if lo is None and hi is None:
        return ""
    left = "" if lo is None else (f"{lo}" if "ge" in info else f">{lo}")
    right = "" if hi is None else (f"{hi}" if "le" in info else f"<{hi}")
    return f"{left} .. {right}"


def table() -> str:
    """docs/scenario.md, generated from sim/core/scenario.py."""
    lines = [
        "# Scenario fields",
        "",
        "Generated from `sim/core/scenario.py` by `./grassroots fields --markdown`; a test keeps it in step. A scenario",
        "file (TOML) sets any of these at its top level; `extends = \"baseline.toml\"` starts from another file.",
        "Levers (marked) are off by default and act from `policy_start_day`. \"assumption\" marks a number that",
        "`shared/domain/BRIEF.md` does not give, set so the baseline meets the calibration targets (docs/ODD.md).",
        "",
        "One rule for the run's windows, whoever sets `days` (a file, an experiment, `--days`, `mesa.batch_run`):",
        "`policy_start_day` left unset is the middle of the run (`days // 2`: 365 of 730); both windows must hold a",
        "day (`0 < policy_start_day < days`). `warmup_days` are run before day 0, unreported, whatever the run's",
        "length (a warm start). Amounts without a range of their own lie in [0 or 0.001, 1000], the range the",
        "model's float32 arithmetic computes without overflow or division by ~0; deadlines are at least 1 day.",
        "",
        "| field | default | unit | allowed | source |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in FIELDS:
        info = field_info(name)
        lo = info.get("ge", info.get("gt"))
        hi = info.get("le", info.get("lt"))
        allowed = "" if lo is None and hi is None else f"{'' if lo is None else lo} .. {'' if hi is None else hi}"
        default = info["default"]
        if isinstance(default, dict):
            default = "; ".join(f"{k}: {v}" for k, v in default.items())
        mark = " (lever)" if name in LEVERS else ""
        lines.append(f"| `{name}`{mark} | {default} | {info.get('unit', '')} | {allowed} | {info.get('source', '')} |")
    return "\n".join(lines) + "\n"


def main(args: argparse.Namespace) -> int:
    if args.markdown:
        print(table(), end="")
        return 0
    print(f"{'field':30s} {'default':>12s}  {'unit':24s} {'range':12s} source")
    for name in FIELDS:
        info = field_info(name)
        default = info["default"]
        if isinstance(default, dict):
            default = "(table)"
        mark = "*" if name in LEVERS else " "
        print(f"{name + mark:30s} {default!s:>12.12}  {info.get('unit', '')!s:24.24} {allowed(info):12s} "
              f"{info.get('source', '')}")
    print("* lever (off by default, acts from policy_start_day); full table: --markdown or docs/scenario.md")
    return 0
