"""Mechanism 6, accountability: overdue tasks, discovered fakes (which also come back as rework, 整改),
specialist errors, complaints and incidents are accountability events; their stress scales with the intensity, less what error tolerance forgives, and decays slowly.
Stress makes cadres defensive: less weight on residents (the trace side is in `levers.regime`)."""

from __future__ import annotations

import numpy as np


def discover_fakes(fake_stock: np.ndarray, discovery: float, inspection_factor: float,
                   fake_hours: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Fakes found today: a share of the stock, scaled by how many inspections run today, and the work they
    needed (the same share of `fake_hours`). In place."""
    share = min(1.0, discovery * inspection_factor)
    found = fake_stock * share
    fake_stock -= found
    if fake_hours is None:
        return found, np.zeros_like(found)
    found_h = fake_hours * share
    fake_hours -= found_h
    return found, found_h


def rework(stock: np.ndarray, found_fakes: np.ndarray, found_hours: np.ndarray, kind: int, share: float) -> None:
    """整改: each discovered fake comes back to its cadre as a fresh task of `kind` (inspection: it is checked
    again) needing `share` of the faked work's hours; `stock` is the county's (2, 2, 5, N) in-tray. In place."""
    stock[0, 1, kind] += found_fakes
    stock[1, 1, kind] += found_hours * share


def accountability_events(overdue: np.ndarray, found_fakes: np.ndarray, errors: np.ndarray,
                          fake_found_weight: float) -> np.ndarray:
    """Events per cadre today: a discovered fake counts `fake_found_weight` overdue tasks (虚假整改 is punished)."""
    return overdue + fake_found_weight * found_fakes + errors


def update_stress(stress: np.ndarray, events: np.ndarray, intensity: float, forgiven: float,
                  decay: float) -> np.ndarray:
    """Stress stock: keeps `decay` of itself a day, rises with today's events. Returns today's added stress.
    In place."""
    added = events * (intensity * (1.0 - forgiven))
    stress *= decay
    stress += added
    return added


def service_orientation(base: float, stress: np.ndarray, defensiveness: float, half: float) -> np.ndarray:
    """Priority weight on residents: falls as stress makes a cadre defensive (S0), but is bounded: at most the
    share `defensiveness` of it is lost, half of that at stress `half`. An unbounded fall (base / (1 + d x
    stress)) let a stressed county stop serving residents altogether: the knife edge of issue 9."""
    return base * (1.0 - defensiveness * (stress / (stress + half)))


def complaint_events(complaints_of_village: np.ndarray, filled: np.ndarray, weight: float, cadres: int) -> np.ndarray:
    """Accountability events on each village cadre from the village's complaints (信访 brings accountability
    down on the village, S0): `weight` events per complaint, shared by the village's cadres."""
    return complaints_of_village * filled * (weight / max(cadres, 1))


def incident_events(incidents: float, missed_visits: np.ndarray, filled: np.ndarray, weight: float,
                    cadres: int, v_slots: int) -> np.ndarray:
    """Accountability events on each village cadre (slot-major, (v_slots * V,)) from today's incidents: the
    county's incidents land on villages in proportion to their missed visits (S4: the village that did not
    visit answers for it), `weight` events per incident shared by the village's cadres."""
    total = float(missed_visits.sum())
    if incidents <= 0 or total <= 0:
        return np.zeros(len(filled))
    per_village = incidents * (missed_visits / total) * (weight / max(cadres, 1))
    return np.tile(per_village, v_slots) * filled


def petitions(past_limit: np.ndarray, complaint_share: float, effort_petition: float,
              effort_campaign: float) -> tuple[np.ndarray, np.ndarray]:
    """Residents whose request passed the service limit today complain (信访) with probability
    `complaint_share`: returns (complaints per village, tomorrow's petition tasks per village in campaign
    units). A complaint comes back down as an upper task to the village (S0)."""
    complaints = past_limit * complaint_share
    return complaints, complaints * (effort_petition / effort_campaign)
