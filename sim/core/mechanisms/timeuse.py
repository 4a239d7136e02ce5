"""Mechanism 4, daily time allocation: fixed items first (meetings, travel, app check-ins), then overtime
chosen under pressure up to a cap (evenings, weekends), then the flexible hours split over the demands in
proportion to priority = weight x urgency (water-filling, two passes)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.jit import kernel, pairwise_sum
from sim.core.levers import Regime


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
    present: np.ndarray | None = None  # (Nv,) share of the day a village cadre is at work in the village


def fixed_items(county_meetings: np.ndarray, town_added: np.ndarray, post_share: np.ndarray,
                town_of_vcadre: np.ndarray, u: np.ndarray, r: Regime, work: np.ndarray | None = None,
                cap: float = np.inf) -> FixedItems:
    """County meetings go to the holders of the department's post (township cadres, travelling to the county);
    each is relayed as a township-tier meeting (plus the township's own) to which a share of village cadres
    is summoned (stochastic rounding), and held again in the village unless consolidated. Video attendance
    saves the travel and keeps the cadre in the village. Township cadres also staff the township service hall
    (便民服务中心) for a fixed share of each workday: their own resident-facing work. With `work`, only cadres at
    work attend and fixed hours are capped at `cap` (the day still has sleep in it); `present` is the share of
    the day each village cadre is at work in the village. One compiled pass over the cadres."""
    Nt = post_share.shape[1]
    N = Nt + len(u)
    inperson = 1.0 - r.video
    per_cadre = np.empty((6, N))
    meetings, hours, travel, app_hours, repeated, hall = per_cadre
    out = FixedItems(meetings, hours, np.empty(len(u)), travel, app_hours, repeated, hall, np.empty(len(u)))
    _fixed_items(np.ascontiguousarray(county_meetings, dtype=np.float64), np.asarray(town_added, np.float64),
                 post_share, town_of_vcadre, u, np.ones(N) if work is None else work, float(cap),
                 bool(r.village_tier_meetings), float(inperson), float(r.attend_share),
                 float(r.travel_township * inperson), float(r.travel_village * inperson), float(r.app_hours_township),
                 float(r.app_hours_village), float(r.meeting_hours), float(r.village_meeting_hours),
                 float(r.township_service_hours), out.meetings, out.hours, out.away, out.travel, out.app_hours,
                 out.repeated, out.hall, out.present)
    return out


@kernel
def _fixed_items(county_meetings, town_added, post_share, town_of_vcadre, u, work, cap, village_tier, inperson,
                 attend_share, travel_township, travel_village, app_township, app_village, meeting_hours,
                 village_meeting_hours, hall_township, meetings, hours, away, travel, app_hours, repeated,
                 hall, present) -> None:
    """`fixed_items` one cadre at a time, each operation in the order of the numpy code it replaced (the
    county's meetings added in numpy's pairwise order, a cadre's posts department after department)."""
    D, nt = post_share.shape
    total = pairwise_sum(county_meetings, 0, D)
    # a township cadre's county meetings, department after department: one running sum per cadre, the loop
    # over cadres inside (the cadres' sums advance side by side rather than one long chain at a time)
    for i in range(nt):
        meetings[i] = county_meetings[0] * post_share[0, i]
    for d in range(1, D):
        cm, share = county_meetings[d], post_share[d]
        for i in range(nt):
            meetings[i] += cm * share[i]
    for i in range(nt):
        mt = meetings[i]
        tr = mt * travel_township
        h = mt * meeting_hours
        h += tr
        h += app_township
        h += hall_township  # the township service hall
        w = work[i]
        meetings[i] = mt * w
        travel[i] = tr * w
        app_hours[i] = app_township * w
        repeated[i] = 0.0 * w
        hall[i] = hall_township * w
        hours[i] = min(h * w, cap)
    # village cadres, on views of their slots from 0 (so that numba needs no check for negative indices)
    v_meetings, v_hours, v_travel, v_app = meetings[nt:], hours[nt:], travel[nt:], app_hours[nt:]
    v_repeated, v_hall, v_work = repeated[nt:], hall[nt:], work[nt:]
    for k in range(len(u)):
        expected = total + town_added[town_of_vcadre[k]] if village_tier else total
        mv = np.floor(expected * attend_share + u[k])
        tr = mv * travel_village
        h = mv * meeting_hours
        rep = 0.0
        if village_tier:
            rep = expected * village_meeting_hours
            h += rep
            m = mv + expected
        else:
            m = mv
        h += tr
        h += app_village
        w = v_work[k]
        v_meetings[k] = m * w
        v_travel[k] = tr * w
        v_app[k] = app_village * w
        v_repeated[k] = rep * w
        v_hall[k] = 0.0 * w
        v_hours[k] = min(h * w, cap)
        away[k] = min(1.0, mv * inperson)
        present[k] = w * (1.0 - away[k])


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
    """`allocate` in the dtype of the arrays: per cadre (column), sums over demands run row after row; the loops
    run over the cadres of one demand at a time (contiguous, so they vectorise)."""
    k, n = demand.shape
    real = demand.dtype
    wd, lam, given = np.empty(n, real), np.empty(n, real), np.empty(n, real)
    for i in range(n):
        wd[i] = weight[0, i] * demand[0, i]
    for j in range(1, k):
        for i in range(n):
            wd[i] += weight[j, i] * demand[j, i]
    for i in range(n):
        lam[i] = capacity[i] / max(wd[i], tiny)
        # first pass: every demand gets lam x weight of itself, capped at all of it
        given[i] = min(weight[0, i] * lam[i], one) * demand[0, i]
    for j in range(1, k):
        for i in range(n):
            given[i] += min(weight[j, i] * lam[i], one) * demand[j, i]
    # second pass: the hours left go to the demands not yet met, in proportion to weight x demand
    for i in range(n):
        wd[i] = one - one
    for j in range(k):
        for i in range(n):
            if weight[j, i] * lam[i] < one:
                wd[i] += weight[j, i] * demand[j, i]
    for i in range(n):
        lam[i] += (capacity[i] - given[i]) / max(wd[i], tiny)
    for j in range(k):
        for i in range(n):
            x[j, i] = min(weight[j, i] * lam[i], one) * demand[j, i]


@dataclass
class TimeUse:
    """One day's time allocation per cadre, in buffers made once per run and refilled every day."""

    stock_h: np.ndarray  # (5, N) float32 hours pending, late and fresh
    due_h: np.ndarray  # (5, N) float32 hours due: overdue, and fresh work due within the plan
    demand: np.ndarray  # (7, N) float32 hours wanted: 5 backlog kinds (with their trace), service, proactive
    weight: np.ndarray  # (7, N) float32 priority: accountability weight x urgency
    x: np.ndarray  # (7, N) float32 effective hours given to each demand
    need: np.ndarray  # (N,) float32 clock hours due today
    capacity_eff: np.ndarray  # (N,) float32 effective hours available (capacity x productivity)
    capacity: np.ndarray  # (N,) clock hours available for flexible work (regular hours left plus overtime)
    prod: np.ndarray  # (N,) productivity: share of an hour's work an exhausted cadre gets done
    inv_prod: np.ndarray  # (N,) 1 / prod
    used: np.ndarray  # (N,) clock hours on flexible work
    worked: np.ndarray  # (N,) clock hours at work (fixed items included)
    service_village: np.ndarray  # (V,) hours a village's cadres give to residents' requests
    proactive_village: np.ndarray  # (V,) hours a village's cadres give to proactive work (visits and patrol)

    @classmethod
    def empty(cls, n: int, villages: int = 0) -> TimeUse:
        real = np.float32
        return cls(np.empty((5, n), real), np.empty((5, n), real), *(np.empty((7, n), real) for _ in range(3)),
                   np.empty(n, real), np.empty(n, real),
                   *(np.empty(n) for _ in range(5)), np.empty(villages), np.empty(villages))


def allocate_day(out: TimeUse, *, weekday: bool, stock: np.ndarray, due: np.ndarray, trace1: np.ndarray,
                 backlog_weight: np.ndarray, fixed: np.ndarray, work: np.ndarray, present: np.ndarray,
                 waiting: np.ndarray, proactive: np.ndarray, exhaustion: np.ndarray, stress: np.ndarray,
                 service_weight: float, proactive_weight: float, p) -> TimeUse:
    """Step 4 for every cadre in one compiled pass: today's demands (backlog with its trace, the village's
    waiting residents and proactive work spread over the cadres present), the hours due, capacity with overtime
    under pressure (capped; weekends from zero regular hours left), priority = weight x urgency (service weight
    lowered by stress), the water-filling split and the hours used and worked. `stock` (2, 2, 5, N) are the
    county's stocks, `due` (5, N) the share of fresh work due within the plan; they and `trace1`,
    `backlog_weight` (5,) are float32; the rest float64. Fills and returns `out`."""
    real = np.float32
    _allocate_day(
        bool(weekday), stock, due, out.stock_h, out.due_h, trace1, backlog_weight, fixed, work, present, waiting, proactive,
        exhaustion, stress, float(p.effort_service), float(p.productivity_loss), float(p.regular_hours),
        float(p.overtime_pressure), float(p.overtime_cap), real(p.regular_hours), real(p.overtime_pressure),
        real(p.weekend_cap), float(service_weight), float(p.defensiveness), float(p.stress_half),
        real(proactive_weight), out.demand, out.weight, out.x, out.need, out.capacity_eff, out.capacity, out.prod,
        out.inv_prod, out.used, out.worked, out.service_village, out.proactive_village,
    )
    return out


@kernel
def _village_sums(hours, nt, out) -> None:
    """out (V,): the village cadres' `hours` (float32, slot-major from `nt`) summed over each village's slots in
    float64, as `County.per_village` adds them: slot after slot; for a single village, whose slots are then
    one contiguous run, in numpy's pairwise order."""
    V = out.shape[0]
    sv = (hours.shape[0] - nt) // V
    if V == 1:
        column = np.empty(sv)
        for s in range(sv):
            column[s] = np.float64(hours[nt + s])
        out[0] = pairwise_sum(column, 0, sv)
        return
    by_slot = hours[nt:].reshape(sv, V)  # (slots, V), indexed from 0: no checks for negative indices
    for v in range(V):
        out[v] = np.float64(by_slot[0, v])
    for s in range(1, sv):
        for v in range(V):
            out[v] += np.float64(by_slot[s, v])


@kernel
def _allocate_day(weekday, stock, due, stock_h, due_h, trace1, backlog_weight, fixed, work, present, waiting, proactive,
                  exhaustion, stress, effort_service, loss, regular, pressure, cap, regular32, pressure32,
                  weekend_cap32, service_weight, defensiveness, stress_half, proactive_weight,
                  demand, weight, x, need, capacity_eff, capacity, prod, inv_prod, used, worked, service_village,
                  proactive_village) -> None:
    """`allocate_day`, each operation in the dtype and order of the numpy code it replaced (per cadre, sums over
    demands row after row; float32 where the stocks are float32); loops run over the cadres (contiguous)."""
    k, n = stock_h.shape
    nv = present.shape[0]
    nt = n - nv
    V = waiting.shape[0]
    sv = nv // V
    one, zero32, tiny12, tiny20 = np.float32(1.0), np.float32(0.0), np.float32(1e-12), np.float32(1e-20)
    # (loops index (slots, V) views of the village slots and single rows, from 0, so that numba needs no
    # check for negative indices)
    present_sv, work_sv = present.reshape(sv, V), work[nt:].reshape(sv, V)
    # a village's hours per unit of presence: its service and proactive work spread over its cadres
    at, on = present[:V].copy(), work[nt : nt + V].copy()
    for s in range(1, sv):
        for v in range(V):
            at[v] += present_sv[s, v]
            on[v] += work_sv[s, v]
    for v in range(V):
        at[v] = waiting[v] * effort_service / (at[v] if at[v] > 0 else 1.0)
        on[v] = proactive[v] / (on[v] if on[v] > 0 else 1.0)
    # hours pending (late + fresh) and due (fresh x due share + late)
    for j in range(k):
        for i in range(n):
            late, fresh = stock[1, 0, j, i], stock[1, 1, j, i]
            stock_h[j, i] = late + fresh
            due_h[j, i] = fresh * due[j, i] + late
    # demands and the clock hours due: backlog with its trace, service, proactive
    for i in range(n):
        need[i] = due_h[0, i] * trace1[0]
    for j in range(1, k):
        t1 = trace1[j]
        for i in range(n):
            need[i] += due_h[j, i] * t1
    for j in range(k):
        t1 = trace1[j]
        for i in range(n):
            demand[j, i] = stock_h[j, i] * t1
    service, proactive_demand = demand[k], demand[k + 1]
    for i in range(nt):
        service[i] = zero32
        proactive_demand[i] = zero32
    service_sv, proactive_sv = service[nt:].reshape(sv, V), proactive_demand[nt:].reshape(sv, V)
    for s in range(sv):
        for v in range(V):
            service_sv[s, v] = np.float32(present_sv[s, v] * at[v])
            proactive_sv[s, v] = np.float32(work_sv[s, v] * on[v])
    for i in range(n):
        nd = need[i] + service[i]
        nd += proactive_demand[i]
        pr = 1.0 - loss * exhaustion[i]
        prod[i] = pr
        nd = np.float32(nd / pr)
        need[i] = nd
        # capacity: regular hours left, plus overtime chosen under pressure up to the cap
        if weekday:
            left = max(regular - fixed[i], 0.0) * work[i]
            extra = min(max((nd - left) * pressure, 0.0), cap) * work[i]
            cp = min(left + extra, 24.0 - fixed[i])
        else:
            cp = min(max((nd - regular32) * pressure32, zero32), weekend_cap32) * work[i]
        capacity[i] = cp
        capacity_eff[i] = np.float32(cp * pr)
    # priority: accountability weight x urgency (the share of the stock due), service lowered by stress
    for j in range(k):
        bw = backlog_weight[j]
        for i in range(n):
            weight[j, i] = due_h[j, i] / (stock_h[j, i] + tiny12) * bw
    service_priority, proactive_priority = weight[k], weight[k + 1]
    for i in range(n):
        service_priority[i] = np.float32(service_weight * (1.0 - defensiveness * (stress[i] / (stress[i] + stress_half))))
        proactive_priority[i] = proactive_weight
    _water_fill(demand, weight, capacity_eff, x, one, tiny20)
    # clock hours used on flexible work, and worked
    tot = x[0].copy()
    for j in range(1, k + 2):
        for i in range(n):
            tot[i] += x[j, i]
    for i in range(n):
        ip = 1.0 / prod[i]
        inv_prod[i] = ip
        u = tot[i] * ip
        used[i] = u
        worked[i] = fixed[i] + max(u, min(capacity[i], max(regular - fixed[i], 0.0))) if weekday else u
    # each village's hours on residents' requests and on proactive work
    _village_sums(x[k], nt, service_village)
    _village_sums(x[k + 1], nt, proactive_village)
