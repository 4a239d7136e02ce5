"""GrassrootsModel: one county, one day a step. Tasks flow from departments through townships to villages;
cadres spend their days on them; exhaustion builds; residents wait.

State lives in numpy arrays (`sim.county.County`); the Mesa agents in `sim.agents` are views onto them. The
daily step is a fixed sequence of array operations, one call per mechanism of MODEL.md, with no Python loop
over agents or tasks.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import mesa
import networkx as nx
import numpy as np
from mesa.datacollection import DataCollector

from sim.core.agents import Department, TownshipCadre, VillageCadre
from sim.core.county import REAL, build_county, hierarchy, update_post_share
from sim.core.levers import INSP, PROFESSIONAL_DISCOVERY, PROFESSIONAL_HOURS, SERVICE, SPEC, VISIT, regime
from sim.core.mechanisms import (
    accountability,
    assignment,
    burnout,
    cascade,
    generation,
    patrol,
    service,
    staffing,
    timeuse,
    trace,
)
from sim.core.record import COLUMNS, Recorder, summarise, summary_names
from sim.core.scenario import Scenario, ScenarioError, as_scenario

PROACTIVE = SERVICE + 1  # the demand row for proactive village work: vulnerable-household visits and grid patrol

PLANNING_DAYS = 2.0  # cadres plan two days ahead: work due by then is urgent (assumption)


class GrassrootsModel(mesa.Model):
    """A county of departments, townships and villages; see MODEL.md and docs/ODD.md.

    `scenario` is a Scenario (`sim.load_scenario` reads TOML files) or a dict of fields; any scenario field may
    also be passed as a keyword (so `mesa.batch_run` and SolaraViz can set it).
    """

    def __init__(self, rng: Any = None, scenario: Scenario | dict | None = None, *,
                 collect_every: int = 0, **fields: Any) -> None:
        """`collect_every=k` copies the record into the DataCollector every k days (0: only on the last day,
        which is all `mesa.batch_run` needs unless its `max_steps` cuts the run short)."""
        if isinstance(collect_every, bool) or not isinstance(collect_every, int) or collect_every < 0:
            raise ScenarioError(f"collect_every: must be a whole number of days >= 0, got {collect_every!r}")
        self.collect_every = collect_every
        super().__init__(rng=rng)
        p = as_scenario(scenario, **fields)
        self.params = p
        # Independent streams: the main one never depends on lever values; extra staff draw from their own.
        seed_seq = np.random.SeedSequence(int(self.rng.integers(2**63)))
        self._rng_main, self._rng_extra = (np.random.Generator(np.random.PCG64(s)) for s in seed_seq.spawn(2))
        self.county = c = build_county(p, self._rng_main, self._rng_extra)
        self.regimes = (regime(p, False), regime(p, True))
        self.regime = self.regimes[0]
        self.day = 0
        self._season = generation.season(p.days, p.season_amplitude)
        req_day = p.requests_per_household_year / 365
        self._rates = [
            generation.daily_rates(self.regimes[reform], c.n_departments, c.n_townships, c.households, req_day)
            for reform in (False, True)
        ]
        self._weekend_requests = c.households * req_day * p.weekend_request_share
        self._visit_need = service.visit_need(c.households, p.vulnerable_share, p.visits_per_household_month, p.effort_visit)
        self._patrol_need = patrol.patrol_need(c.grids, p.patrol_hours_per_grid_week)
        grids_per_town = np.bincount(c.town_of_village, weights=c.grids, minlength=c.n_townships)
        self._grid_share = c.grids / grids_per_town[c.town_of_village]  # a village's share of its township's grids
        Nt, N = c.n_township_cadres, c.n_cadres
        self._Nt = Nt
        self._village_of = np.repeat(np.arange(c.n_villages), c.v_slots)
        self._town_of_vcadre = c.town_of_village[self._village_of]
        self._base = ~c.extra
        self._n_base_v = int(self._base[Nt:].sum())
        self._oldest = 0
        self._found = np.zeros(c.n_villages)
        self._insp_mean = max(1e-9, self.regimes[0].dept_rate[INSP] * c.n_departments)
        self.recorder = Recorder(p.days, Nt, N, [reg.trace / (1.0 + reg.trace) for reg in self.regimes])
        self._ones5, self._ones7, self._ones_sv = np.ones(5, REAL), np.ones(7, REAL), np.ones(c.v_slots)
        self._ones10 = np.ones(10, REAL)
        self._zeros, self._zeros_v = np.zeros(N), np.zeros(c.n_villages)
        # County-wide sums run over the slots in post before the reform day only, in the baseline's order, so
        # that empty extra-staff slots leave every recorded sum bit-identical to the baseline's.
        self.sum_slots: np.ndarray | None = np.flatnonzero(~c.extra) if c.extra.any() else None
        self._ones_sum = np.ones(N if self.sum_slots is None else len(self.sum_slots), REAL)
        self._ones_sum64 = self._ones_sum.astype(float)
        self._demand = np.zeros((7, N), REAL)  # backlog kinds, service, proactive
        self._new = np.zeros((2, 5, N), REAL)  # today's new tasks: [count, hours] x kind x cadre
        self._weight = np.zeros((7, N), REAL)
        self._weight[PROACTIVE] = self.regime.weight[VISIT]
        self._trace1 = [(1.0 + reg.trace).astype(REAL)[:, None] for reg in self.regimes]
        self._trace = [reg.trace.astype(REAL) for reg in self.regimes]
        self._routing = [cascade.routing(reg, p.villages_per_township) for reg in self.regimes]
        self._effort_village = [reg.effort_village.astype(REAL)[:, None] for reg in self.regimes]
        self._backlog_weight = [reg.weight[:5, None].astype(REAL) for reg in self.regimes]
        self._visit_need_workday = self._visit_need * 7 / 5
        self._visit_needed_total = float(self._visit_need_workday.sum())
        self._professional_discovery = p.discovery_per_patrol_hour * PROFESSIONAL_DISCOVERY
        self._n_vacant = 0
        self._recovery = p.recovery / c.resilience  # resilient cadres recover faster
        self._refills: dict[int, list[int]] = {}
        self._aging = []
        for reg in self.regimes:
            aging = np.empty((5, N), REAL)
            aging[:, :Nt] = reg.aging_township[:, None]
            aging[:, Nt:] = reg.aging[:, None]
            self._aging.append(aging)
        self._due = []
        for reg in self.regimes:
            due = np.empty((5, N), REAL)
            due[:, :Nt] = np.minimum(1.0, PLANNING_DAYS * reg.aging_township)[:, None]
            due[:, Nt:] = np.minimum(1.0, PLANNING_DAYS * reg.aging)[:, None]
            self._due.append(due)
        self.running = True

        # Mesa agents: views onto the arrays (one source of truth)
        Department.create_agents(self, c.n_departments, index=list(range(c.n_departments)))
        TownshipCadre.create_agents(self, Nt, index=list(range(Nt)))
        VillageCadre.create_agents(self, N - Nt, index=list(range(Nt, N)))
        reporters = {name: _reporter(name) for name in COLUMNS if name != "day"}
        reporters.update({name: _summary_reporter(name) for name in summary_names()})
        self.datacollector = DataCollector(model_reporters=reporters)
        self.worked = np.zeros(N)
        self._summary_cache: tuple[int, dict] = (-1, {})

    # ------------------------------------------------------------------------------------------------------
    @cached_property
    def graph(self) -> nx.Graph:
        """The hierarchy (county -> departments, county -> townships -> villages -> cadres; posts link township
        cadres to departments), built when first asked for: runs that never draw it never pay for it."""
        return hierarchy(self.county)

    @property
    def timeseries(self):
        """The daily record so far as a pandas DataFrame (one row per day)."""
        return self.recorder.frame(self.day)

    def _uniform_village(self) -> np.ndarray:
        """A uniform draw per village cadre slot; the main stream only ever serves base slots (so extra staff
        leave the baseline's random numbers untouched)."""
        base = self._base[self._Nt :]
        if self._n_base_v == len(base):
            return self._rng_main.random(len(base))
        u = np.empty(len(base))
        u[base] = self._rng_main.random(self._n_base_v)
        u[~base] = self._rng_extra.random(len(base) - self._n_base_v)
        return u

    def cadre_sum(self, a: np.ndarray) -> np.ndarray:
        """Sum over the cadre (last) axis, over `sum_slots` while extra staff are not yet hired."""
        if self.sum_slots is not None:
            a = np.ascontiguousarray(a[..., self.sum_slots])  # same layout as the baseline's, same rounding
        return a @ (self._ones_sum if a.dtype == REAL else self._ones_sum64)

    def _switch_regime(self) -> None:
        """Reform day: levers that change who is at work act once (secondment, extra staff)."""
        c, r = self.county, self.regimes[1]
        self.regime = r
        self._weight[PROACTIVE] = r.weight[VISIT]
        if r.secondment == 0.0:
            c.seconded[:] = False
        if r.extra_active:
            c.filled |= c.extra
        if self.sum_slots is not None:
            self.sum_slots = None
            self._ones_sum = np.ones(c.n_cadres, REAL)
            self._ones_sum64 = self._ones_sum.astype(float)
        c.refresh_active()
        update_post_share(c)

    def step(self) -> None:
        """One day: the nine mechanisms of MODEL.md in order, each a call on whole arrays."""
        p, c = self.params, self.county
        t = self.day
        if t >= p.days:
            self.running = False
            return
        if t == p.policy_start_day:
            self._switch_regime()
        r = self.regime
        weekday = t % 7 < 5
        Nt, sv = self._Nt, c.v_slots
        ones_sv = self._ones_sv
        work = (c.active & ~c.sick).astype(float)  # at work today (1.0) or not (0.0)
        vwork = work[Nt:]

        # 1 generation, 2 cascade, 3 assignment (departments rest at weekends; residents and petitions do not)
        if weekday:
            county_n, town_add, village_draw = generation.generate(self._rng_main, self._rates[r.reform], self._season[t])
            arr = cascade.cascade(county_n[:5], town_add[:5], village_draw[0], c.petitions, c.post_share, c.town_of_village,
                                  self._routing[r.reform], c.uncovered)
            requests = village_draw[1]
        else:
            requests = self._rng_main.poisson(self._weekend_requests).astype(float)
            arr = cascade.petitions_only(c.petitions, Nt)
        load = self._ones10 @ c.stock[1].reshape(10, -1)  # hours pending per cadre, before today's arrivals
        shares = assignment.village_shares(load[Nt:], vwork, c.secretary[Nt:], sv)
        new = self._new
        new[0, :, :Nt] = arr.township_n
        new[1, :, :Nt] = arr.township_h
        v_n, v_dropped = assignment.assign_to_village_cadres(arr.village_n, shares, out=new[0, :, Nt:])
        np.multiply(v_n, self._effort_village[r.reform], out=new[1, :, Nt:])
        c.stock[:, 1] += new
        stock_h = c.stock[1].sum(0)  # (5, N) hours pending, late and fresh

        # 4 time allocation: fixed items (meetings, travel, apps), overtime under pressure, the flexible split
        if weekday:
            u = self._uniform_village()
            meet = timeuse.fixed_items(county_n[5], town_add[5], c.post_share, self._town_of_vcadre, u, r)
            meet.scale(work, Nt)
            fixed = meet.hours
            present = vwork * (1.0 - meet.away)  # in the village and able to serve residents
        else:
            meet = None
            fixed = self._zeros
            present = vwork
        prod = burnout.productivity(c.exhaustion, p.productivity_loss)
        c.queue = service.age_queue(c.queue, requests + self._found, self._oldest)
        self._oldest = min(self._oldest + 1, c.queue.shape[0] - 1)
        waiting = c.queue[: self._oldest + 1].sum(0)
        pres_v = present.reshape(-1, sv) @ ones_sv
        demand = self._demand  # (8, N) effective hours wanted today, reused buffer
        trace1 = self._trace1[r.reform]
        np.multiply(stock_h, trace1, out=demand[:5])
        demand[SERVICE, Nt:] = np.repeat(waiting * p.effort_service / np.where(pres_v > 0, pres_v, 1.0), sv) * present
        if weekday:
            work_v = vwork.reshape(-1, sv) @ ones_sv
            per_worker = 1.0 / np.where(work_v > 0, work_v, 1.0)
            workers_h = r.purchased_workers * PROFESSIONAL_HOURS * self._grid_share
            proactive = self._visit_need_workday + np.maximum(self._patrol_need - workers_h, 0.0)  # (V,) hours
            demand[PROACTIVE, Nt:] = np.repeat(proactive * per_worker, sv) * vwork
        else:
            workers_h = 0.0
            demand[PROACTIVE, Nt:] = 0.0
        due_h = c.fresh_h * self._due[r.reform]  # share of fresh work due within the planning horizon
        due_h += c.late_h
        need = trace1[:, 0] @ due_h  # clock hours due: backlog due soon, and all of today's village work
        need += demand[SERVICE]
        need += demand[PROACTIVE]
        need /= prod
        if weekday:
            regular_left = np.maximum(p.regular_hours - fixed, 0.0) * work
            extra = timeuse.overtime(need, regular_left, p.overtime_pressure, p.overtime_cap) * work
            capacity = np.minimum(regular_left + extra, 24.0 - fixed)
        else:
            capacity = timeuse.overtime(need, p.regular_hours, p.overtime_pressure, p.weekend_cap) * work
        weight = self._weight
        # priority = accountability weight x urgency (the share of the stock that is overdue or due soon)
        np.divide(due_h, stock_h + REAL(1e-12), out=weight[:5])
        weight[:5] *= self._backlog_weight[r.reform]
        weight[SERVICE] = accountability.service_orientation(r.weight[SERVICE], c.stress, p.defensiveness)
        x = timeuse.allocate(demand, weight, (capacity * prod).astype(REAL))  # effective hours of work per demand
        inv_prod = 1.0 / prod
        used = (self._ones7 @ x) * inv_prod  # clock hours on flexible work
        if weekday:
            worked = fixed + np.maximum(used, np.minimum(capacity, np.maximum(p.regular_hours - fixed, 0.0)))
        else:
            worked = used

        # 5 trace and fake completion: substantive work on overdue first, then fresh; the rest falls due
        substantive = x[:5] / trace1
        done = trace.work_off(c.stock_n, c.stock_h, substantive)
        late_done, fresh_done = done[0], done[1]
        shortfall = 1.0 - np.minimum(used / (need + 1e-12), 1.0)  # share of today's due work left undone
        shortfall *= work  # nobody fakes for an empty desk: an absent cadre's tasks simply fall overdue
        faked_nh, late_nh = trace.fake_or_fall_due(c.stock[:, 1], self._aging[r.reform], shortfall.astype(REAL), p.fake_propensity)
        faked, new_late_n = faked_nh[0], late_nh[0]
        fake_hours = np.minimum(self._trace[r.reform] @ faked_nh[1], np.maximum(24.0 - worked, 0.0))
        worked += fake_hours
        self.worked = worked  # hours each cadre worked today (clock hours, 0 for those not at work)
        c.stock[:, 0] += late_nh
        c.fake_stock += self._ones5 @ faked
        done_by = self.cadre_sum(done.reshape(10, -1))  # tasks done by (late, fresh) x kind
        faked_by = self.cadre_sum(faked)

        # 6 accountability
        insp_factor = float(county_n[INSP].sum()) / self._insp_mean if weekday else 0.0
        found = accountability.discover_fakes(c.fake_stock, r.fake_discovery, insp_factor)
        errors = (late_done[SPEC] + fresh_done[SPEC]) * r.specialist_error
        events = accountability.accountability_events(self._ones5 @ new_late_n, found, errors)
        stress_added = accountability.update_stress(c.stress, events, r.accountability, r.forgiven)

        # 7 burnout, sick days, quitting and vacancies
        burnout.update_exhaustion(c.exhaustion, worked, p.regular_hours, stress_added, c.resilience,
                                  r.exhaustion_gain, p.stress_gain, self._recovery)
        c.exhaustion *= c.filled  # an empty slot carries no exhaustion
        severe = c.exhaustion > p.severe_threshold
        c.severe_days += 1.0
        c.severe_days *= severe
        severe_idx = np.flatnonzero(severe & c.active)
        c.sick = burnout.sick_days(severe_idx, len(severe), p.sick_rate, self._rng_main)
        quits = staffing.quitters(severe_idx, c.severe_days, p.quit_after_days, p.quit_rate, self._rng_main)
        for i in quits:  # a handful a month: a loop over today's leavers, not over agents
            size, start = (c.t_slots, 0) if i < Nt else (sv, Nt)
            first = start + (i - start) // size * size
            staffing.hand_over((c.stock_n[1], c.stock_h[1], c.stock_n[0], c.stock_h[0]), int(i), slice(first, first + size), c.active & ~c.sick)
            c.filled[i] = False
            c.vacancy_timer[i] = t + max(p.vacancy_days, 1)  # the day the slot is filled again
            self._refills.setdefault(t + max(p.vacancy_days, 1), []).append(int(i))
            c.exhaustion[i] = c.severe_days[i] = c.stress[i] = c.fake_stock[i] = 0.0
        refilled = staffing.due_refills(self._refills, t) if self._refills else ()
        self._n_vacant += len(quits) - len(refilled)
        if len(refilled):
            c.filled[refilled] = True
            c.vacancy_timer[refilled] = 0
        if len(quits) or len(refilled):
            c.refresh_active()
            if (len(quits) and quits.min() < Nt) or (len(refilled) and refilled.min() < Nt):
                update_post_share(c)

        # 8 service: resolve with service hours of cadres present in the village; complaints return as tasks
        serve_h = x[SERVICE, Nt:].reshape(-1, sv) @ ones_sv
        served = service.resolve(c.queue, serve_h / p.effort_service, waiting, p.service_limit_days, self._oldest)
        while self._oldest > 0 and not c.queue[self._oldest].any():
            self._oldest -= 1
        served.complaints *= p.complaint_share
        served.complaints_total = float(served.complaints.sum())
        c.petitions = served.complaints * (p.effort_petition / p.effort_campaign)
        # 9 grid patrol: found problems join tomorrow's queue; missed visits risk incidents
        if weekday:
            proactive_h = x[PROACTIVE, Nt:].reshape(-1, sv) @ ones_sv  # per village, split in proportion to need
            visit_h = proactive_h * (self._visit_need_workday / np.maximum(proactive, 1e-12))
            self._found = patrol.problems_found(proactive_h - visit_h, r.patrol_discovery, workers_h, self._professional_discovery)
            visit_needed = self._visit_needed_total
            visit_done = float(visit_h.sum())
            visit_split = visit_done / max(float(proactive_h.sum()), 1e-12)
        else:
            self._found = self._zeros_v
            visit_needed = visit_done = visit_split = 0.0
        incidents = float(self._rng_main.poisson(max(visit_needed - visit_done, 0.0) / p.effort_visit * p.incident_rate))

        self.recorder.record(
            t, self, x=x, inv_prod=inv_prod.astype(REAL), r=r, work=work, worked=worked, fake_hours=fake_hours, meet=meet, arr=arr,
            v_dropped=v_dropped, done=done_by[:5] + done_by[5:],
            on_time=float(done_by[5:].sum() + faked_by.sum()), late_done=float(done_by[:5].sum()), faked=faked_by,
            found=float(self.cadre_sum(found)), served=served, arrived=float(requests.sum()), problems=float(self._found.sum()),
            quits=len(quits), visit_split=visit_split, visit_done=visit_done, visit_needed=visit_needed, incidents=incidents, weekday=weekday,
            cadre_done=done, cadre_faked=faked,
        )
        self.day = t + 1
        if self.day >= p.days:
            self.running = False
            self.datacollector.collect(self)
        elif self.collect_every and self.day % self.collect_every == 0:
            self.datacollector.collect(self)

    def run(self, days: int | None = None) -> None:
        """Run to the end of the scenario (or `days` more days)."""
        end = self.params.days if days is None else min(self.params.days, self.day + days)
        while self.day < end:
            self.step()

    def summary(self) -> dict[str, float]:
        """Summary outcomes of the days run so far (`_before` / `_after` windows; see docs/outcomes.md)."""
        if self._summary_cache[0] != self.day:
            p = self.params
            self._summary_cache = (self.day, summarise(self.recorder.data[: self.day], self.day, p.policy_start_day, p.warmup_days))
        return self._summary_cache[1]

    def collect(self) -> None:
        """Copy today's record and the summary so far into the Mesa DataCollector (done by the model itself at
    the end of a run, so `mesa.batch_run` finds the summary outcomes; dashboards call it every step)."""
        self.datacollector.collect(self)


def _reporter(name: str):
    idx = COLUMNS.index(name)

    def report(model: GrassrootsModel) -> float:
        return float(model.recorder.latest()[idx])

    return report


def _summary_reporter(name: str):
    def report(model: GrassrootsModel) -> float:
        return float(model.summary()[name])

    return report
