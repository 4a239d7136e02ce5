"""Mechanism 2, cascade (层层加码): department tasks reach every township; the duty list returns some to the
department; the township keeps a share and pushes the rest to every village, with its own additions, more
effort and earlier deadlines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.levers import CAMP, SPEC, Regime
from sim.core.mechanisms.assignment import township_tasks


@dataclass
class Arrivals:
    """Today's upper tasks by level. Counts are task units (fluid after the Poisson draw)."""

    township_n: np.ndarray  # (5, Nt) tasks arriving at each township cadre
    township_h: np.ndarray  # (5, Nt) hours of work they carry (own work, or relaying a pushed task)
    village_n: np.ndarray  # (5, V) tasks arriving at each village
    created: np.ndarray  # (5,) tasks sent down today to township and village level, returned ones included
    returned: np.ndarray  # (5,) tasks given back to departments by the duty list
    dropped: np.ndarray  # (5,) tasks that reached a unit with nobody to take them
    township_items: np.ndarray | None = None  # (5,) department tasks reaching the townships (and specialist
    # cases reaching villages), before the duty list returns any: the items a township's duty list classifies


@dataclass(frozen=True)
class Routing:
    """The constants of one regime's cascade, worked out once (not every day)."""

    keep: np.ndarray  # (5, 1) share of each kind not returned by the duty list
    own_hours: np.ndarray  # (5, 1) township hours per task: own work for the kept part, relaying for the pushed
    push_to_village: np.ndarray  # (5,) share pushed down, times the plaque factor
    additions: np.ndarray  # (5, 1) township additions reaching villages: kept share times the plaque factor
    keep_specialist: float
    work_factor: float  # plaque cap: share of village work left
    returned: np.ndarray  # (5,)
    any_returned: bool
    villages_per_town: float


def routing(r: Regime, villages_per_town: float) -> Routing:
    keep = 1.0 - r.returned
    own = (1 - r.push) * r.effort_township + r.push * r.relay_effort
    return Routing(
        keep=keep[:, None], own_hours=own[:, None], push_to_village=r.push * r.village_work_factor,
        additions=(keep * r.village_work_factor)[:, None], keep_specialist=float(keep[SPEC]),
        work_factor=r.village_work_factor,
        returned=r.returned, any_returned=bool(r.returned.any()), villages_per_town=villages_per_town,
    )


def cascade(county_n: np.ndarray, town_add: np.ndarray, specialist: np.ndarray, petitions: np.ndarray,
            post_share: np.ndarray, town_of_village: np.ndarray, k: Routing | Regime,
            uncovered: np.ndarray | None = None) -> Arrivals:
    """Route today's department tasks (5, D) and township additions (5, T) down the hierarchy. `uncovered`
    counts, per department, the townships where nobody can take its line (their tasks are dropped)."""
    T = town_add.shape[1]
    if not isinstance(k, Routing):
        k = routing(k, len(town_of_village) / T)
    per_dept = county_n * k.keep if k.any_returned else county_n
    township_n = township_tasks(per_dept, post_share)  # (5, Nt): holders of each department's post
    township_h = township_n * k.own_hours
    sent = per_dept.sum(1)  # (5,) from the departments to every township
    village_n = (town_add * k.additions + (sent * k.push_to_village)[:, None])[:, town_of_village]
    village_n[SPEC] = specialist * k.keep_specialist
    village_n[CAMP] += petitions
    offered_t = sent * T
    created = offered_t + village_n.sum(1)
    if k.any_returned:
        returned = (county_n.sum(1) * T + town_add.sum(1) * (k.work_factor * k.villages_per_town)) * k.returned
        returned[SPEC] = specialist.sum() * k.returned[SPEC]
        created += returned
    else:
        returned = np.zeros(5)
    if uncovered is None:
        uncovered = T - post_share.sum(1)  # each township's shares of a line add to 1, or 0 if nobody holds it
    dropped = (per_dept * uncovered).sum(1)
    items = county_n.sum(1) * T
    items[SPEC] = specialist.sum()
    return Arrivals(township_n, township_h, village_n, created, returned, dropped, items)


def petitions_only(petitions: np.ndarray, n_township_cadres: int) -> Arrivals:
    """A weekend: no department sends anything; yesterday's complaints still arrive as village tasks."""
    village_n = np.zeros((5, len(petitions)))
    village_n[CAMP] = petitions
    created = np.zeros(5)
    created[CAMP] = petitions.sum()
    zeros_t = np.zeros((5, n_township_cadres))
    return Arrivals(zeros_t, zeros_t, village_n, created, np.zeros(5), np.zeros(5), np.zeros(5))
