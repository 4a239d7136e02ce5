"""Mechanism 4, daily time allocation: fixed items first (meetings, travel, app check-ins), then overtime
chosen under pressure up to a cap (evenings, weekends), then the flexible hours split over the demands in
proportion to priority = weight x urgency (water-filling, two passes)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.jit import kernel
from sim.core.levers import Regime
from sim.core.mechanisms.assignment import township_tasks


@dataclass
class FixedItems:
    """A workday's fixed items per cadre: meetings attended, hours (meetings, travel, apps), share of the day away."""

    meetings: np.ndarray  # (N,) meetings attended
    hours: np.ndarray  # (N,) meeting + travel + app hours
    away: np.ndarray  # (Nv,) share of the day a village cadre is out of the village
    travel: np.ndarray  # (N,) travel hours
    app_hours: np.ndarray  # (N,)
    repeated: np.ndarray | None = None  # (N,) hours at a repeated tier of one meeting (the village tier)
    hall: np.ndarray | None = None  # (N,) hours staffing the township service hall (township cadres)

    def scale(self, work: np.ndarray, n_township: int, cap: float = 16.0) -> None:
        """Only cadres at work attend; fixed hours are capped at `cap` (the day still has sleep in it)."""
        self.meetings *= work
        self.travel *= work
        self.app_hours *= work
        if self.repeated is not None:
            self.repeated *= work
        if self.hall is not None:
            self.hall *= work
        self.hours = np.minimum(self.hours * work, cap)


def fixed_items(county_meetings: np.ndarray, town_added: np.ndarray, post_share: np.ndarray,
                town_of_vcadre: np.ndarray, u: np.ndarray, r: Regime) -> FixedItems:
    """County meetings go to the holders of the department's post (township cadres, travelling to the county);
    each is relayed as a township-tier meeting (plus the township's own) to which a share of village cadres
    is summoned (stochastic rounding), and held again in the village unless consolidated. Video attendance
    saves the travel and keeps the cadre in the village. Township cadres also staff the township service hall
    (便民服务中心) for a fixed share of each workday: their own resident-facing work."""
    Nt = post_share.shape[1]
    N = Nt + len(u)
    inperson = 1.0 - r.video
    total = county_meetings.sum()
    town = total + town_added if r.village_tier_meetings else np.full(len(town_added), total)
    expected = town[town_of_vcadre]
    meetings, travel, hours, app_hours = np.empty(N), np.empty(N), np.empty(N), np.empty(N)
    mt = meetings[:Nt]
    mt[:] = township_tasks(county_meetings[None], post_share)[0]
    mv = np.floor(expected * r.attend_share + u)
    np.multiply(mt, r.travel_township * inperson, out=travel[:Nt])
    np.multiply(mv, r.travel_village * inperson, out=travel[Nt:])
    app_hours[:Nt] = r.app_hours_township
    app_hours[Nt:] = r.app_hours_village
    hours[:Nt] = mt * r.meeting_hours
    hours[Nt:] = mv * r.meeting_hours
    repeated = np.zeros(N)
    if r.village_tier_meetings:
        np.multiply(expected, r.village_meeting_hours, out=repeated[Nt:])
        hours[Nt:] += repeated[Nt:]
        np.add(mv, expected, out=meetings[Nt:])
    else:
        meetings[Nt:] = mv
    hall = np.zeros(N)
    hall[:Nt] = r.township_service_hours
    hours += travel
    hours += app_hours
    hours += hall
    return FixedItems(meetings, hours, np.minimum(1.0, mv * inperson), travel, app_hours, repeated, hall)


def overtime(need: np.ndarray, regular_left: np.ndarray, pressure: float, cap: float) -> np.ndarray:
    """Extra hours a cadre puts in: a share of the unmet need, up to the cap (白加黑, 五加二)."""
    extra = (need - regular_left) * pressure
    np.maximum(extra, 0.0, out=extra)
    return np.minimum(extra, cap, out=extra)


def allocate(demand: np.ndarray, weight: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Hours (k, N) given to each demand: x = demand * min(1, lam * weight), lam chosen so the hours add to
    the capacity (or all demand is met). Two passes of water-filling; never more than demand or capacity.
    All three arrays share one float dtype (the model uses float32)."""
    x = np.empty_like(demand)
    real = demand.dtype.type  # 1e-20 keeps lam finite (and 0 x lam = 0) in float32
    _water_fill(demand, weight, capacity.astype(real, copy=False), x, real(1.0), real(1e-20))
    return x


@kernel
def _water_fill(demand: np.ndarray, weight: np.ndarray, capacity: np.ndarray, x: np.ndarray, one, tiny) -> None:
    """`allocate`, one cadre at a time in the dtype of the arrays; sums over demands run row after row."""
    k, n = demand.shape
    for i in range(n):
        wd = weight[0, i] * demand[0, i]
        for j in range(1, k):
            wd += weight[j, i] * demand[j, i]
        lam = capacity[i] / max(wd, tiny)
        # first pass: every demand gets lam x weight of itself, capped at all of it
        given = min(weight[0, i] * lam, one) * demand[0, i]
        for j in range(1, k):
            given += min(weight[j, i] * lam, one) * demand[j, i]
        # second pass: the hours left go to the demands not yet met, in proportion to weight x demand
        left = capacity[i] - given
        wd_open = one - one
        for j in range(k):
            lw = weight[j, i] * lam
            if lw < one:
                wd_open += weight[j, i] * demand[j, i]
        lam += left / max(wd_open, tiny)
        for j in range(k):
            x[j, i] = min(weight[j, i] * lam, one) * demand[j, i]


def spread_over_village(hours: np.ndarray, presence: np.ndarray, v_slots: int) -> np.ndarray:
    """A village's hours of work (V,) spread over its cadres in proportion to their presence (slots * V,)
    (1 in the village all day, 0 away): the hours a cadre is asked for today."""
    per_village = presence.reshape(v_slots, -1).sum(0)
    return (presence.reshape(v_slots, -1) * (hours / np.where(per_village > 0, per_village, 1.0))).ravel()
