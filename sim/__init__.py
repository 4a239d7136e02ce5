"""Grassroots workload: an agent-based model of how upper-level tasks flow through township and village cadres,
and what burden-reduction reforms do to service and burnout.

The public names load on first use (PEP 562), so that `python -m sim --help` and a one-line input error do not
wait for Mesa, pandas and the compiled kernels."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_WHERE = {
    "GrassrootsModel": "sim.core.model",
    "COLUMNS": "sim.core.record", "HEADLINE": "sim.core.record", "OUTCOMES": "sim.core.record",
    "RunResult": "sim.core.run",
    "FIELDS": "sim.core.scenario", "LEVERS": "sim.core.scenario", "Scenario": "sim.core.scenario",
    "ScenarioError": "sim.core.scenario",
    "load_scenario": "sim.io.loader",
    "run_scenario": "sim.io.run",
}

__all__ = [
    "COLUMNS", "FIELDS", "HEADLINE", "LEVERS", "OUTCOMES", "GrassrootsModel", "RunResult", "Scenario",
    "ScenarioError", "load_scenario", "run_scenario", "__version__",
]

if TYPE_CHECKING:
    from sim.core.model import GrassrootsModel
    from sim.core.record import COLUMNS, HEADLINE, OUTCOMES
    from sim.core.run import RunResult
    from sim.core.scenario import FIELDS, LEVERS, Scenario, ScenarioError
    from sim.io.loader import load_scenario
    from sim.io.run import run_scenario


def __getattr__(name: str):
    if name == "__version__":  # pyproject.toml's version, as installed
        from sim.io.provenance import package_version

        return package_version()
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
