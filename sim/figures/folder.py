"""The figures of any output folder (run, compare or sweep), drawn from its tables in the language asked for:
what `sim plot` saves and `sim report` embeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from sim.io.tables import has_reform


def manifest(folder: str | Path) -> dict[str, Any]:
    return json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))


def kind(folder: str | Path) -> str:
    """'run', 'compare' or 'sweep' (by the command its manifest names; a sweep manifest names its experiment)."""
    m = manifest(folder)
    prov = m.get("provenance") or {}
    for c in (prov.get("command"), m.get("command")):
        if c in ("run", "compare", "sweep"):
            return c
    return "sweep" if "experiment" in m else "run"


def figures_of(folder: str | Path, lang: str = "en") -> dict[str, plt.Figure]:
    """Every figure of the folder by file name."""
    folder = Path(folder)
    k = kind(folder)
    if k == "run":
        from sim.figures import run

        m = manifest(folder)
        fields = json.loads((folder / "scenario.json").read_text(encoding="utf-8"))
        ts = pd.read_parquet(folder / "timeseries.parquet")
        return run.figures(ts, int(m["policy_start_day"]), has_reform(fields), lang)
    if k == "compare":
        from sim.figures import compare

        m = manifest(folder)
        diffs = pd.read_parquet(folder / "differences.parquet")
        return compare.figures(diffs, lang, {s["name"]: s.get("description", "") for s in m.get("scenarios", [])})
    from sim.figures import sweep

    return sweep.figures(folder, lang)[0]
