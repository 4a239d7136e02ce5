"""Mechanism 9, grid patrol: patrol hours find problems that become service requests; cadres who must also
fix what they find find fewer, the more so the more of their hours go to fixing (S4; patrol/office separation
lifts that); purchased professionals patrol too."""

from __future__ import annotations

import numpy as np

from sim.core.jit import kernel


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


def patrol_day(proactive_hours: np.ndarray, service_hours: np.ndarray, visit_need: np.ndarray,
               proactive_need: np.ndarray, professional_hours: np.ndarray, base: float, fix_penalty: float,
               professional_discovery: float) -> tuple[np.ndarray, np.ndarray]:
    """A workday's patrol in every village in one compiled pass: proactive hours split into visits and patrol
    (`split_visits_and_patrol`), finds per patrol hour lowered by the fixing share (`fixing_share`,
    `discovery`), problems found (`problems_found`). Returns (visit hours, problems found), each (V,)."""
    visit_hours, found = np.empty(len(proactive_hours)), np.empty(len(proactive_hours))
    _patrol_day(proactive_hours, service_hours, visit_need, proactive_need, professional_hours, float(base),
                float(fix_penalty), float(professional_discovery), visit_hours, found)
    return visit_hours, found


@kernel
def _patrol_day(proactive_hours, service_hours, visit_need, proactive_need, professional_hours, base, fix_penalty,
                professional_discovery, visit_hours, found) -> None:
    """`patrol_day` one village at a time, each operation as in the step-by-step functions."""
    for v in range(len(proactive_hours)):
        p = proactive_hours[v]
        visit = p * (visit_need[v] / max(proactive_need[v], 1e-12))
        visit_hours[v] = visit
        total = service_hours[v] + p
        share = service_hours[v] / total if total > 0 else 0.0
        found[v] = (p - visit) * (base * (1.0 - fix_penalty * share)) + professional_hours[v] * professional_discovery
