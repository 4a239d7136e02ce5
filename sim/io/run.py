"""run_scenario: the plain-function entry point (sweeps, SALib, EMA Workbench call it); reads the scenario file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.core.run import RunResult, simulate
from sim.core.scenario import Scenario
from sim.io.loader import load_scenario


def run_scenario(scenario: str | Path | dict[str, Any] | Scenario | None = None, *, seed: int = 0,
                 days: int | None = None, progress: Callable[[int, int], None] | None = None,
                 **fields: Any) -> RunResult:
    """Run one scenario (a TOML path, a dict of fields over the defaults, or a Scenario; keyword fields win)
    with one seed; `days` cuts the run short (summary windows follow the days actually run)."""
    return simulate(load_scenario(scenario, **fields), seed=seed, days=days, progress=progress)
