"""Mechanism 2, cascade (层层加码): department tasks reach every township; the duty list returns some to the
department; the township keeps a share and pushes the rest to every village, with its own additions, more
effort and earlier deadlines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .levers import CAMP, SPEC, Regime


@dataclass
class Arrivals:
    """Today's upper tasks by level. Counts are task units (fluid after the Poisson draw)."""

    township_n: np.ndarray  # (5, Nt) tasks arriving at each township cadre
    township_h: np.ndarray  # (5, Nt) hours of work they carry (own work, or relaying a pushed task)
    village_n: np.ndarray  # (5, V) tasks arriving at each village
    created: np.ndarray  # (5,) tasks sent down today to township and village level, returned ones included
    returned: np.ndarray  # (5,) tasks given back to departments by the duty list
    dropped: np.ndarray  # (5,) tasks that reached a unit with nobody to take them


def cascade(county_n: np.ndarray, town_add: np.ndarray, specialist: np.ndarray, petitions: np.ndarray,
            post_share: np.ndarray, town_of_village: np.ndarray, r: Regime) -> Arrivals:
    """Route today's department tasks (5, D) and township additions (5, T) down the hierarchy."""
    T = town_add.shape[1]
    keep = 1.0 - r.returned
    per_dept = county_n * keep[:, None]
    township_n = per_dept @ post_share  # (5, Nt)
    own = (1 - r.push) * r.effort_township + r.push * r.relay_effort
    township_h = township_n * own[:, None]
    sent_down = per_dept.sum(1) * r.push  # (5,) reaching every village of every township
    village_n = (sent_down[:, None] + town_add * keep[:, None])[:, town_of_village]
    village_n *= r.village_work_factor
    village_n[SPEC] = specialist * keep[SPEC]
    village_n[CAMP] += petitions
    offered_t = per_dept.sum(1) * T
    villages_per_town = len(town_of_village) / T
    returned = county_n.sum(1) * r.returned * T + town_add.sum(1) * r.returned * r.village_work_factor * villages_per_town
    returned[SPEC] = specialist.sum() * r.returned[SPEC]
    created = offered_t + village_n.sum(1) + returned
    dropped = offered_t - township_n.sum(1)
    return Arrivals(township_n, township_h, village_n, created, returned, dropped)


def petitions_only(petitions: np.ndarray, n_township_cadres: int) -> Arrivals:
    """A weekend: no department sends anything; yesterday's complaints still arrive as village tasks."""
    village_n = np.zeros((5, len(petitions)))
    village_n[CAMP] = petitions
    created = np.zeros(5)
    created[CAMP] = petitions.sum()
    zeros_t = np.zeros((5, n_township_cadres))
    return Arrivals(zeros_t, zeros_t, village_n, created, np.zeros(5), np.zeros(5))
