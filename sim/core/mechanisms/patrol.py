"""Mechanism 9, grid patrol: patrol hours find problems that become service requests; a cadre who must also
fix what they find finds fewer (patrol/office separation lifts that); purchased professionals patrol too."""

from __future__ import annotations

import numpy as np


def patrol_need(grids: np.ndarray, hours_per_grid_week: float) -> np.ndarray:
    """Patrol hours each village owes per workday."""
    return grids * hours_per_grid_week / 5.0


def problems_found(cadre_hours: np.ndarray, discovery: float, professional_hours: np.ndarray,
                   professional_discovery: float) -> np.ndarray:
    """Expected problems found today per village."""
    return cadre_hours * discovery + professional_hours * professional_discovery
