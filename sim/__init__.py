"""Grassroots workload: an agent-based model of how upper-level tasks flow through township and village cadres,
and what burden-reduction reforms do to service and burnout."""

from .loader import load_scenario
from .model import GrassrootsModel
from .record import COLUMNS, HEADLINE, OUTCOMES
from .run import RunResult, run_scenario
from .scenario import FIELDS, LEVERS, Scenario, ScenarioError

__version__ = "0.1.0"

__all__ = [
    "COLUMNS", "FIELDS", "HEADLINE", "LEVERS", "OUTCOMES", "GrassrootsModel", "RunResult", "Scenario",
    "ScenarioError", "load_scenario", "run_scenario", "__version__",
]
