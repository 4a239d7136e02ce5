"""run_scenario: the plain-function entry point (sweeps, SALib, EMA Workbench call it); reads the scenario file."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.core.run import RunResult, simulate
from sim.core.scenario import Scenario, ScenarioError, short_repr
from sim.io.loader import load_scenario

MAX_SEED = 2**128 - 1  # numpy's SeedSequence takes any non-negative integer; 128 bits is all its entropy holds


def check_seed(seed: Any, where: str = "seed") -> int:
    """A seed as an int, or ScenarioError naming `seed`: a non-negative integer (None would not reproduce)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= int(seed) <= MAX_SEED:
        hint = " (None would draw a new seed each run, which cannot be reproduced)" if seed is None else ""
        raise ScenarioError(f"{where}: must be a non-negative integer below 2**128, got "
                            f"{type(seed).__name__} {short_repr(seed)}{hint}")
    return int(seed)


def run_scenario(scenario: str | Path | dict[str, Any] | Scenario | None = None, *, seed: int = 0,
                 days: int | None = None, progress: Callable[[int, int], None] | None = None,
                 **fields: Any) -> RunResult:
    """Run one scenario (a TOML path, a dict of fields over the defaults, or a Scenario; keyword fields win)
    with one seed. `days` is the scenario field: it sets the run's length, and the reform day and warm-up follow
    it unless the scenario sets them (one rule with the field and `--days`)."""
    seed = check_seed(seed)
    if days is not None:
        fields = {"days": days, **fields}
    return simulate(load_scenario(scenario, **fields), seed=seed, progress=progress)
