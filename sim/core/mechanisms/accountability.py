"""Mechanism 6, accountability: overdue tasks, discovered fakes and specialist errors are accountability
events; their stress scales with the intensity, less what error tolerance forgives, and decays slowly.
Stress makes cadres defensive: less weight on residents (the trace side is in `levers.regime`)."""

from __future__ import annotations

import numpy as np

FAKE_FOUND_WEIGHT = 3.0  # a discovered fake counts as three overdue tasks (assumption; 虚假整改 is punished)
STRESS_DECAY = 0.95  # a day's stress fades with a half-life of about two weeks (assumption)


def discover_fakes(fake_stock: np.ndarray, discovery: float, inspection_factor: float) -> np.ndarray:
    """Fakes found today: a share of the stock, scaled by how many inspections run today. In place."""
    found = fake_stock * min(1.0, discovery * inspection_factor)
    fake_stock -= found
    return found


def accountability_events(overdue: np.ndarray, found_fakes: np.ndarray, errors: np.ndarray) -> np.ndarray:
    """Events per cadre today."""
    return overdue + FAKE_FOUND_WEIGHT * found_fakes + errors


def update_stress(stress: np.ndarray, events: np.ndarray, intensity: float, forgiven: float) -> np.ndarray:
    """Stress stock: decays, rises with today's events. Returns today's added stress. In place."""
    added = events * (intensity * (1.0 - forgiven))
    stress *= STRESS_DECAY
    stress += added
    return added


def service_orientation(base: float, stress: np.ndarray, defensiveness: float) -> np.ndarray:
    """Priority weight on residents: falls as stress makes a cadre defensive (S0)."""
    return base / (1.0 + defensiveness * stress)


def petitions(past_limit: np.ndarray, complaint_share: float, effort_petition: float,
              effort_campaign: float) -> tuple[np.ndarray, np.ndarray]:
    """Residents whose request passed the service limit today complain (信访) with probability
    `complaint_share`: returns (complaints per village, tomorrow's petition tasks per village in campaign
    units). A complaint comes back down as an upper task to the village (S0)."""
    complaints = past_limit * complaint_share
    return complaints, complaints * (effort_petition / effort_campaign)
