"""Mechanism 2, cascade (层层加码): department tasks reach every township; the duty list returns some to the
department; the township keeps a share and pushes the rest to every village, with its own additions, more
effort and earlier deadlines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.jit import kernel, pairwise_sum
from sim.core.levers import CAMP, SPEC, Regime
from sim.core.mechanisms.assignment import _township_tasks


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
    if uncovered is None:
        uncovered = T - post_share.sum(1)  # each township's shares of a line add to 1, or 0 if nobody holds it
    Nt, V = post_share.shape[1], len(town_of_village)
    township_n, township_h = np.empty((2, 5, Nt))
    village_n = np.empty((5, V))
    created, returned, dropped, items = np.zeros((4, 5))
    _cascade(np.ascontiguousarray(county_n, dtype=np.float64), np.ascontiguousarray(town_add, dtype=np.float64),
             np.ascontiguousarray(specialist, dtype=np.float64), petitions, post_share, town_of_village,
             k.keep.ravel(), k.own_hours.ravel(), k.push_to_village, k.additions.ravel(), k.keep_specialist,
             k.work_factor * k.villages_per_town, k.returned, k.any_returned, np.asarray(uncovered, np.float64),
             township_n, township_h, village_n, created, returned, dropped, items)
    return Arrivals(township_n, township_h, village_n, created, returned, dropped, items)


@kernel
def _cascade(county_n, town_add, specialist, petitions, post_share, town_of_village, keep, own_hours, push, additions,
             keep_specialist, town_work, share_returned, any_returned, uncovered,
             township_n, township_h, village_n, created, returned, dropped, items) -> None:
    """`cascade` in one compiled pass, in the order and dtypes of the numpy code it replaced: sums over
    departments, townships and villages in numpy's pairwise order (`pairwise_sum`), products elementwise."""
    k, D = county_n.shape
    T = town_add.shape[1]
    V = village_n.shape[1]
    per_dept = county_n.copy()
    if any_returned:
        for j in range(k):
            for d in range(D):
                per_dept[j, d] = county_n[j, d] * keep[j]
    _township_tasks(per_dept, post_share, township_n)  # holders of each department's post
    for j in range(k):
        for i in range(township_n.shape[1]):
            township_h[j, i] = township_n[j, i] * own_hours[j]
    lost = np.empty(D)
    for j in range(k):
        sent = pairwise_sum(per_dept[j], 0, D)  # from the departments to every township
        pushed = sent * push[j]
        for v in range(V):
            village_n[j, v] = town_add[j, town_of_village[v]] * additions[j] + pushed
        if j == SPEC:
            for v in range(V):
                village_n[j, v] = specialist[v] * keep_specialist
        if j == CAMP:
            for v in range(V):
                village_n[j, v] += petitions[v]
        total = village_n[j, 0]  # village after village (numpy's order for the gathered (kinds, villages) array)
        for v in range(1, V):
            total += village_n[j, v]
        created[j] = sent * T + total
        all_n = pairwise_sum(county_n[j], 0, D)
        if any_returned:
            if j == SPEC:
                returned[j] = pairwise_sum(specialist, 0, V) * share_returned[j]
            else:
                returned[j] = (all_n * T + pairwise_sum(town_add[j], 0, T) * town_work) * share_returned[j]
            created[j] += returned[j]
        for d in range(D):
            lost[d] = per_dept[j, d] * uncovered[d]
        dropped[j] = pairwise_sum(lost, 0, D)
        items[j] = pairwise_sum(specialist, 0, V) if j == SPEC else all_n * T


def petitions_only(petitions: np.ndarray, n_township_cadres: int) -> Arrivals:
    """A weekend: no department sends anything; yesterday's complaints still arrive as village tasks."""
    village_n = np.zeros((5, len(petitions)))
    village_n[CAMP] = petitions
    created = np.zeros(5)
    created[CAMP] = petitions.sum()
    zeros_t = np.zeros((5, n_township_cadres))
    return Arrivals(zeros_t, zeros_t, village_n, created, np.zeros(5), np.zeros(5), np.zeros(5))
