"""One run of one scenario with one seed, to the end: the summary outcomes and the daily record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from sim.core.model import GrassrootsModel
from sim.core.record import summarise
from sim.core.scenario import Scenario


@dataclass
class RunResult:
    """One run: the scenario, the seed, the summary outcomes (floats) and the daily record."""

    scenario: Scenario
    seed: int
    days: int
    summary: dict[str, float]
    timeseries: pd.DataFrame = field(repr=False)


def simulate(s: Scenario, *, seed: int = 0, days: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Run scenario `s` with one seed; `days` cuts the run short (summary windows follow the days actually run)."""
    if days is not None:
        if days < 1 or days > s.days:
            raise ValueError(f"days: must be between 1 and the scenario's days ({s.days}), got {days}")
    model = GrassrootsModel(rng=seed, setup=s)
    end = s.days if days is None else days
    step = max(1, end // 100)
    for t in range(end):
        model.step()
        if progress is not None and (t % step == 0 or t == end - 1):
            progress(t + 1, end)
    data = model.recorder.data[:end]
    summary = summarise(data, end, s.policy_start_day, 0)  # the spin-up ran before day 0
    return RunResult(s, int(seed), end, {k: float(v) for k, v in summary.items()}, model.recorder.frame(end))
