"""Grassroots workload: an agent-based model of how upper-level tasks flow through township and village cadres,
and what burden-reduction reforms do to service and burnout."""

from sim.core.model import GrassrootsModel
from sim.core.record import COLUMNS, HEADLINE, OUTCOMES
from sim.core.run import RunResult
from sim.core.scenario import FIELDS, LEVERS, Scenario, ScenarioError
from sim.io.loader import load_scenario
from sim.io.run import run_scenario

__version__ = "0.1.0"

__all__ = [
    "COLUMNS", "FIELDS", "HEADLINE", "LEVERS", "OUTCOMES", "GrassrootsModel", "RunResult", "Scenario",
    "ScenarioError", "load_scenario", "run_scenario", "__version__",
]
