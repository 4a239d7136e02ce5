"""run_scenario: the plain-function entry point (sweeps, SALib, EMA Workbench call it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .loader import load_scenario
from .model import GrassrootsModel
from .record import summarise
from .scenario import Scenario


@dataclass
class RunResult:
    """One run: the scenario, the seed, the summary outcomes (floats) and the daily record."""

    scenario: Scenario
    seed: int
    days: int
    summary: dict[str, float]
    timeseries: pd.DataFrame = field(repr=False)


def run_scenario(scenario: str | Path | dict[str, Any] | Scenario | None = None, *, seed: int = 0,
                 days: int | None = None, progress: Callable[[int, int], None] | None = None,
                 **fields: Any) -> RunResult:
    """Run one scenario (a TOML path, a dict of fields over the defaults, or a Scenario; keyword fields win)
    with one seed; `days` cuts the run short (summary windows follow the days actually run)."""
    s = load_scenario(scenario, **fields)
    if days is not None:
        if days < 1 or days > s.days:
            raise ValueError(f"days: must be between 1 and the scenario's days ({s.days}), got {days}")
    model = GrassrootsModel(rng=seed, scenario=s)
    end = s.days if days is None else days
    step = max(1, end // 100)
    for t in range(end):
        model.step()
        if progress is not None and (t % step == 0 or t == end - 1):
            progress(t + 1, end)
    data = model.recorder.data[:end]
    summary = summarise(data, end, s.policy_start_day, s.warmup_days)
    return RunResult(s, int(seed), end, {k: float(v) for k, v in summary.items()}, model.recorder.frame(end))

