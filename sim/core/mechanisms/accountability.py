"""Mechanism 6, accountability: overdue tasks, discovered fakes (which also come back as rework, 整改),
specialist errors, complaints and incidents are accountability events; their stress scales with the intensity, less what error tolerance forgives, and decays slowly.
Stress makes cadres defensive: less weight on residents (the trace side is in `levers.regime`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.core.jit import kernel
from sim.core.levers import INSP, SPEC


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


def complaint_events(complaints: np.ndarray, filled: np.ndarray, weight: float, cadres: int,
                     out: np.ndarray | None = None) -> np.ndarray:
    """Accountability events on each village cadre (slot-major, (v_slots * V,)) from her village's complaints
    (`complaints` (V,); 信访 brings accountability down on the village, S0): `weight` events per complaint,
    shared by the village's cadres; empty slots get none. Written into `out` if given."""
    out = np.empty(len(filled)) if out is None else out
    if not out.flags.c_contiguous:  # the kernel writes through a (slots, V) view of it
        raise ValueError("complaint_events: out must be a contiguous array")
    _complaint_events(complaints, filled, weight / max(cadres, 1), out)
    return out


@kernel
def _complaint_events(complaints, filled, share, out) -> None:
    """`complaint_events`: each slot's village's complaints x filled x share, in that order."""
    V = complaints.shape[0]
    out_sv, filled_sv = out.reshape(-1, V), filled.reshape(-1, V)  # (slots, V): slot-major
    for s in range(out_sv.shape[0]):
        for v in range(V):
            out_sv[s, v] = complaints[v] * (1.0 if filled_sv[s, v] else 0.0) * share


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


def stress_day(stress: np.ndarray, fake_stock: np.ndarray, fake_work: np.ndarray, overdue: np.ndarray,
               done: np.ndarray, complaint_events: np.ndarray, r: Any, inspection_factor: float,
               fake_found_weight: float, decay: float, stock: np.ndarray, filled: np.ndarray,
               rework_share: float) -> tuple[np.ndarray, np.ndarray]:
    """The day's accountability for every cadre in one compiled pass, in place: fakes found and the work they
    needed (`discover_fakes`); with `rework_share` > 0, the found fakes of the slots `filled` come back as fresh
    inspection-kind tasks in the in-tray `stock` (2, 2, 5, N) (`rework`, 整改); events from tasks fallen overdue
    today (`overdue` (5, N) counts), found fakes, specialist errors (a share `r.specialist_error` of the
    specialist tasks `done` (2, 5, N) today) and yesterday's complaints and incidents, and the stress they add
    (`accountability_events`, `update_stress`). Returns (found, stress added)."""
    n = len(stress)
    found, added = np.empty(n), np.empty(n)
    _stress_day(stress, fake_stock, fake_work, overdue, done, complaint_events,
                min(1.0, r.fake_discovery * inspection_factor), np.float32(r.specialist_error), float(fake_found_weight),
                float(r.accountability * (1.0 - r.forgiven)), float(decay), stock, filled, float(rework_share),
                found, added)
    return found, added


@kernel
def _stress_day(stress, fake_stock, fake_work, overdue, done, complaint_events, found_share, specialist_error,
                fake_found_weight, intensity, decay, stock, filled, rework_share, found, added) -> None:
    """`stress_day` one cadre at a time, in the dtypes and order of the numpy code it replaced (overdue tasks
    added kind after kind in float32, like the stocks; the rework added to the float32 stock in float64)."""
    k, n = overdue.shape
    late = overdue[0].copy()  # tasks fallen overdue today, kind after kind (the loop over cadres inside: it vectorises)
    for j in range(1, k):
        row = overdue[j]
        for i in range(n):
            late[i] += row[i]
    n_insp, h_insp, spec_late, spec_fresh = stock[0, 1, INSP], stock[1, 1, INSP], done[0, SPEC], done[1, SPEC]
    for i in range(n):
        f = fake_stock[i] * found_share
        fake_stock[i] -= f
        fh = fake_work[i] * found_share
        fake_work[i] -= fh
        if rework_share > 0.0:  # 整改: only the found fakes of slots in post come back (and count as found)
            in_post = 1.0 if filled[i] else 0.0
            f = f * in_post
            n_insp[i] += f
            h_insp[i] += fh * in_post * rework_share
        found[i] = f
        errors = (spec_late[i] + spec_fresh[i]) * specialist_error
        events = late[i] + fake_found_weight * f
        events += errors
        events += complaint_events[i]
        a = events * intensity
        added[i] = a
        stress[i] = stress[i] * decay + a
