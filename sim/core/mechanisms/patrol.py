"""Mechanism 9, grid patrol: patrol hours find problems that become service requests; cadres who must also
fix what they find find fewer, the more so the more of their hours go to fixing (S4; patrol/office separation
lifts that); purchased professionals patrol too."""

from __future__ import annotations

import numpy as np


def patrol_need(grids: np.ndarray, hours_per_grid_week: float) -> np.ndarray:
    """Patrol hours each village owes per workday."""
    return grids * hours_per_grid_week / 5.0


def proactive_need(visit_need: np.ndarray, patrol_need: np.ndarray, professional_hours: np.ndarray) -> np.ndarray:
    """Hours of proactive work each village's cadres owe on a workday: visits, and the patrol that purchased
    professionals do not cover."""
    return visit_need + np.maximum(patrol_need - professional_hours, 0.0)


def split_visits_and_patrol(proactive_hours: np.ndarray, visit_need: np.ndarray, proactive_need: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A village's proactive hours split into (visit hours, patrol hours) in proportion to what each needs."""
    visit_hours = proactive_hours * (visit_need / np.maximum(proactive_need, 1e-12))
    return visit_hours, proactive_hours - visit_hours


def fixing_share(service_hours: np.ndarray, proactive_hours: np.ndarray) -> np.ndarray:
    """Per village: the share of its cadres' resident-facing hours (service and proactive) spent fixing, i.e. on
    resident service (0 where no such hours were worked)."""
    total = service_hours + proactive_hours
    return np.divide(service_hours, total, out=np.zeros_like(total), where=total > 0)


def discovery(base: float, fix_penalty: float, fix_share: np.ndarray) -> np.ndarray:
    """Problems found per patrol hour in each village: a cadre who must also fix loses `fix_penalty` x the
    fixing share of the finds (S4: the finder is the fixer, so finding less is working less)."""
    return base * (1.0 - fix_penalty * fix_share)


def problems_found(cadre_hours: np.ndarray, discovery: float | np.ndarray, professional_hours: np.ndarray,
                   professional_discovery: float) -> np.ndarray:
    """Expected problems found today per village (`discovery`: per cadre patrol hour, one rate or one per village)."""
    return cadre_hours * discovery + professional_hours * professional_discovery
